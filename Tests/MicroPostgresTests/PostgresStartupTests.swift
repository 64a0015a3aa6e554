import Micro
import MicroPostgres
import Testing

/// Start-up failures are typed errors that name the server and never its password.
@Suite struct PostgresStartupTests {
    /// Nothing listens on a port that was just free: `unreachable`, naming the URL without the password.
    @Test func downServerIsUnreachableNamingTheURL() async throws {
        let port = try await PostgresTestServer.freePort()
        let url = "postgres://micro:hunter2@127.0.0.1:\(port)/db?sslmode=disable"
        let error = try await #require(throws: PostgresError.self) {
            try await PostgresBackend.with(url: url) { _ in }
        }
        #expect(error.code == .unreachable)
        #expect(error.message.contains("postgres://micro@127.0.0.1:\(port)/db"), "\(error.message)")
        #expect(!"\(error)".contains("hunter2"))
    }

    @Test func malformedURLIsTyped() async throws {
        let error = try await #require(throws: PostgresError.self) {
            try await PostgresBackend.with(url: "postgres://micro:hunter2@127.0.0.1:70000/db") { _ in }
        }
        #expect(error.code == .invalidURL)
        #expect(!"\(error)".contains("hunter2"))
    }
}

extension PostgresServerTests {
    /// Start-up against a real server: authentication, missing databases, schema versions.
    @Suite struct PostgresServerStartupTests {
        @Test(.enabled(if: PostgresTestServer.externalURL == nil, "needs the throwaway cluster's known password"))
        func wrongPasswordIsAuthenticationFailed() async throws {
            var configuration = try PostgresTestServer.required().admin
            configuration.password = "wrong-hunter2"
            let error = try await #require(throws: PostgresError.self) {
                try await PostgresBackend.with(configuration) { _ in }
            }
            #expect(error.code == .authenticationFailed, "\(error)")
            #expect(error.message.contains(configuration.description))
            #expect(!"\(error)".contains("wrong-hunter2"))
        }

        @Test func missingDatabaseIsDatabaseNotFound() async throws {
            var configuration = try PostgresTestServer.required().admin
            configuration.database = "micro_no_such_database"
            let error = try await #require(throws: PostgresError.self) {
                try await PostgresBackend.with(configuration) { _ in }
            }
            #expect(error.code == .databaseNotFound, "\(error)")
            #expect(error.message.contains("micro_no_such_database"))
        }

        @Test func migrationsAreVersionedAndIdempotent() async throws {
            try await PostgresTestServer.required().withDatabase { configuration in
                for _ in 0..<2 {
                    try await PostgresBackend.with(configuration) { backend in
                        let store = PostgresStore(backend: backend)
                        try await store.namespace().write("k", bytes: [1])
                    }
                }
                try await PostgresBackend.with(configuration) { backend in
                    let versions = try await backend.schemaVersions()
                    #expect(versions == [1, 2])
                    #expect(try await PostgresStore(backend: backend).namespace().read("k")?.value == [1])
                }
            }
        }

        @Test func newerSchemaIsRefused() async throws {
            try await PostgresTestServer.required().withDatabase { configuration in
                try await PostgresBackend.with(configuration) { _ in }
                let server = try PostgresTestServer.required()
                var admin = server.admin
                admin.database = configuration.database
                try await PostgresTestServer(admin: admin).adminQuery(
                    "INSERT INTO micro_schema_migrations (version, name) VALUES (99, 'from the future')", inAdminDatabase: false)
                let error = try await #require(throws: PostgresError.self) {
                    try await PostgresBackend.with(configuration) { _ in }
                }
                #expect(error.code == .schemaTooNew, "\(error)")
                #expect(error.message.contains("99"))
            }
        }
    }
}
