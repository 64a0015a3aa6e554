import Micro
import MicroNATS
import Testing

/// Starting, losing and regaining the connection: against a scripted fake server, or a real nats-server.
@Suite struct NATSBrokerConnectionTests {
    static let info = #"INFO {"server_id":"FAKE","version":"2.9.10","proto":1,"headers":true,"max_payload":1048576,"auth_required":true}"#

    private func message(_ body: String) -> BrokerMessage { BrokerMessage(body: Array(body.utf8)) }

    private func drain(_ subscription: BrokerSubscription) async throws -> [String] {
        subscription.cancel()
        var bodies: [String] = []
        for try await m in subscription { bodies.append(String(decoding: m.body, as: UTF8.self)) }
        return bodies
    }

    @Test func downServerAtStartIsAnErrorNamingTheURL() async throws {
        let port = try await NATSServerProcess.freePort()
        let error = await #expect(throws: NATSError.self) {
            try await NATSBroker.withBroker(try NATSServerProcess.configuration("nats://u:p@127.0.0.1:\(port)")) { _ in }
        }
        #expect(error?.code == .unavailable)
        #expect(error?.url == "nats://127.0.0.1:\(port)")
        #expect(error.map { "\($0)" }?.contains("127.0.0.1:\(port)") == true)
    }

    @Test func authorizationViolationIsTyped() async throws {
        try await FakeNATSServer.with(info: Self.info, respond: { line in
            line.hasPrefix("CONNECT") ? ["-ERR 'Authorization Violation'", "<close>"] : []
        }) { url in
            let error = await #expect(throws: NATSError.self) {
                try await NATSBroker.withBroker(try NATSConfiguration(url.replacingOccurrences(of: "//", with: "//bob:wrong@"))) { _ in }
            }
            #expect(error?.code == .authorizationFailed)
            #expect(error?.url == url)
        }
    }

    @Test func serverWithoutHeadersIsAVersionMismatch() async throws {
        let old = #"INFO {"server_id":"OLD","version":"2.1.0","proto":1,"max_payload":1048576}"#
        try await FakeNATSServer.with(info: old) { url in
            let error = await #expect(throws: NATSError.self) {
                try await NATSBroker.withBroker(try NATSConfiguration(url)) { _ in }
            }
            #expect(error?.code == .versionMismatch)
            #expect(error?.message.contains("2.1.0") == true)
        }
    }

    @Test func silentServerTimesOut() async throws {
        try await FakeNATSServer.with(info: Self.info) { url in
            var configuration = try NATSConfiguration(url)
            configuration.connectTimeout = .milliseconds(200)
            let error = await #expect(throws: NATSError.self) {
                try await NATSBroker.withBroker(configuration) { _ in }
            }
            #expect(error?.code == .timeout)
        }
    }

    @Test func handshakeSendsCredentials() async throws {
        try await FakeNATSServer.with(info: Self.info, respond: { line in
            guard line.hasPrefix("CONNECT") else { return line == "PING" ? ["PONG"] : [] }
            return line.contains(#""pass":"s3cret""#) && line.contains(#""user":"bob""#) && line.contains(#""headers":true"#)
                ? [] : ["-ERR 'Authorization Violation'", "<close>"]
        }) { url in
            let connected = try await NATSBroker.withBroker(try NATSServerProcess.configuration(url.replacingOccurrences(of: "//", with: "//bob:s3cret@"))) {
                broker in broker.isConnected
            }
            #expect(connected)
        }
    }

    @Test(.enabled(if: NATSServerProcess.isAvailable, NATSServerProcess.skipReason))
    func reconnectRenewsSubscriptionsAndSendsHeldPublishes() async throws {
        var server = try await NATSServerProcess.startOnFreePort()
        let port = server.port
        defer { server.stop() }
        var configuration = try NATSServerProcess.configuration(server.url)
        configuration.reconnectDelay = .milliseconds(10)
        configuration.maxReconnectDelay = .milliseconds(100)
        try await NATSBroker.withBroker(configuration) { broker in
            let all = try await broker.subscribe(to: "jobs.>")
            let queued = try await broker.subscribe(to: "jobs.*", queue: "workers")
            try await broker.publish(message("before"), to: "jobs.a")
            try await broker.flush()
            server.stop()
            try await poll("the broker notices the loss") { !broker.isConnected }
            try await broker.publish(message("held-1"), to: "jobs.b")
            try await broker.publish(message("held-2"), to: "jobs.c")
            await #expect(throws: BrokerError.self) { try await broker.flush() }
            server = try await NATSServerProcess.start(port: port)
            try await poll("the broker reconnects") { broker.isConnected }
            #expect(broker.reconnectCount == 1)
            try await broker.publish(message("after"), to: "jobs.d")
            try await broker.flush()
            #expect(try await drain(all) == ["before", "held-1", "held-2", "after"])
            #expect(try await drain(queued) == ["before", "held-1", "held-2", "after"])
        }
    }

    @Test(.enabled(if: NATSServerProcess.isAvailable, NATSServerProcess.skipReason))
    func givingUpEndsSubscriptionsWithAnError() async throws {
        let server = try await NATSServerProcess.startOnFreePort()
        defer { server.stop() }
        var configuration = try NATSServerProcess.configuration(server.url)
        configuration.reconnectDelay = .milliseconds(5)
        configuration.maxReconnectAttempts = 2
        let broker = NATSBroker(configuration: configuration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                let error = await #expect(throws: NATSError.self) { try await broker.run() }
                #expect(error?.code == .unavailable)
                #expect(error?.message.contains("gave up") == true)
            }
            try await poll("connected") { broker.isConnected }
            let subscription = try await broker.subscribe(to: "x")
            server.stop()
            let ended = await #expect(throws: BrokerError.self) { for try await _ in subscription {} }
            #expect(ended?.code == .unavailable)
            let publishError = await #expect(throws: BrokerError.self) { try await broker.publish(message("late"), to: "x") }
            #expect(publishError?.code == .unavailable)
            try await group.waitForAll()
        }
    }
}
