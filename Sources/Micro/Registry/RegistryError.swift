/// An error thrown by a ``Registry``.
public struct RegistryError: Error, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added without breaking users.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// No live version of the service (from ``Registry/requireService(_:)``).
        public static let notFound = Code("notFound")
        /// The record cannot be registered (no name, no nodes, bad or duplicate node ids).
        public static let invalidRecord = Code("invalidRecord")
        /// A bad argument other than the record (a TTL that is not positive, …).
        public static let invalidArgument = Code("invalidArgument")
        /// The registry cannot be reached or has been shut down.
        public static let unavailable = Code("unavailable")
    }

    public var code: Code
    public var message: String
    public var service: String?
    public var underlying: (any Error)?

    public init(_ code: Code, _ message: String, service: String? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.service = service
        self.underlying = underlying
    }

    public var description: String {
        var s = "RegistryError.\(code): \(message)"
        if let underlying { s += " (underlying: \(underlying))" }
        return s
    }
}
