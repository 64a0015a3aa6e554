import Micro
import Testing

@Suite struct InMemoryBrokerTests {
    let broker = InMemoryBroker(environment: .simulated(clock: VirtualClock(mode: .manual), ids: .incrementing()))

    private func drain(_ subscription: BrokerSubscription) async throws -> [String] {
        subscription.cancel()
        var bodies: [String] = []
        for try await m in subscription { bodies.append(String(decoding: m.body, as: UTF8.self)) }
        return bodies
    }

    private func publish(_ bodies: [String], to topic: String) async throws {
        for body in bodies { try await broker.publish(BrokerMessage(body: Array(body.utf8)), to: topic) }
    }

    @Test func queueGroupsTakeTurnsInSubscriptionOrder() async throws {
        let a = try await broker.subscribe(to: "jobs", queue: "w")
        let b = try await broker.subscribe(to: "jobs", queue: "w")
        let c = try await broker.subscribe(to: "jobs", queue: "w")
        try await publish((0..<7).map { "\($0)" }, to: "jobs")
        #expect(try await drain(a) == ["0", "3", "6"])
        #expect(try await drain(b) == ["1", "4"])
        #expect(try await drain(c) == ["2", "5"])
    }

    @Test func wildcards() async throws {
        let star = try await broker.subscribe(to: "orders.*.created")
        let tail = try await broker.subscribe(to: "orders.>")
        let exact = try await broker.subscribe(to: "orders")
        try await publish(["1"], to: "orders.eu.created")
        try await publish(["2"], to: "orders.eu.created.late")
        try await publish(["3"], to: "orders")
        try await publish(["4"], to: "orders.us")
        #expect(try await drain(star) == ["1"])
        #expect(try await drain(tail) == ["1", "2", "4"])
        #expect(try await drain(exact) == ["3"])
    }

    @Test func assignsIDsFromTheEnvironment() async throws {
        let s = try await broker.subscribe(to: "t")
        try await broker.publish(BrokerMessage(body: []), to: "t")
        s.cancel()
        var ids: [String] = []
        for try await m in s { ids.append(m.id) }
        #expect(ids == ["msg-1"])
    }

    @Test func overflowDropNewestKeepsTheBacklog() async throws {
        let s = try await broker.subscribe(to: "t", options: .init(bufferSize: 2, overflow: .dropNewest))
        try await publish(["1", "2", "3", "4"], to: "t")
        #expect(try await drain(s) == ["1", "2"])
    }

    @Test func overflowDropOldestKeepsTheLatest() async throws {
        let s = try await broker.subscribe(to: "t", options: .init(bufferSize: 2, overflow: .dropOldest))
        try await publish(["1", "2", "3", "4"], to: "t")
        #expect(try await drain(s) == ["3", "4"])
    }

    @Test func overflowFailEndsTheSubscriptionWithSlowConsumer() async throws {
        let s = try await broker.subscribe(to: "t", options: .init(bufferSize: 2, overflow: .fail))
        try await publish(["1", "2", "3", "4"], to: "t")
        #expect(broker.subscriptionCount == 0)
        var received: [String] = []
        let error = await #expect(throws: BrokerError.self) {
            for try await m in s { received.append(String(decoding: m.body, as: UTF8.self)) }
        }
        #expect(error?.code == .slowConsumer)
        #expect(received == ["1", "2"])
    }

    @Test func invalidBufferSize() async throws {
        await #expect(throws: BrokerError.self) { _ = try await broker.subscribe(to: "t", options: .init(bufferSize: 0)) }
    }

    @Test func cancelDropAndTaskCancellationUnsubscribe() async throws {
        let s = try await broker.subscribe(to: "t")
        #expect(broker.subscriptionCount == 1)
        s.cancel()
        #expect(broker.subscriptionCount == 0)

        do { _ = try await broker.subscribe(to: "t") }  // dropped at once
        #expect(broker.subscriptionCount == 0)

        try await broker.withSubscription(to: "t") { _ in #expect(broker.subscriptionCount == 1) }
        #expect(broker.subscriptionCount == 0)

        let iterated = try await broker.subscribe(to: "t")
        await withTaskGroup(of: Void.self) { group in
            group.addTask { do { for try await _ in iterated {} } catch {} }
            group.cancelAll()
            await group.waitForAll()
        }
        #expect(broker.subscriptionCount == 0)
    }
}
