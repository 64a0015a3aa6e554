import Logging
import Micro
import MicroAgent
import MicroPostgres
import PostgresNIO
import Testing

extension PostgresServerTests {
    /// Losing the server's connections mid-run is a retried fault, not a lost or doubled write.
    @Suite struct PostgresReconnectTests {
        // Disabled: with postgres-nio 1.33.2 a call sometimes never returns after the server ends the pool's
        // idle connections (seen about one run in five, with no client connection left open). Kept to
        // reproduce it; commitKilledMidStatementIsRetried covers the retry path deterministically.
        @Test(.disabled("intermittently hangs inside postgres-nio's pool after pg_terminate_backend"))
        func callsSurviveTheServerDroppingEveryConnection() async throws {
            let server = try PostgresTestServer.required()
            try await server.withDatabase { configuration in
                try await PostgresBackend.with(configuration) { backend in
                    let checkpointer = PostgresCheckpointer(backend: backend)
                    let store = PostgresStore(backend: backend).namespace()
                    let lease = try await checkpointer.acquireLease(
                        runID: "r", owner: "w", duration: .seconds(60), now: PostgresServerTests.PostgresFencingTests.at(0))
                    for sequence in 1...6 {
                        // The server ends every session on this database (as a restart or a failover would).
                        var admin = server.admin
                        admin.database = configuration.database
                        try await PostgresTestServer(admin: admin).adminQuery(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(configuration.database)' AND pid <> pg_backend_pid()",
                            inAdminDatabase: true)
                        try await checkpointer.commit(PostgresServerTests.PostgresFencingTests.checkpoint("r", sequence, at: 1), lease: lease)
                        #expect(try await store.writeIfAbsent(StoreRecord(key: "effect-\(sequence)", value: [UInt8(sequence)])))
                    }
                    #expect(try await checkpointer.history(runID: "r").map(\.sequence) == Array(1...6))
                    #expect(try await store.keys().count == 6)
                }
            }
        }

        /// The server ends the very session a commit is running on, mid-statement: the commit is retried on a
        /// new connection and lands once; with retries off the same fault surfaces as a `storage` error.
        @Test(arguments: [6, 1])
        func commitKilledMidStatementIsRetried(attempts: Int) async throws {
            let server = try PostgresTestServer.required()
            try await server.withDatabase { configuration in
                try await PostgresBackend.with(configuration, retryPolicy: PostgresRetryPolicy(attempts: attempts)) { backend in
                    let checkpointer = PostgresCheckpointer(backend: backend)
                    try await checkpointer.commit(PostgresServerTests.PostgresFencingTests.checkpoint("r", 1, at: 1), lease: nil)
                    let logger = Logger(label: "MicroPostgresTests")
                    let admin = try await PostgresConnection.connect(
                        configuration: .init(
                            host: configuration.host, port: configuration.port, username: configuration.user,
                            password: configuration.password, database: configuration.database, tls: .disable),
                        id: 2, logger: logger)
                    // Hold a lock the commit will wait for, so it is surely mid-statement when its session is ended.
                    try await admin.query("BEGIN", logger: logger)
                    try await admin.query("LOCK TABLE micro_checkpoints IN ACCESS EXCLUSIVE MODE", logger: logger)
                    async let committed = outcome {
                        try await checkpointer.commit(PostgresServerTests.PostgresFencingTests.checkpoint("r", 2, at: 2), lease: nil)
                    }
                    var terminated = 0
                    for _ in 0..<500 where terminated == 0 {
                        let rows = try await admin.query(
                            "SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
                            logger: logger)
                        for try await count in rows.decode(Int.self) { terminated = count }
                        if terminated == 0 { try await Task.sleep(for: .milliseconds(10)) }
                    }
                    try await admin.query("COMMIT", logger: logger)
                    try await admin.close()
                    #expect(terminated == 1)
                    let result = await committed
                    if attempts > 1 {
                        #expect(throws: Never.self) { try result.get() }
                        #expect(try await checkpointer.history(runID: "r").map(\.sequence) == [1, 2])
                    } else {
                        // Without retries the fault surfaces, typed (the pool may still hand out the dead connection
                        // once more, so nothing else is asked of this backend).
                        #expect((result.failure as? CheckpointError)?.code == .storage, "\(result)")
                    }
                }
            }
        }
    }
}
