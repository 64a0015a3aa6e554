import Foundation
import MicroProviders
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// An `etcd` child process on free loopback ports with a temporary data directory, for tests. An absent
/// binary skips the tests that need it; `MICRO_ETCD_URL` names an existing server to use instead.
///
/// Started with `posix_spawn` and reaped with `waitpid(WNOHANG)` between short sleeps, not with Foundation's
/// `Process`: its `waitUntilExit()` blocks a cooperative thread on a run loop and, on Linux, now and then
/// never returns (the suite hung about once in 14 runs; with 2 cores two such waits stall every test).
final class EtcdServerProcess {
    /// The `etcd` executable found on PATH, if any.
    static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/etcd" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
    /// An existing server's URL from `MICRO_ETCD_URL`.
    static let existingURL: String? = ProcessInfo.processInfo.environment["MICRO_ETCD_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static var isAvailable: Bool { executable != nil || existingURL != nil }
    static var canStartServers: Bool { executable != nil }
    static let skipReason: Comment =
        "etcd is not on PATH (apt-get install etcd-server) and MICRO_ETCD_URL is unset: etcd tests skipped"
    static let startSkipReason: Comment = "etcd is not on PATH (apt-get install etcd-server): tests that restart etcd skipped"

    let clientPort: Int
    let peerPort: Int
    let dataDirectory: URL
    private var pid: pid_t?

    var url: String { "http://127.0.0.1:\(clientPort)" }

    private init(clientPort: Int, peerPort: Int, dataDirectory: URL) {
        self.clientPort = clientPort
        self.peerPort = peerPort
        self.dataDirectory = dataDirectory
    }

    /// Runs `body` with the URL of a server: `MICRO_ETCD_URL` when set (unless `ownServer`), else a fresh one,
    /// stopped and deleted afterwards.
    static func with<R>(ownServer: Bool = false, _ body: (String, EtcdServerProcess?) async throws -> R) async throws -> R {
        if !ownServer, let existingURL { return try await body(existingURL, nil) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("micro-etcd-\(UUID().uuidString)")
        var server = EtcdServerProcess(clientPort: try freePort(), peerPort: try freePort(), dataDirectory: directory)
        // A port that was free a moment ago may be taken by the time etcd binds it (parallel tests, other
        // processes' connections): etcd then exits at once, and a second pair of ports is tried.
        for _ in 0..<2 {
            do {
                try await server.start()
                break
            } catch let error as ServerError where error.exited {
                try? FileManager.default.removeItem(at: directory)
                server = EtcdServerProcess(clientPort: try freePort(), peerPort: try freePort(), dataDirectory: directory)
            }
        }
        do {
            if server.pid == nil { try await server.start() }
            let result = try await body(server.url, server)
            await server.stop()
            try? FileManager.default.removeItem(at: directory)
            return result
        } catch {
            await server.stop()
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// Starts (or restarts, on the same ports and data) the server and waits (bounded) until it answers.
    func start() async throws {
        guard let executable = Self.executable else { throw ServerError(description: "etcd not found") }
        let peer = "http://127.0.0.1:\(peerPort)"
        let arguments = [
            executable, "--name", "micro-test", "--data-dir", dataDirectory.path,
            "--listen-client-urls", url, "--advertise-client-urls", url,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", "micro-test=\(peer)", "--log-level", "error",
        ]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw ServerError(description: "cannot start etcd: errno \(spawned)") }
        pid = child
        let transport = CurlTransport(configuration: .init(connectTimeout: .milliseconds(200)))
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let response = try? await transport.send(HTTPRequest(method: "GET", url: url + "/health", timeout: .seconds(1))),
               response.status == 200, let body = try? await response.collectBody(),
               String(decoding: body, as: UTF8.self).contains("true") {
                return
            }
            if let status = reap() { throw ServerError(description: "etcd exited with status \(status)", exited: true) }
            try await Task.sleep(for: .milliseconds(20))
        }
        await stop()
        throw ServerError(description: "etcd did not become healthy on \(url) within 20 s")
    }

    /// Stops the server (SIGTERM, then SIGKILL after 10 s) and waits for it to exit, without blocking a thread.
    func stop() async {
        guard let pid else { return }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(10)
        while reap() == nil {
            if ContinuousClock.now > deadline { kill(pid, SIGKILL) }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// The child's wait status if it has exited (and is now reaped), else nil.
    private func reap() -> Int32? {
        guard let child = pid else { return 0 }
        var status: Int32 = 0
        let result = waitpid(child, &status, WNOHANG)
        if result == child || (result == -1 && errno == ECHILD) {
            pid = nil
            return status
        }
        return nil
    }

    /// A loopback port that was free a moment ago.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ServerError(description: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw ServerError(description: "bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    struct ServerError: Error, CustomStringConvertible {
        var description: String
        /// etcd started and exited (a port taken meanwhile, most often).
        var exited = false
    }
}
