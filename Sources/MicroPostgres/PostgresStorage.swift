import Logging
import Micro

/// The ``Store`` and ``Checkpointer`` of one PostgreSQL database, open for a scope: what `--store postgres://…`
/// selects.
///
/// ```swift
/// try await PostgresStorage.with(url: "postgres://micro:secret@127.0.0.1:5432/micro") { storage in
///     runtime.store = storage.store
///     let runner = AgentRunner(runtime: runtime, checkpointer: storage.checkpointer, …)
/// }
/// ```
///
/// Opening checks the server and migrates the schema; a malformed URL, a server that is down, rejected
/// credentials, a missing database or a server that is too old are ``PostgresError``s naming the server
/// (never the password). Both share one connection pool, closed when `body` returns.
public struct PostgresStorage: Sendable {
    public let backend: PostgresBackend
    public let store: PostgresStore
    public let checkpointer: PostgresCheckpointer

    /// Opens the database at `url` (`postgres://user[:password]@host[:port]/database[?sslmode=…]`) for `body`.
    /// `environment` is the store's clock for expiry.
    public static func with<Result: Sendable>(
        url: String, environment: Environment = .live, retryPolicy: PostgresRetryPolicy = PostgresRetryPolicy(),
        logger: Logger = Logger(label: "MicroPostgres", factory: { _ in SwiftLogNoOpLogHandler() }),
        _ body: (PostgresStorage) async throws -> Result
    ) async throws -> Result {
        try await PostgresBackend.with(url: url, retryPolicy: retryPolicy, logger: logger) { backend in
            try await body(PostgresStorage(
                backend: backend, store: PostgresStore(backend: backend, environment: environment),
                checkpointer: PostgresCheckpointer(backend: backend)))
        }
    }
}
