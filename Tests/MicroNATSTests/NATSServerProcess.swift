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
        let server = try await start(port: freePort(), arguments: arguments)
        defer { server.stop() }
        return try await body(server)
    }

    /// Starts a server on `port` and waits (bounded) until it accepts connections.
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
            if await accepts(port: port) { return server }
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

    /// A loopback port that was free a moment ago.
    /// A client configuration for `url` whose handshake may take long: a loaded machine (a parallel test run
    /// starting other engines) must not fail a test that is not about timeouts.
    static func configuration(_ url: String) throws -> NATSConfiguration {
        var configuration = try NATSConfiguration(url)
        configuration.connectTimeout = .seconds(30)
        return configuration
    }

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

    struct ServerError: Error, CustomStringConvertible {
        var description: String
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
