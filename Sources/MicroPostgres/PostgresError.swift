/// A failure to reach, authenticate to, or set up a PostgreSQL database: a ``Code`` (extensible), a message
/// naming the server (never its password), and the cause.
///
/// Operations of ``PostgresStore`` and ``PostgresCheckpointer`` report their failures as `StoreError` and
/// `CheckpointError`; this error is what opening a ``PostgresBackend`` (and parsing its URL) throws.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added without breaking users.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The URL is not `postgres://user[:password]@host[:port]/database[?sslmode=…]`.
        public static let invalidURL = Code("invalidURL")
        /// Nothing answered at the URL's host and port (refused, unresolvable, timed out).
        public static let unreachable = Code("unreachable")
        /// The server rejected the user name or password.
        public static let authenticationFailed = Code("authenticationFailed")
        /// The server has no database of that name.
        public static let databaseNotFound = Code("databaseNotFound")
        /// The server is older than ``PostgresBackend/minimumServerVersion``, or not UTF-8 encoded.
        public static let unsupportedServer = Code("unsupportedServer")
        /// The database's schema is newer than this library knows (a newer Micro migrated it).
        public static let schemaTooNew = Code("schemaTooNew")
        /// A schema migration failed (it was rolled back).
        public static let migrationFailed = Code("migrationFailed")
        /// The connection failed after it was established, or another server error.
        public static let server = Code("server")
    }

    public var code: Code
    public var message: String
    /// The server, as `postgres://user@host:port/database` (no password).
    public var server: String?
    public var underlying: (any Error)?

    public init(_ code: Code, _ message: String, server: String? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.server = server
        self.underlying = underlying
    }

    public var description: String {
        var s = "PostgresError.\(code): \(message)"
        if let server { s += " [\(server)]" }
        if let underlying { s += " (underlying: \(String(reflecting: underlying)))" }
        return s
    }
}
