/// Publish/subscribe on dot-separated topics (Go Micro's `broker`).
///
/// ## Contract every backend keeps
/// - **Topics** are non-empty tokens separated by `.` (`travel.bookings.created`), without whitespace.
///   Subscriptions may use wildcards as whole tokens: `*` matches exactly one token, `>` (last token
///   only) one or more. Publishing to a topic with a wildcard, or any malformed topic, throws
///   ``BrokerError/Code/invalidTopic``.
/// - **Fan-out**: every subscription without a queue whose topic matches receives every message
///   published after ``subscribe(to:options:)`` returned.
/// - **Queue groups**: subscriptions with the same `queue` on the same topic form a group; each message
///   goes to exactly one member of each group (how the member is chosen is the backend's; the in-memory
///   broker goes round-robin in subscription order).
/// - **Order**: messages from one publisher (sequential `publish` calls) reach each subscriber in publish order.
/// - **Delivery** is at-most-once unless a backend documents more: a message may be lost if the
///   subscriber's buffer overflows (see ``BrokerSubscription/Overflow``) or the process dies. `publish`
///   never waits for subscribers to consume.
/// - **Messages** arrive with their `id`, `headers` and `body` unchanged; an empty `id` is replaced by a
///   fresh one, and the header ``BrokerMessage/topicHeader`` holds the topic it was published on.
/// - **Unsubscribing**: ``BrokerSubscription/cancel()``, cancelling the task that iterates the
///   subscription, or dropping it, unsubscribes; messages already buffered are still delivered after
///   `cancel()`, then iteration ends.
public protocol Broker: Sendable {
    /// Publishes `message` on `topic` (no wildcards).
    func publish(_ message: BrokerMessage, to topic: String) async throws

    /// Subscribes to `topic` (wildcards allowed); the returned subscription yields the messages.
    func subscribe(to topic: String, options: BrokerSubscription.Options) async throws -> BrokerSubscription
}

extension Broker {
    /// Subscribes to `topic`, in queue group `queue` when given, with default buffering.
    public func subscribe(to topic: String, queue: String? = nil) async throws -> BrokerSubscription {
        try await subscribe(to: topic, options: BrokerSubscription.Options(queue: queue))
    }

    /// Runs `body` with a subscription to `topic` and cancels it when `body` returns or throws.
    public func withSubscription<R>(
        to topic: String,
        options: BrokerSubscription.Options = BrokerSubscription.Options(),
        _ body: (BrokerSubscription) async throws -> R
    ) async throws -> R {
        let subscription = try await subscribe(to: topic, options: options)
        defer { subscription.cancel() }
        return try await body(subscription)
    }

    /// Whether `topic` is delivered to a subscription on `pattern`: `*` matches one token, a last `>` one or more.
    public static func topic(_ topic: String, matches pattern: String) -> Bool {
        Self.topic(topic.split(separator: ".", omittingEmptySubsequences: false), matches: pattern.split(separator: ".", omittingEmptySubsequences: false))
    }

    /// ``topic(_:matches:)`` on topics already split into tokens.
    static func topic(_ tokens: [Substring], matches pattern: [Substring]) -> Bool {
        var i = 0
        while i < pattern.count {
            if pattern[i] == ">" { return tokens.count > i }
            guard i < tokens.count, pattern[i] == "*" || pattern[i] == tokens[i] else { return false }
            i += 1
        }
        return i == tokens.count
    }

    /// Throws ``BrokerError/Code/invalidTopic`` unless `topic` is well formed; wildcards only if `allowingWildcards`.
    public static func validate(topic: String, allowingWildcards: Bool) throws {
        let tokens = topic.split(separator: ".", omittingEmptySubsequences: false)
        func fail(_ why: String) -> BrokerError {
            BrokerError(.invalidTopic, "invalid topic \(topic.debugDescription): \(why)", topic: topic)
        }
        if topic.isEmpty { throw fail("empty") }
        for (index, token) in tokens.enumerated() {
            if token.isEmpty { throw fail("empty token") }
            if token.contains(where: { $0.isWhitespace || $0 == "\0" }) { throw fail("whitespace or NUL") }
            if token == "*" || token == ">" {
                if !allowingWildcards { throw fail("wildcards are for subscriptions only") }
                if token == ">" && index != tokens.count - 1 { throw fail("'>' must be the last token") }
            }
        }
    }
}
