/// An error thrown by a ``Broker`` or ending a ``BrokerSubscription``.
public struct BrokerError: Error, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added without breaking users.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A malformed topic, or a wildcard where none is allowed.
        public static let invalidTopic = Code("invalidTopic")
        /// A bad option (a buffer size below 1, …).
        public static let invalidArgument = Code("invalidArgument")
        /// The subscriber fell behind and its buffer overflowed (with ``BrokerSubscription/Overflow/fail``).
        public static let slowConsumer = Code("slowConsumer")
        /// The broker cannot be reached or has been shut down.
        public static let unavailable = Code("unavailable")
    }

    public var code: Code
    public var message: String
    public var topic: String?
    public var underlying: (any Error)?

    public init(_ code: Code, _ message: String, topic: String? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.topic = topic
        self.underlying = underlying
    }

    public var description: String {
        var s = "BrokerError.\(code): \(message)"
        if let underlying { s += " (underlying: \(underlying))" }
        return s
    }
}
