import Logging
import Micro
import MicroAgent
import MicroPostgres
import PostgresNIO
import Testing

extension PostgresServerTests {
    /// Losing the server's connections mid-run is a retried fault, not a lost or doubled write, and never a hang.
    @Suite struct PostgresReconnectTests {
        typealias Fencing = PostgresServerTests.PostgresFencingTests

        /// The server ends every session of the database (as a failover would) before each call, twenty times:
        /// the pool still holds those connections as idle and leases them out; each call must land once.
        /// (With postgres-nio's `PostgresClient.query` this hung about one run in five: the statement was
        /// written to a channel NIO had already torn down. See PostgresBackend+Query.swift.)
        @Test func callsSurviveTheServerDroppingEveryConnection() async throws {
            let server = try PostgresTestServer.required()
            try await server.withDatabase { configuration in
                try await PostgresBackend.with(configuration) { backend in
                    let checkpointer = PostgresCheckpointer(backend: backend)
                    let store = PostgresStore(backend: backend).namespace()
                    let lease = try await checkpointer.acquireLease(runID: "r", owner: "w", duration: .seconds(60), now: Fencing.at(0))
                    var admin = server.admin
                    admin.database = configuration.database
                    let adminServer = PostgresTestServer(admin: admin)
                    for sequence in 1...20 {
                        try await adminServer.adminQuery(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(configuration.database)' AND pid <> pg_backend_pid()",
                            inAdminDatabase: true)
                        try await checkpointer.commit(Fencing.checkpoint("r", sequence, at: 1), lease: lease)
                        #expect(try await store.writeIfAbsent(StoreRecord(key: "effect-\(sequence)", value: [UInt8(sequence)])))
                    }
                    #expect(try await checkpointer.history(runID: "r").map(\.sequence) == Array(1...20))
                    #expect(try await store.keys().count == 20)
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
                    try await checkpointer.commit(Fencing.checkpoint("r", 1, at: 1), lease: nil)
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
                        try await checkpointer.commit(Fencing.checkpoint("r", 2, at: 2), lease: nil)
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
                        #expect((result.failure as? CheckpointError)?.code == .storage, "\(result)")
                    }
                }
            }
        }
    }
}

/// The server restarted under an open backend: calls while it is down fail with the typed retryable error
/// (never hang), and the next call once it is back succeeds on new connections.
@Suite(.enabled(if: PostgresTestServer.canStartClusters, PostgresTestServer.clusterSkipReason), .serialized, .timeLimit(.minutes(2)))
struct PostgresRestartTests {
    typealias Fencing = PostgresServerTests.PostgresFencingTests

    @Test func callsFailTypedWhileDownAndSucceedAfterARestart() async throws {
        try await PostgresTestServer.withOwnCluster { cluster, server in
            try await server.withDatabase { configuration in
                // While the server is down each call gives up after about 2 s (6 attempts of a 300 ms lease wait).
                let policy = PostgresRetryPolicy(
                    attempts: 6, initialDelay: .milliseconds(20), maximumDelay: .milliseconds(200), leaseTimeout: .milliseconds(300))
                try await PostgresBackend.with(configuration, retryPolicy: policy) { backend in
                    let checkpointer = PostgresCheckpointer(backend: backend)
                    let store = PostgresStore(backend: backend).namespace()
                    try await checkpointer.commit(Fencing.checkpoint("r", 1, at: 1), lease: nil)
                    try await store.write("before", bytes: [1])

                    try cluster.halt()
                    let commit = await outcome { try await checkpointer.commit(Fencing.checkpoint("r", 2, at: 2), lease: nil) }
                    #expect((commit.failure as? CheckpointError)?.code == .storage, "\(commit)")
                    let read = await outcome { try await store.read("before") }
                    #expect((read.failure as? StoreError)?.code == .unavailable, "\(read)")

                    try cluster.resume()
                    // Every pooled connection died with the old server; the next calls get new ones.
                    try await checkpointer.commit(Fencing.checkpoint("r", 2, at: 2), lease: nil)
                    #expect(try await store.read("before")?.value == [1])
                    #expect(try await checkpointer.history(runID: "r").map(\.sequence) == [1, 2])
                }
            }
        }
    }

    @Test func aRestartBetweenCallsIsInvisible() async throws {
        try await PostgresTestServer.withOwnCluster { cluster, server in
            try await server.withDatabase { configuration in
                try await PostgresBackend.with(configuration) { backend in
                    let store = PostgresStore(backend: backend).namespace()
                    for round in 0..<3 {
                        try await store.write("k\(round)", bytes: [UInt8(round)])
                        try cluster.halt()
                        try cluster.resume()
                    }
                    #expect(try await store.keys() == ["k0", "k1", "k2"])
                }
            }
        }
    }
}
