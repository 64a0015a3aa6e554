import Foundation
import MicroNATS
import NIOCore
import NIOPosix
import Testing

/// A `nats-server` child process on a loopback port, for tests; absent binary → tests are skipped.
final class NATSServerProcess {
    /// The `nats-server` executable found on PATH, if any.
    static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let candidates = path.split(separator: ":").map { "\($0)/nats-server" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
    static var isAvailable: Bool { executable != nil }
    static let skipReason: Comment = "nats-server is not on PATH (apt-get install nats-server): NATS tests skipped"

    let port: Int
    private let process: Process

    var url: String { "nats://127.0.0.1:\(port)" }

    private init(port: Int, process: Process) {
        self.port = port
        self.process = process
    }

    /// Runs `body` with a fresh server on a free port and stops it afterwards.
    static func with<R>(arguments: [String] = [], _ body: (NATSServerProcess) async throws -> R) async throws -> R {
        let server = try await startOnFreePort(arguments: arguments)
        defer { server.stop() }
        return try await body(server)
    }

    /// Starts a server on a port that was free a moment ago; when another process took that port meanwhile
    /// (other engines' tests pick ports the same way, in parallel), tries a new one.
    static func startOnFreePort(arguments: [String] = []) async throws -> NATSServerProcess {
        var lastError: ServerError?
        for _ in 0..<5 {
            do {
                return try await start(port: freePort(), arguments: arguments)
            } catch let error as ServerError where error.portTaken {
                lastError = error
            }
        }
        throw lastError ?? ServerError(description: "no free port for nats-server")
    }

    /// Starts a server on `port` and waits (bounded) until it accepts connections and greets with `INFO`
    /// (a port that accepts but does not speak NATS belongs to another process: ``ServerError/portTaken``).
    static func start(port: Int, arguments: [String] = []) async throws -> NATSServerProcess {
        guard let executable else { throw ServerError(description: "nats-server not found") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-a", "127.0.0.1", "-p", "\(port)"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let server = NATSServerProcess(port: port, process: process)
        for _ in 0..<500 {
            if await accepts(port: port) {
                if Self.greetsWithINFO(port: port) && process.isRunning { return server }
                server.stop()
                throw ServerError(description: "port \(port) is served by another process, not this nats-server", portTaken: true)
            }
            guard process.isRunning else { throw ServerError(description: "nats-server exited with \(process.terminationStatus)") }
            try await Task.sleep(for: .milliseconds(10))
        }
        server.stop()
        throw ServerError(description: "nats-server did not listen on \(port) within 5 s")
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// A client configuration for `url` whose handshake may take long: a loaded machine (a parallel test run
    /// starting other engines) must not fail a test that is not about timeouts.
    static func configuration(_ url: String) throws -> NATSConfiguration {
        var configuration = try NATSConfiguration(url)
        configuration.connectTimeout = .seconds(30)
        return configuration
    }

    /// A loopback port that was free a moment ago.
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }

    private static func accepts(port: Int) async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port).get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }

    /// Whether the listener on `port` greets a new connection with NATS's `INFO` line (2 s at most).
    private static func greetsWithINFO(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { return false }
        var buffer = [UInt8](repeating: 0, count: 5)
        let count = recv(fd, &buffer, 5, Int32(MSG_WAITALL))
        return count == 5 && buffer == Array("INFO ".utf8)
    }

    struct ServerError: Error, CustomStringConvertible {
        var description: String
        /// The port answered, but not as this nats-server (another process took it).
        var portTaken = false
    }
}

/// Waits until `condition` holds, checking every few milliseconds, for at most `seconds`.
func poll(upTo seconds: Int = 10, _ what: String, until condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while !condition() {
        guard ContinuousClock.now < deadline else { throw NATSServerProcess.ServerError(description: "timed out: \(what)") }
        try await Task.sleep(for: .milliseconds(5))
    }
}
