import Logging
import PostgresNIO

/// The versioned schema: numbered migrations recorded in `micro_schema_migrations`, applied in one
/// transaction at start-up under an advisory lock (so processes starting together migrate once).
enum PostgresMigrations {
    struct Migration: Sendable {
        let version: Int
        let name: String
        let sql: [String]
    }

    /// Every migration, in order. Never edit a released one: append a new version.
    static let all: [Migration] = [
        Migration(version: 1, name: "store", sql: [
            // COLLATE "C": keys compare as their UTF-8 bytes, as the Store contract requires.
            """
            CREATE TABLE micro_store (
                namespace TEXT COLLATE "C" NOT NULL,
                key TEXT COLLATE "C" NOT NULL,
                value BYTEA NOT NULL,
                metadata TEXT NOT NULL DEFAULT '{}',
                expires_at BIGINT,
                PRIMARY KEY (namespace, key)
            )
            """,
            "CREATE INDEX micro_store_expiry ON micro_store (expires_at) WHERE expires_at IS NOT NULL",
        ]),
        Migration(version: 2, name: "checkpoints", sql: [
            """
            CREATE TABLE micro_checkpoints (
                run_id TEXT COLLATE "C" NOT NULL,
                sequence BIGINT NOT NULL CHECK (sequence >= 1),
                juncture TEXT NOT NULL,
                at BIGINT NOT NULL,
                agent TEXT NOT NULL,
                parent_run_id TEXT,
                status TEXT NOT NULL,
                step BIGINT NOT NULL,
                state BYTEA NOT NULL,
                PRIMARY KEY (run_id, sequence)
            )
            """,
            """
            CREATE TABLE micro_leases (
                run_id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
                owner TEXT NOT NULL,
                expires_at BIGINT NOT NULL
            )
            """,
        ]),
    ]

    /// The newest schema version this library knows.
    static var latestVersion: Int { all.last?.version ?? 0 }

    /// An arbitrary constant naming the migration advisory lock ("micro" in ASCII).
    static let lockKey: Int64 = 0x6D_69_63_72_6F

    /// Brings the schema to ``latestVersion`` in one transaction; throws ``PostgresError/Code/schemaTooNew``
    /// if the database was migrated by a newer library, ``PostgresError/Code/migrationFailed`` if a step fails.
    static func migrate(_ connection: PostgresConnection, _ configuration: PostgresConfiguration, logger: Logger) async throws {
        do {
            try await connection.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
                try await connection.query("""
                    CREATE TABLE IF NOT EXISTS micro_schema_migrations (
                        version INT PRIMARY KEY,
                        name TEXT NOT NULL,
                        applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                    )
                    """, logger: logger)
                var current = 0
                for try await (version) in try await connection.query(
                    "SELECT coalesce(max(version), 0) FROM micro_schema_migrations", logger: logger
                ).decode(Int.self) {
                    current = version
                }
                if current > latestVersion {
                    throw PostgresError(
                        .schemaTooNew,
                        "the database schema is at version \(current), newer than this library's \(latestVersion): upgrade Micro",
                        server: configuration.description)
                }
                for migration in all where migration.version > current {
                    for statement in migration.sql {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query(
                        "INSERT INTO micro_schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                        logger: logger)
                }
            }
        } catch let error as PostgresError {
            throw error
        } catch let error as PostgresTransactionError {
            if let closure = error.closureError as? PostgresError { throw closure }
            throw PostgresError(
                .migrationFailed, "cannot migrate the schema to version \(latestVersion): \(PostgresErrors.summary(error))",
                server: configuration.description, underlying: error)
        } catch {
            throw PostgresError(
                .migrationFailed, "cannot migrate the schema to version \(latestVersion): \(PostgresErrors.summary(error))",
                server: configuration.description, underlying: error)
        }
    }
}
