import ArgumentParser
import Foundation
import Micro
import MicroAgent
import MicroHarness
import MicroSQLite

/// `micro run`: runs one scenario's workflow, optionally on a SQLite file that survives the process (the
/// child process of `micro chaos`).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one scenario's workflow (the process that micro chaos kills and restarts).",
        discussion: """
            With --db the store and the checkpoints live in that SQLite file, so a killed run can be continued \
            by a new process with --resume. The virtual clock of a resumed process starts after the last \
            checkpoint and lease of the dead one.
            """
    )

    @Argument(help: "The scenario file.") var scenario: String
    @Option(help: "SQLite file for the store and checkpoints (default: in memory).") var db: String?
    @Option(help: "The store and checkpoints as a URL: sqlite:PATH (as --db PATH) or memory://.", transform: parseStore)
    var store: StoreOption?
    @Flag(help: "Only record the run in the shared --store, for `micro worker` processes to drive, and exit.")
    var submit = false
    @Flag(help: "Continue the run from its checkpoints in --db.") var resume = false
    @Option(help: "Write the Trace (canonical JSON lines) to this file.") var trace: String?
    @Option(help: "Write a canonical JSON summary (status, output, ledger, checkpoints) to this file.") var summary: String?
    @Option(help: "Write the run record (Trace and end-of-run facts, canonical JSON) to this file, for micro check.")
    var saveRecord: String?
    @Option(help: "Override the scenario's seed.") var seed: UInt64?
    @Option(help: "SIGKILL this process right after its N-th checkpoint commit.") var killAtCheckpoint: Int?
    @Option(help: "SIGKILL this process right after its N-th service call returns, before the result is committed.")
    var killAtTool: Int?

    func run() async throws {
        let console = Console.current
        var scenario: Scenario
        do {
            scenario = try Scenario.load(file: self.scenario, catalog: CLICatalog.current)
        } catch {
            console.err("error: \(error)")
            throw ExitCode(2)
        }
        if let seed { scenario.seed = seed }
        if db != nil && store != nil { throw ValidationError("give --db or --store, not both") }
        let db = db ?? store?.sqlitePath
        if submit { return try await submit(scenario, db: db) }
        if resume && db == nil { throw ValidationError("--resume needs --db") }
        var startingAt: Timestamp?
        if resume, let db { startingAt = try await Self.resumeTime(db: db) }
        let checkpoints = Counter(), toolCalls = Counter()
        let killAtCheckpoint = killAtCheckpoint, killAtTool = killAtTool
        let world = try await World(
            scenario, storage: db.map { .sqlite(path: $0) } ?? .inMemory, startingAt: startingAt,
            afterToolCall: { tool in
                let count = toolCalls.increment()
                if count == killAtTool { Self.die("after service call \(count) (\(tool)) returned, before its result was committed") }
            })
        let outcome = await ScenarioRunner.run(
            in: world, resume: resume, owner: "micro-run-\(ProcessInfo.processInfo.processIdentifier)",
            onCheckpoint: { checkpoint in
                let count = checkpoints.increment()
                if count == killAtCheckpoint {
                    Self.die("after checkpoint \(checkpoint.sequence) of \(checkpoint.runID) at \(checkpoint.juncture)")
                }
            })
        if let trace { try outcome.traceText.write(toFile: trace, atomically: true, encoding: .utf8) }
        if let saveRecord { try outcome.record.jsonText().write(toFile: saveRecord, atomically: true, encoding: .utf8) }
        if !outcome.record.factErrors.isEmpty {
            console.err("error: \(outcome.record.factErrors.joined(separator: "; "))")
            throw ExitCode(1)
        }
        if let summary {
            try ChaosSummary(record: outcome.record).json.canonicalString().write(toFile: summary, atomically: true, encoding: .utf8)
        }
        if let error = outcome.error {
            console.err("error: \(error)")
            throw ExitCode(1)
        }
        if let result = outcome.result { console.out(AgentWorld.describe(result)) }
    }

    /// `--submit`: records the scenario's run, undriven, in the shared store (on real time, as the workers run).
    func submit(_ scenario: Scenario, db: String?) async throws {
        guard let db, store?.isShared ?? true else { throw ValidationError("--submit needs a shared store: --store sqlite:PATH") }
        if resume || killAtCheckpoint != nil || killAtTool != nil { throw ValidationError("--submit cannot be combined with --resume or --kill-at-…") }
        if let why = ScenarioWorker.unsupported(scenario) { throw ValidationError("\(self.scenario) cannot run on workers: \(why)") }
        let world = try await World(scenario, storage: .sqlite(path: db), liveTime: true)
        let runID = try await ScenarioWorker.submit(in: world)
        Console.current.out("submitted run \(runID) (agent \(scenario.run.agent)) to sqlite:\(db)")
    }

    /// After the dead process's last checkpoint and the expiry of its leases.
    static func resumeTime(db: String) async throws -> Timestamp? {
        guard FileManager.default.fileExists(atPath: db) else { return nil }
        let runs = try await SQLiteCheckpointer(path: db).runs()
        let latest = runs.flatMap { [$0.updatedAt] + ($0.lease.map { [$0.expiresAt] } ?? []) }.max()
        return latest?.advanced(by: .seconds(1))
    }

    static func die(_ why: String) -> Never {
        Console.current.err("killing this process (SIGKILL) \(why)")
        kill(getpid(), SIGKILL)
        fatalError("SIGKILL did not stop the process")
    }
}
