/// An error thrown by a ``Store``: a ``Code`` (extensible), a message, where it happened, and the cause.
public struct StoreError: Error, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added without breaking users.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// An empty key or namespace, or one containing NUL.
        public static let invalidKey = Code("invalidKey")
        /// A bad argument other than a key (a negative limit or offset, …).
        public static let invalidArgument = Code("invalidArgument")
        /// A typed value could not be encoded to JSON.
        public static let encodingFailed = Code("encodingFailed")
        /// A stored value could not be decoded as the requested type.
        public static let decodingFailed = Code("decodingFailed")
        /// A concurrent writer changed what the operation relied on (e.g. a record vanished mid-update).
        public static let conflict = Code("conflict")
        /// Stored data is damaged: the backing file is not a database, or a record does not decode.
        public static let corrupted = Code("corrupted")
        /// The backend stayed locked by another writer past its timeout.
        public static let busy = Code("busy")
        /// The backend cannot be opened or reached, or has been closed.
        public static let unavailable = Code("unavailable")
        /// Any other backend failure; see `underlying`.
        public static let backend = Code("backend")
    }

    public var code: Code
    public var message: String
    public var key: String?
    public var namespace: String?
    public var underlying: (any Error)?

    public init(_ code: Code, _ message: String, key: String? = nil, namespace: String? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.key = key
        self.namespace = namespace
        self.underlying = underlying
    }

    public var description: String {
        var s = "StoreError.\(code): \(message)"
        let place = [namespace.map { "namespace \($0.debugDescription)" }, key.map { "key \($0.debugDescription)" }]
            .compactMap { $0 }
        if !place.isEmpty { s += " [\(place.joined(separator: ", "))]" }
        if let underlying { s += " (underlying: \(underlying))" }
        return s
    }
}
