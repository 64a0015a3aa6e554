import Foundation
import Micro
import MicroAgent
import MicroSQLite
import Synchronization

/// Chaos across worker processes sharing one store: each trial submits the scenario's run to a fresh SQLite file
/// (`micro run --submit`), starts ``workers`` worker processes on it (`micro worker --exit-when-done`), and kills
/// workers with SIGKILL: whichever worker reaches the trial's kill point first (a juncture, or a service call
/// before its commit) dies there, and at that moment one more live worker, chosen by the seed, is killed too.
/// Every dead worker is replaced by a new one. The run must then be taken over once the dead worker's lease
/// expires and end like the uninterrupted reference: same status and output, each side effect once, no
/// checkpoint lost, and no run left stuck (every worker exits within ``trialTimeout``).
public struct WorkerChaos: Sendable {
    public var microPath: String
    public var scenarioPath: String
    /// The scenario's run id (the run the trial checks).
    public var runID: String
    public var selection: ChaosRun.Selection
    public var seed: UInt64
    public var jobs: Int
    public var workers: Int
    public var workDirectory: String
    /// The workers' lease: how long a dead worker's run waits before it is taken over.
    public var lease: Duration = .seconds(1)
    /// Replacement workers a trial may start before it is reported as not finishing.
    public var maxReplacements = 8
    /// A trial whose workers have not all exited by then has a stuck run.
    public var trialTimeout: Duration = .seconds(120)

    public init(
        microPath: String, scenarioPath: String, runID: String, selection: ChaosRun.Selection, seed: UInt64, jobs: Int,
        workers: Int, workDirectory: String
    ) {
        self.microPath = microPath
        self.scenarioPath = scenarioPath
        self.runID = runID
        self.selection = selection
        self.seed = seed
        self.jobs = jobs
        self.workers = max(1, workers)
        self.workDirectory = workDirectory
    }

    /// The single-process driver the reference run and the kill points come from.
    var single: ChaosRun {
        ChaosRun(microPath: microPath, scenarioPath: scenarioPath, selection: selection, seed: seed, jobs: jobs, workDirectory: workDirectory)
    }

    /// The uninterrupted reference run (one process, as ``ChaosRun/reference()``).
    public func reference() async throws -> ChaosSummary { try await single.reference() }

    /// The kill points to try (as ``ChaosRun/points(reference:)``).
    public func points(reference: ChaosSummary) -> [KillPoint] { single.points(reference: reference) }

    /// Runs the trials `jobs` at a time; `progress` is called after each with how many are done.
    public func trials(
        _ points: [KillPoint], reference: ChaosSummary, progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) async -> [ChaosTrial] {
        await points.mapConcurrently(jobs: jobs, progress: progress) { index, point in
            await trial(point, number: index + 1, reference: reference)
        }
    }

    /// How a worker process ended.
    enum Event: Sendable {
        case ended(worker: Int, killed: Bool, status: Int32)
        case timedOut
    }

    /// One trial: submit, run the pool with its kills and replacements, then compare the run with the reference.
    func trial(_ point: KillPoint, number: Int, reference: ChaosSummary) async -> ChaosTrial {
        let name = "workers-\(number)"
        let db = path("\(name).sqlite"), token = path("\(name).kill")
        for file in [db, token] { ChaosRun.remove(file) }
        defer { for file in [db, token] { ChaosRun.remove(file) } }
        var violations: [String] = []
        var started = 0
        do {
            try await single.runChild(["run", scenarioPath, "--store", "sqlite:\(db)", "--submit", "--seed", String(seed)], name: "\(name)-submit")
            let (events, continuation) = AsyncStream.makeStream(of: Event.self)
            var live: [Int: Process] = [:]
            // A trial that ends on an error leaves no worker behind on the file its `defer` removes.
            defer { for process in live.values where process.isRunning { kill(process.processIdentifier, SIGKILL) } }
            let random = RandomSource.seeded(seed &+ UInt64(number))
            let workerArguments = [
                "worker", scenarioPath, "--store", "sqlite:\(db)", "--seed", String(seed), "--lease-ms",
                String(lease.milliseconds), "--exit-when-done",
            ]
            func start(killing: Bool) throws {
                let index = started
                started += 1
                var arguments = workerArguments + ["--owner", "\(name)-worker-\(index + 1)"]
                if killing { arguments += point.arguments + ["--kill-once", token] }
                live[index] = try startWorker(arguments, name: "\(name)-worker-\(index + 1)", index: index, events: continuation)
            }
            for _ in 0..<workers { try start(killing: true) }
            var randomKillDone = false
            var replacements = 0
            try await withThrowingTaskGroup(of: Void.self) { group in
                let timeout = trialTimeout
                group.addTask {
                    try await Task.sleep(for: timeout)
                    continuation.yield(.timedOut)
                }
                for await event in events {
                    switch event {
                    case .ended(let worker, let killed, let status):
                        live[worker] = nil
                        if killed {
                            if !randomKillDone, !live.isEmpty {
                                randomKillDone = true
                                let victims = live.keys.sorted()
                                let victim = victims[random.next(in: 0...(victims.count - 1))]
                                if let process = live[victim] { kill(process.processIdentifier, SIGKILL) }
                            }
                            if replacements < maxReplacements {
                                replacements += 1
                                try start(killing: false)
                            } else {
                                violations.append("workers were still being killed after \(maxReplacements) replacements")
                            }
                        } else if status != 0 {
                            let errors = (try? String(contentsOfFile: path("\(name)-worker-\(worker + 1).stderr"), encoding: .utf8)) ?? ""
                            violations.append("worker \(worker + 1) exited with status \(status): \(errors.suffix(1000))")
                        }
                    case .timedOut:
                        violations.append(
                            "run stuck: \(live.count) worker(s) still running after \(timeout) (the run never ended)")
                        for process in live.values { kill(process.processIdentifier, SIGKILL) }
                        live.removeAll()
                    }
                    if live.isEmpty { break }
                }
                group.cancelAll()
            }
            continuation.finish()
            let reached = FileManager.default.fileExists(atPath: token)
            violations += try await check(db: db, name: name, reference: reference)
            return ChaosTrial(point: point, killed: reached, processes: started, violations: violations)
        } catch {
            return ChaosTrial(point: point, killed: false, processes: started, violations: violations + ["\(error)"])
        }
    }

    /// The run in `db` after the pool stopped: finished, and its summary against the reference.
    func check(db: String, name: String, reference: ChaosSummary) async throws -> [String] {
        let checkpointer = try SQLiteCheckpointer(path: db)
        defer { try? checkpointer.close() }
        guard let latest = try await checkpointer.latest(runID: runID) else { return ["run \(runID) lost: no checkpoint in the store"] }
        if latest.state.status == .running {
            let lease = try await checkpointer.runs().first { $0.runID == runID }?.lease
            return [
                "run stuck: \(runID) still running at \(latest.juncture) (sequence \(latest.sequence))"
                    + (lease.map { ", leased to \($0.owner) until \($0.expiresAt)" } ?? ", no lease"),
            ]
        }
        try? checkpointer.close()
        let summaryPath = path("\(name).summary.json")
        defer { try? FileManager.default.removeItem(atPath: summaryPath) }
        try await single.runChild(
            ["run", scenarioPath, "--db", db, "--resume", "--summary", summaryPath, "--seed", String(seed)], name: "\(name)-summary")
        let summary = try ChaosSummary(json: JSONValue(parsing: String(contentsOfFile: summaryPath, encoding: .utf8)))
        return summary.violations(against: reference)
    }

    /// Starts one worker; its end is yielded to `events`.
    func startWorker(_ arguments: [String], name: String, index: Int, events: AsyncStream<Event>.Continuation) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: microPath)
        process.arguments = arguments
        let errorsPath = path("\(name).stderr")
        _ = FileManager.default.createFile(atPath: errorsPath, contents: nil)
        guard let errors = FileHandle(forWritingAtPath: errorsPath) else { throw ChaosError("cannot write \(errorsPath)") }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        process.terminationHandler = { process in
            try? errors.close()
            let killed = process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL
            events.yield(.ended(worker: index, killed: killed, status: process.terminationStatus))
        }
        do {
            try process.run()
        } catch {
            throw ChaosError("cannot start \(microPath) \(arguments.joined(separator: " ")): \(error)")
        }
        return process
    }

    private func path(_ name: String) -> String { (workDirectory as NSString).appendingPathComponent(name) }
}
