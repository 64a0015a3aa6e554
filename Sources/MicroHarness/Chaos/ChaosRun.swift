import Foundation
import Micro

/// Where a chaos trial kills the workflow process.
public enum KillPoint: Sendable, Hashable, CustomStringConvertible {
    /// Right after the process's n-th checkpoint commit (a juncture).
    case checkpoint(Int)
    /// Right after the process's n-th service call returned, before its result is committed (between junctures).
    case tool(Int)
    /// An external agent, when its n-th model request or tool call reaches the world.
    case external(ExternalKillPoint)

    public var description: String {
        switch self {
        case .checkpoint(let n): "after checkpoint \(n)"
        case .tool(let n): "after service call \(n), before its commit"
        case .external(let point): point.description
        }
    }

    /// The `micro run` flags that kill there.
    public var arguments: [String] {
        switch self {
        case .checkpoint(let n): ["--kill-at-checkpoint", String(n)]
        case .tool(let n): ["--kill-at-tool", String(n)]
        case .external: []
        }
    }
}

/// One kill-and-resume trial and what it found.
public struct ChaosTrial: Sendable, Hashable {
    public var point: KillPoint
    /// Whether the first process was really killed there (a point past the end of the run is not reached).
    public var killed: Bool
    /// Processes started to finish the run, the killed one included.
    public var processes: Int
    public var violations: [String]
}

/// Kills a scenario's workflow process (`micro run`) at junctures and between them, restarts it with
/// `--resume` until it completes, and checks parity with an uninterrupted reference run: same end, each
/// side effect exactly once, no checkpoint lost.
public struct ChaosRun: Sendable {
    public enum Selection: Sendable, Hashable {
        /// Every checkpoint of the reference run, and every point between a service call's return and the
        /// commit of its result (where a non-idempotent service gets called twice).
        case everyJuncture
        /// This many seeded random points among checkpoints and service calls.
        case random(kills: Int)
    }

    /// The `micro` executable that runs the workflow.
    public var microPath: String
    public var scenarioPath: String
    public var selection: Selection
    public var seed: UInt64
    public var jobs: Int
    /// Where the trials' SQLite files go.
    public var workDirectory: String
    /// How many restarts a trial may need before it is reported as not finishing.
    public var maxRestarts = 5

    public init(
        microPath: String, scenarioPath: String, selection: Selection, seed: UInt64, jobs: Int, workDirectory: String
    ) {
        self.microPath = microPath
        self.scenarioPath = scenarioPath
        self.selection = selection
        self.seed = seed
        self.jobs = jobs
        self.workDirectory = workDirectory
    }

    /// The uninterrupted reference run's summary.
    public func reference() async throws -> ChaosSummary {
        let db = path("reference.sqlite")
        try? FileManager.default.removeItem(atPath: db)
        let (summary, _) = try await runProcess(db: db, resume: false, kill: nil, name: "reference")
        guard let summary else { throw ChaosError("the reference run of \(scenarioPath) did not finish") }
        return summary
    }

    /// The kill points to try, given the reference run.
    public func points(reference: ChaosSummary) -> [KillPoint] {
        switch selection {
        case .everyJuncture:
            return (1...max(1, reference.processCheckpoints)).map(KillPoint.checkpoint)
                + (0..<reference.processToolCalls).map { KillPoint.tool($0 + 1) }
        case .random(let kills):
            let random = RandomSource.seeded(seed)
            let total = reference.processCheckpoints + reference.processToolCalls
            return (0..<kills).map { _ in
                let pick = random.next(in: 1...max(1, total))
                return pick <= reference.processCheckpoints ? .checkpoint(pick) : .tool(pick - reference.processCheckpoints)
            }
        }
    }

    /// Runs the trials `jobs` at a time; `progress` is called after each with how many are done.
    public func trials(
        _ points: [KillPoint], reference: ChaosSummary, progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) async -> [ChaosTrial] {
        await points.mapConcurrently(jobs: jobs, progress: progress) { index, point in
            await trial(point, number: index + 1, reference: reference)
        }
    }

    /// One trial: kill at `point`, then resume until the run finishes, and compare.
    func trial(_ point: KillPoint, number: Int, reference: ChaosSummary) async -> ChaosTrial {
        let db = path("trial-\(number).sqlite")
        try? FileManager.default.removeItem(atPath: db)
        defer { Self.remove(db) }
        var processes = 1
        do {
            let (first, killed) = try await runProcess(db: db, resume: false, kill: point, name: "trial-\(number)")
            var summary = first
            while summary == nil {
                guard processes <= maxRestarts else {
                    return ChaosTrial(point: point, killed: killed, processes: processes, violations: [
                        "the run did not finish after \(maxRestarts) restarts",
                    ])
                }
                processes += 1
                let (resumed, _) = try await runProcess(db: db, resume: true, kill: nil, name: "trial-\(number)-\(processes)")
                summary = resumed
            }
            return ChaosTrial(
                point: point, killed: killed, processes: processes, violations: summary!.violations(against: reference))
        } catch {
            return ChaosTrial(point: point, killed: false, processes: processes, violations: ["\(error)"])
        }
    }

    /// Runs `micro run` once. Returns its summary, or nil when it was killed (SIGKILL).
    func runProcess(db: String, resume: Bool, kill: KillPoint?, name: String) async throws -> (ChaosSummary?, Bool) {
        let summaryPath = path("\(name).summary.json")
        try? FileManager.default.removeItem(atPath: summaryPath)
        defer { try? FileManager.default.removeItem(atPath: summaryPath) }
        var arguments = ["run", scenarioPath, "--db", db, "--summary", summaryPath, "--seed", String(seed)]
        if resume { arguments.append("--resume") }
        if let kill { arguments += kill.arguments }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: microPath)
        process.arguments = arguments
        // The child's standard error goes to a file (a pipe could fill up and block it).
        let errorsPath = path("\(name).stderr")
        _ = FileManager.default.createFile(atPath: errorsPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errorsPath) }
        guard let errors = FileHandle(forWritingAtPath: errorsPath) else {
            throw ChaosError("cannot write \(errorsPath)")
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        let (reason, status) = try await Self.run(process)
        try? errors.close()
        let stderr = (try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? ""
        if reason == .uncaughtSignal && status == SIGKILL { return (nil, true) }
        guard reason == .exit, status == 0 else {
            throw ChaosError(
                "micro \(arguments.joined(separator: " ")) ended with \(reason == .exit ? "exit code" : "signal") \(status): \(stderr.suffix(2000))")
        }
        let text = try String(contentsOfFile: summaryPath, encoding: .utf8)
        do {
            return (try ChaosSummary(json: JSONValue(parsing: text)), false)
        } catch {
            throw ChaosError("the summary \(summaryPath) is not valid: \(error)")
        }
    }

    /// Runs `micro ARGUMENTS` to its end; throws with its standard error unless it exits 0.
    func runChild(_ arguments: [String], name: String) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: microPath)
        process.arguments = arguments
        let errorsPath = path("\(name).stderr")
        _ = FileManager.default.createFile(atPath: errorsPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errorsPath) }
        guard let errors = FileHandle(forWritingAtPath: errorsPath) else { throw ChaosError("cannot write \(errorsPath)") }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        let (reason, status) = try await Self.run(process)
        try? errors.close()
        guard reason == .exit, status == 0 else {
            let stderr = (try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? ""
            throw ChaosError(
                "micro \(arguments.joined(separator: " ")) ended with \(reason == .exit ? "exit code" : "signal") \(status): \(stderr.suffix(2000))")
        }
    }

    /// Starts `process` and waits for it without blocking a thread of the concurrency pool.
    static func run(_ process: Process) async throws -> (Process.TerminationReason, Int32) {
        try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { process in
                continuation.resume(returning: (process.terminationReason, process.terminationStatus))
            }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: ChaosError("cannot start \(process.executableURL?.path ?? "micro"): \(error)"))
            }
        }
    }

    private func path(_ name: String) -> String { (workDirectory as NSString).appendingPathComponent(name) }

    static func remove(_ db: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
    }
}
