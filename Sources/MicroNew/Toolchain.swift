import Foundation
import MicroHarness
import Synchronization

/// How one toolchain command ended: its exit code (nil when killed), whether the timeout killed it, and
/// its standard output and error together.
public struct ToolchainRun: Sendable, Hashable {
    public var exitCode: Int32?
    public var timedOut: Bool
    public var output: String

    public init(exitCode: Int32?, timedOut: Bool = false, output: String) {
        self.exitCode = exitCode
        self.timedOut = timedOut
        self.output = output
    }

    public var succeeded: Bool { exitCode == 0 && !timedOut }
}

/// What builds and tests the generated package. ``SwiftToolchain`` runs the real `swift`; tests script it.
public protocol Toolchain: Sendable {
    /// `swift build` in `directory`, killed after `timeout` (real time: a live process).
    func build(packageAt directory: String, timeout: Duration) async throws -> ToolchainRun
    /// `swift run EXECUTABLE test Scenarios` in `directory`, killed after `timeout`.
    func runScenarios(packageAt directory: String, executable: String, timeout: Duration) async throws -> ToolchainRun
}

/// The `swift` on `PATH`, run as a child process with its output in files (never a pipe that could fill).
public struct SwiftToolchain: Toolchain {
    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    public func build(packageAt directory: String, timeout: Duration) async throws -> ToolchainRun {
        try await run(["swift", "build"], in: directory, timeout: timeout)
    }

    public func runScenarios(packageAt directory: String, executable: String, timeout: Duration) async throws -> ToolchainRun {
        try await run(["swift", "run", executable, "test", "Scenarios"], in: directory, timeout: timeout)
    }

    func run(_ command: [String], in directory: String, timeout: Duration) async throws -> ToolchainRun {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("micro-new-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let process = ExternalProcess(
            command: command, environment: environment, directory: directory, standardOutput: folder + "/out",
            standardError: folder + "/err", timeout: timeout)
        let termination = try await process.run(started: { _ in })
        let output = [folder + "/out", folder + "/err"].compactMap { FileManager.default.contents(atPath: $0) }
            .map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
        switch termination {
        case .exited(let code): return ToolchainRun(exitCode: code, output: output)
        case .signalled: return ToolchainRun(exitCode: nil, output: output)
        case .timedOut: return ToolchainRun(exitCode: nil, timedOut: true, output: output)
        }
    }
}

/// A toolchain that adds up the real time its commands take, so that a generation's time can be told
/// apart from its builds' (for the figures; never fed to the model).
public final class TimedToolchain: Toolchain {
    public let base: any Toolchain
    private let spent = Mutex((build: Duration.zero, scenarios: Duration.zero))

    public init(_ base: any Toolchain) { self.base = base }

    /// Time spent in `swift build` and in scenario runs so far.
    public var time: (build: Duration, scenarios: Duration) { spent.withLock { ($0.build, $0.scenarios) } }

    public func build(packageAt directory: String, timeout: Duration) async throws -> ToolchainRun {
        let start = ContinuousClock.now
        defer { spent.withLock { $0.build += ContinuousClock.now - start } }
        return try await base.build(packageAt: directory, timeout: timeout)
    }

    public func runScenarios(packageAt directory: String, executable: String, timeout: Duration) async throws -> ToolchainRun {
        let start = ContinuousClock.now
        defer { spent.withLock { $0.scenarios += ContinuousClock.now - start } }
        return try await base.runScenarios(packageAt: directory, executable: executable, timeout: timeout)
    }
}
