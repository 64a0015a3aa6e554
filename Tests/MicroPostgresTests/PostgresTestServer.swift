import Foundation
import Logging
import MicroPostgres
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization
import Testing

/// A PostgreSQL server for tests: `MICRO_POSTGRES_URL` when set (a role that may create databases), or
/// else a throwaway cluster made with Debian's `initdb` in a temporary directory, started with `pg_ctl` on
/// a free loopback port and stopped (and deleted) when the suite ends. As root, `initdb` and `postgres`
/// refuse to run, so they run as the `postgres` user that Debian's package creates (`runuser`).
///
/// Each test gets a fresh database of its own (``withDatabase(_:)``), so suites run in parallel.
struct PostgresTestServer: Sendable {
    /// The role every throwaway cluster is made with, and its password (SCRAM over TCP).
    static let user = "micro"
    static let password = "micro-test-secret"

    /// The server the running suite was given by ``PostgresServerTrait``.
    @TaskLocal static var current: PostgresTestServer?

    /// An existing server to use instead of starting one.
    static var externalURL: String? {
        ProcessInfo.processInfo.environment["MICRO_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The directory with `initdb`, `pg_ctl` and `postgres`: `MICRO_POSTGRES_BIN`, else the newest
    /// `/usr/lib/postgresql/*/bin` (Debian's layout).
    static let binDirectory: String? = {
        let fileManager = FileManager.default
        let root = "/usr/lib/postgresql"
        let versions = ((try? fileManager.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        let candidates = ProcessInfo.processInfo.environment["MICRO_POSTGRES_BIN"].map { [$0] }
            ?? versions.reversed().map { "\(root)/\($0)/bin" }
        return candidates.first { fileManager.isExecutableFile(atPath: "\($0)/initdb") && fileManager.isExecutableFile(atPath: "\($0)/pg_ctl") }
    }()

    static var isAvailable: Bool { externalURL != nil || binDirectory != nil }
    static let skipReason: Comment = """
        no PostgreSQL: neither MICRO_POSTGRES_URL nor initdb/pg_ctl under /usr/lib/postgresql/*/bin \
        (apt-get install postgresql): PostgreSQL tests skipped
        """

    /// Connects as a role that may create databases, to the `postgres` database (or the external URL's).
    let admin: PostgresConfiguration
    private static let databaseCounter = Atomic<Int>(0)

    /// Runs `body` with a fresh, empty database on this server, dropped afterwards.
    func withDatabase<R>(_ body: (PostgresConfiguration) async throws -> R) async throws -> R {
        let name = "micro_test_\(ProcessInfo.processInfo.processIdentifier)_\(Self.databaseCounter.add(1, ordering: .relaxed).newValue)"
        try await adminQuery("CREATE DATABASE \"\(name)\" ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0")
        var configuration = admin
        configuration.database = name
        do {
            let result = try await body(configuration)
            try await adminQuery("DROP DATABASE \"\(name)\" WITH (FORCE)")
            return result
        } catch {
            try? await adminQuery("DROP DATABASE \"\(name)\" WITH (FORCE)")
            throw error
        }
    }

    /// Runs `body` with an open backend on a fresh database.
    func withBackend<R: Sendable>(
        retryPolicy: PostgresRetryPolicy = PostgresRetryPolicy(), _ body: (PostgresBackend) async throws -> R
    ) async throws -> R {
        try await withDatabase { configuration in
            try await PostgresBackend.with(configuration, retryPolicy: retryPolicy, body)
        }
    }

    /// Runs one statement as the admin role, in the admin database or in the configuration's own.
    func adminQuery(_ sql: String, inAdminDatabase: Bool = true) async throws {
        var configuration = admin
        if inAdminDatabase, Self.externalURL == nil { configuration.database = "postgres" }
        let connection = try await PostgresConnection.connect(
            configuration: .init(
                host: configuration.host, port: configuration.port, username: configuration.user,
                password: configuration.password, database: configuration.database, tls: .disable),
            id: 1, logger: Logger(label: "MicroPostgresTests"))
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "MicroPostgresTests"))
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }

    // MARK: A throwaway cluster

    /// Starts a cluster (or takes `MICRO_POSTGRES_URL`), runs `body` with it, and stops it.
    static func with<R>(_ body: (PostgresTestServer) async throws -> R) async throws -> R {
        if let externalURL {
            return try await body(PostgresTestServer(admin: try PostgresConfiguration(url: externalURL)))
        }
        let cluster = try await Cluster.start()
        defer { cluster.stop() }
        return try await body(PostgresTestServer(admin: cluster.admin))
    }

    /// Runs `body` with a cluster of its own (one it may stop and start), stopped and deleted afterwards.
    static func withOwnCluster<R>(_ body: (Cluster, PostgresTestServer) async throws -> R) async throws -> R {
        let cluster = try await Cluster.start()
        defer { cluster.stop() }
        return try await body(cluster, PostgresTestServer(admin: cluster.admin))
    }

    static var canStartClusters: Bool { binDirectory != nil }
    static let clusterSkipReason: Comment = "no initdb/pg_ctl under /usr/lib/postgresql/*/bin (apt-get install postgresql): restart tests skipped"

    /// A cluster in a temporary directory, run by `pg_ctl`.
    struct Cluster {
        let directory: String
        let port: Int
        var data: String { directory + "/data" }

        static func start() async throws -> Cluster {
            guard let bin = binDirectory else { throw Failure("initdb not found") }
            let directory = try makeTemporaryDirectory()
            let cluster = Cluster(directory: directory, port: try await freePort())
            do {
                try password.write(toFile: directory + "/pwfile", atomically: true, encoding: .utf8)
                if getuid() == 0 { try run("/bin/chown", ["-R", "postgres:postgres", directory]) }
                try cluster.asServerUser("\(bin)/initdb", [
                    "-D", cluster.data, "-U", user, "--pwfile=\(directory)/pwfile", "--auth-local=trust",
                    "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync",
                ])
                try cluster.asServerUser("\(bin)/pg_ctl", [
                    "-D", cluster.data, "-l", "\(directory)/server.log", "-w", "-t", "60", "start", "-o",
                    "-p \(cluster.port) -h 127.0.0.1 -k \(directory) -c fsync=off -c max_connections=400",
                ])
                return cluster
            } catch {
                let log = (try? String(contentsOfFile: "\(directory)/server.log", encoding: .utf8)) ?? ""
                try? FileManager.default.removeItem(atPath: directory)
                throw Failure("cannot start PostgreSQL: \(error)\n\(log)")
            }
        }

        /// Stops the server (`pg_ctl stop -m fast`: every session is ended), keeping its data.
        func halt() throws {
            guard let bin = binDirectory else { throw Failure("pg_ctl not found") }
            try asServerUser("\(bin)/pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"])
        }

        /// Starts a halted server again on the same port and data.
        func resume() throws {
            guard let bin = binDirectory else { throw Failure("pg_ctl not found") }
            try asServerUser("\(bin)/pg_ctl", [
                "-D", data, "-l", "\(directory)/server.log", "-w", "-t", "60", "start", "-o",
                "-p \(port) -h 127.0.0.1 -k \(directory) -c fsync=off -c max_connections=400",
            ])
        }

        /// The admin configuration of this cluster.
        var admin: PostgresConfiguration {
            PostgresConfiguration(host: "127.0.0.1", port: port, user: user, password: password, database: "postgres", tls: .disable)
        }

        /// Stops the server at once (no checkpoint: the data is thrown away) and deletes the directory.
        func stop() {
            if let bin = binDirectory { try? asServerUser("\(bin)/pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]) }
            try? FileManager.default.removeItem(atPath: directory)
        }

        /// Runs `executable` as the `postgres` user when we are root (PostgreSQL refuses root), else as ourselves.
        private func asServerUser(_ executable: String, _ arguments: [String]) throws {
            if getuid() == 0 {
                try run("/usr/sbin/runuser", ["-u", "postgres", "--", executable] + arguments)
            } else {
                try run(executable, arguments)
            }
        }

        private static func makeTemporaryDirectory() throws -> String {
            // /tmp, not TMPDIR: the postgres user must be able to reach it when we run as root.
            var template = Array("/tmp/micro-pg-XXXXXX".utf8CString)
            guard let path = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
                throw Failure("mkdtemp failed: errno \(errno)")
            }
            return String(cString: path)
        }
    }

    /// Runs a program to completion (`posix_spawn` + `waitpid`); throws with its output if it fails. Not
    /// Foundation's `Process`: its wait never returns when the program leaves a daemon behind (`pg_ctl start`).
    /// The output goes to a file, not a pipe, which the daemon would hold open.
    static func run(_ executable: String, _ arguments: [String]) throws {
        let log = "/tmp/micro-pg-\(getpid())-\(logCounter.add(1, ordering: .relaxed).newValue).log"
        defer { unlink(log) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw Failure("cannot start \(executable): errno \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exited = status & 0x7F == 0
        let code = (status >> 8) & 0xFF
        guard exited, code == 0 else {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw Failure("\(executable) \(arguments.joined(separator: " ")) failed (status \(status)): \(text)")
        }
    }

    private static let logCounter = Atomic<Int>(0)

    /// A loopback port that was free a moment ago.
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

/// Gives a suite one PostgreSQL server (``PostgresTestServer/current``) for all its tests.
struct PostgresServerTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        guard PostgresTestServer.isAvailable, PostgresTestServer.current == nil else { return try await function() }
        try await PostgresTestServer.with { server in
            try await PostgresTestServer.$current.withValue(server) { try await function() }
        }
    }
}

extension Trait where Self == PostgresServerTrait {
    /// One PostgreSQL server for the suite (see ``PostgresTestServer``).
    static var postgresServer: Self { PostgresServerTrait() }
}

extension PostgresTestServer {
    /// The suite's server; fails the test if the suite has none.
    static func required() throws -> PostgresTestServer {
        try #require(current, "the suite needs the .postgresServer trait")
    }
}
