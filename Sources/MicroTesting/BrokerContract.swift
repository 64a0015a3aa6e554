import Micro

/// The ``Broker`` contract as runnable checks (see ``StoreContract`` for how to run them).
///
/// Checks read what a subscription received by cancelling it and draining its buffer, so they assume
/// that a message is buffered by the time `publish` returns — true in-process; a networked backend's
/// subject should wrap its broker so that `publish` waits for the server's acknowledgement/flush.
public enum BrokerContract {
    public static let checks: [ContractCheck<any Broker>] = [
        fanOut, queueGroups, unsubscribe, ordering, messageFields, invalidTopics,
    ]

    private static func message(_ body: String, id: String = "") -> BrokerMessage {
        BrokerMessage(id: id, body: Array(body.utf8))
    }

    /// Ends `subscription` and returns the bodies it had received.
    private static func drain(_ subscription: BrokerSubscription) async throws -> [String] {
        subscription.cancel()
        var bodies: [String] = []
        for try await message in subscription { bodies.append(String(decoding: message.body, as: UTF8.self)) }
        return bodies
    }

    /// Every plain subscriber of a topic gets every message; other topics get none.
    public static let fanOut = ContractCheck<any Broker>("fanOut") { subject in
        let name = "fanOut"
        try await subject.with(Simulation().environment) { broker in
            let one = try await broker.subscribe(to: "orders.created")
            let two = try await broker.subscribe(to: "orders.created")
            let other = try await broker.subscribe(to: "orders.cancelled")
            for i in 0..<5 { try await broker.publish(message("m\(i)"), to: "orders.created") }
            let expected = (0..<5).map { "m\($0)" }
            try expectEqual(try await drain(one), expected, "first subscriber", in: name)
            try expectEqual(try await drain(two), expected, "second subscriber", in: name)
            try expectEqual(try await drain(other), [], "subscriber of another topic", in: name)
        }
    }

    /// Each message goes to exactly one member of each queue group; plain subscribers still get all.
    public static let queueGroups = ContractCheck<any Broker>("queueGroups") { subject in
        let name = "queueGroups"
        try await subject.with(Simulation().environment) { broker in
            let workers = [
                try await broker.subscribe(to: "jobs", queue: "workers"),
                try await broker.subscribe(to: "jobs", queue: "workers"),
                try await broker.subscribe(to: "jobs", queue: "workers"),
            ]
            let auditors = [
                try await broker.subscribe(to: "jobs", queue: "audit"),
                try await broker.subscribe(to: "jobs", queue: "audit"),
            ]
            let plain = try await broker.subscribe(to: "jobs")
            let count = 30
            for i in 0..<count { try await broker.publish(message("j\(i)"), to: "jobs") }
            let expected = (0..<count).map { "j\($0)" }
            var byWorker: [[String]] = []
            for w in workers { byWorker.append(try await drain(w)) }
            var byAuditor: [[String]] = []
            for a in auditors { byAuditor.append(try await drain(a)) }
            try expectEqual(byWorker.flatMap { $0 }.sorted(), expected.sorted(), "group workers got each job once", in: name)
            try expectEqual(byAuditor.flatMap { $0 }.sorted(), expected.sorted(), "group audit got each job once", in: name)
            for (i, got) in byWorker.enumerated() {
                try expectEqual(got, expected.filter(got.contains), "worker \(i) receives in publish order", in: name)
            }
            try expectEqual(try await drain(plain), expected, "a plain subscriber alongside groups", in: name)
        }
    }

    /// After `cancel()` iteration ends and nothing more is delivered; others keep receiving.
    public static let unsubscribe = ContractCheck<any Broker>("unsubscribe") { subject in
        let name = "unsubscribe"
        try await subject.with(Simulation().environment) { broker in
            let leaving = try await broker.subscribe(to: "t")
            let staying = try await broker.subscribe(to: "t")
            try await broker.publish(message("before"), to: "t")
            leaving.cancel()
            try await broker.publish(message("after"), to: "t")
            try expectEqual(try await drain(leaving), ["before"], "buffered before cancel, nothing after", in: name)
            try expectEqual(try await drain(staying), ["before", "after"], "the other subscriber", in: name)
            let scoped = try await broker.withSubscription(to: "t") { subscription in
                try await broker.publish(message("scoped"), to: "t")
                var iterator = subscription.makeAsyncIterator()
                return try await iterator.next().map { String(decoding: $0.body, as: UTF8.self) }
            }
            try expectEqual(scoped, "scoped", "withSubscription delivers", in: name)
            let late = try await broker.subscribe(to: "t")
            try await broker.publish(message("late"), to: "t")
            try expectEqual(try await drain(late), ["late"], "no message from before subscribing", in: name)
        }
    }

    /// Messages from one publisher arrive in publish order.
    public static let ordering = ContractCheck<any Broker>("ordering") { subject in
        let name = "ordering"
        try await subject.with(Simulation().environment) { broker in
            let subscription = try await broker.subscribe(to: "seq", options: .init(bufferSize: 1000))
            for i in 0..<500 { try await broker.publish(message("\(i)"), to: "seq") }
            try expectEqual(try await drain(subscription), (0..<500).map(String.init), "publish order", in: name)
        }
    }

    /// Id, headers and body arrive unchanged; an empty id is assigned; the topic header is set.
    public static let messageFields = ContractCheck<any Broker>("messageFields") { subject in
        let name = "messageFields"
        try await subject.with(Simulation().environment) { broker in
            let subscription = try await broker.subscribe(to: "fields.x")
            let body: [UInt8] = [0, 255, 1, 128]
            try await broker.publish(BrokerMessage(id: "m-1", headers: ["trace": "t-1"], body: body), to: "fields.x")
            try await broker.publish(BrokerMessage(body: []), to: "fields.x")
            subscription.cancel()
            var received: [BrokerMessage] = []
            for try await m in subscription { received.append(m) }
            try expectEqual(received.count, 2, "both messages", in: name)
            try expectEqual(received[0].id, "m-1", "id kept", in: name)
            try expectEqual(received[0].headers["trace"], "t-1", "header kept", in: name)
            try expectEqual(received[0].body, body, "body kept", in: name)
            try expectEqual(received[0].topic, "fields.x", "topic header", in: name)
            try expect(!received[1].id.isEmpty && received[1].id != "m-1", "an empty id is assigned", in: name)
        }
    }

    /// Malformed topics, and wildcards in a publish, are typed errors.
    public static let invalidTopics = ContractCheck<any Broker>("invalidTopics") { subject in
        let name = "invalidTopics"
        try await subject.with(Simulation().environment) { broker in
            for topic in ["", "a..b", ".a", "a.", "a b", "a.*", "a.>"] {
                try await expectThrows(BrokerError.self, "publish to \(topic.debugDescription)", in: name,
                                       matching: { $0.code == .invalidTopic }) {
                    try await broker.publish(message("x"), to: topic)
                }
            }
            for topic in ["", "a..b", "a.>.b"] {
                try await expectThrows(BrokerError.self, "subscribe to \(topic.debugDescription)", in: name,
                                       matching: { $0.code == .invalidTopic }) {
                    _ = try await broker.subscribe(to: topic)
                }
            }
        }
    }
}
