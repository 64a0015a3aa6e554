import Logging
import NIOSSL
import PostgresNIO

/// A connected, migrated PostgreSQL database: a pooled `PostgresClient` whose lifetime is a scope.
///
/// ``with(_:retryPolicy:logger:_:)`` first opens one connection to check the server (reachable, password accepted,
/// database present, PostgreSQL ≥ ``minimumServerVersion``, UTF-8) and to bring the schema up to date, then
/// runs the pool (its `run()` in a child task) for the body, and shuts it down when the body returns. Build
/// a ``PostgresStore`` and a ``PostgresCheckpointer`` on it; they share the pool.
///
/// Once open, a lost server is a retryable fault: the pool reconnects with backoff, and calls made
/// meanwhile wait for it or fail with a retryable error (`StoreError.unavailable`, `CheckpointError.storage`).
public final class PostgresBackend: Sendable {
    /// The oldest server this library supports (`server_version_num`): PostgreSQL 13.
    public static let minimumServerVersion = 130_000

    public let configuration: PostgresConfiguration
    /// The server's `server_version_num`, e.g. 150018.
    public let serverVersion: Int
    /// How calls are retried while the server is away.
    public let retryPolicy: PostgresRetryPolicy
    let client: PostgresClient
    let logger: Logger

    private init(
        configuration: PostgresConfiguration, serverVersion: Int, retryPolicy: PostgresRetryPolicy, client: PostgresClient,
        logger: Logger
    ) {
        self.configuration = configuration
        self.serverVersion = serverVersion
        self.retryPolicy = retryPolicy
        self.client = client
        self.logger = logger
    }

    /// Checks the server and migrates the schema, then runs `body` with the open backend.
    /// Throws ``PostgresError`` (``PostgresError/Code/unreachable``, ``PostgresError/Code/authenticationFailed``, …)
    /// naming the server when it cannot be used.
    public static func with<Result: Sendable>(
        _ configuration: PostgresConfiguration,
        retryPolicy: PostgresRetryPolicy = PostgresRetryPolicy(),
        logger: Logger = Logger(label: "MicroPostgres", factory: { _ in SwiftLogNoOpLogHandler() }),
        _ body: (PostgresBackend) async throws -> Result
    ) async throws -> Result {
        let serverVersion = try await prepare(configuration, logger: logger)
        var clientConfiguration = PostgresClient.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.user,
            password: configuration.password, database: configuration.database, tls: clientTLS(configuration.tls))
        clientConfiguration.options.maximumConnections = 16
        // Find connections the server dropped while idle sooner than the default 30 s (a lease of one that
        // is already closed fails fast and is retried: see PostgresBackend+Query.swift).
        clientConfiguration.options.keepAliveBehavior = .init(frequency: .seconds(10))
        let client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
        let backend = PostgresBackend(
            configuration: configuration, serverVersion: serverVersion, retryPolicy: retryPolicy, client: client, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(backend)
        }
    }

    /// Parses `url` and runs ``with(_:retryPolicy:logger:_:)``.
    public static func with<Result: Sendable>(
        url: String,
        retryPolicy: PostgresRetryPolicy = PostgresRetryPolicy(),
        logger: Logger = Logger(label: "MicroPostgres", factory: { _ in SwiftLogNoOpLogHandler() }),
        _ body: (PostgresBackend) async throws -> Result
    ) async throws -> Result {
        try await with(try PostgresConfiguration(url: url), retryPolicy: retryPolicy, logger: logger, body)
    }

    // MARK: Start-up

    /// Connects once, checks the server and migrates; returns `server_version_num`.
    static func prepare(_ configuration: PostgresConfiguration, logger: Logger) async throws -> Int {
        let connection: PostgresConnection
        do {
            let tls: PostgresConnection.Configuration.TLS =
                switch configuration.tls {
                case .disable: .disable
                case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
                case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
                }
            connection = try await PostgresConnection.connect(
                configuration: .init(
                    host: configuration.host, port: configuration.port, username: configuration.user,
                    password: configuration.password, database: configuration.database, tls: tls),
                id: 0, logger: logger)
        } catch {
            throw PostgresErrors.startup(error, configuration)
        }
        do {
            let version = try await checkServer(connection, configuration, logger: logger)
            try await PostgresMigrations.migrate(connection, configuration, logger: logger)
            try? await connection.close()
            return version
        } catch {
            try? await connection.close()
            if error is PostgresError { throw error }
            throw PostgresErrors.startup(error, configuration)
        }
    }

    private static func checkServer(
        _ connection: PostgresConnection, _ configuration: PostgresConfiguration, logger: Logger
    ) async throws -> Int {
        let rows = try await connection.query(
            "SELECT current_setting('server_version_num')::int, current_setting('server_version'), current_setting('server_encoding')",
            logger: logger)
        var result: (Int, String, String)?
        for try await row in rows { result = try row.decode((Int, String, String).self) }
        guard let (number, version, encoding) = result else {
            throw PostgresError(.server, "the server did not report its version", server: configuration.description)
        }
        try check(versionNumber: number, version: version, encoding: encoding, configuration)
        return number
    }

    /// Throws ``PostgresError/Code/unsupportedServer`` for a server older than ``minimumServerVersion`` or a
    /// database that is not UTF-8.
    static func check(versionNumber: Int, version: String, encoding: String, _ configuration: PostgresConfiguration) throws {
        guard versionNumber >= minimumServerVersion else {
            throw PostgresError(
                .unsupportedServer, "PostgreSQL \(version) is too old: MicroPostgres needs \(minimumServerVersion / 10_000) or later",
                server: configuration.description)
        }
        guard encoding == "UTF8" else {
            throw PostgresError(
                .unsupportedServer, "database encoding is \(encoding): MicroPostgres needs UTF8 (keys are UTF-8 text)",
                server: configuration.description)
        }
    }

    private static func clientTLS(_ mode: PostgresConfiguration.TLSMode) -> PostgresClient.Configuration.TLS {
        switch mode {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
    }
}
