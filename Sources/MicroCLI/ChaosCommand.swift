import ArgumentParser
import Foundation
import MicroHarness
import Synchronization

/// `micro chaos`: kill-and-resume runs of a scenario's workflow, checked against an uninterrupted run.
struct ChaosCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos",
        abstract: "Kill a scenario's workflow process at junctures, resume it, and prove it ends like an uninterrupted run.",
        discussion: """
            Runs `micro run SCENARIO --db FILE` in child processes: first uninterrupted (the reference), then \
            once per kill point, killed with SIGKILL there and restarted with --resume until it completes. \
            Each trial must end with the same status and output, each side effect exactly once, and no \
            checkpoint lost. Exits 1 on any violation and prints how to reproduce it.
            """
    )

    @Argument(help: "The scenario file.") var scenario: String
    @Flag(help: "Kill once at every checkpoint of the reference run and after every service call before its commit.")
    var everyJuncture = false
    @Option(help: "Kill at this many seeded random points, between junctures too.") var kills: Int?
    @Option(help: "Seed of the scenario and of the random kill points.") var seed: UInt64 = 1
    @Option(help: "Trials run at the same time.") var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: ArgumentHelp("The micro executable for the child processes (default: this one).", visibility: .hidden))
    var micro: String?
    @Option(help: "Run the workflow on N worker processes sharing the store (micro worker), killing and replacing workers.")
    var workers: Int?
    @Option(help: "With --workers: the backends the workers share, comma-separated (sqlite; postgres, nats and etcd are not wired yet).")
    var backends: String = "sqlite"
    @Option(help: ArgumentHelp("With --workers: the workers' lease in milliseconds.", visibility: .hidden))
    var leaseMs: Int = 1000
    @Option(help: ArgumentHelp("With --workers: a trial whose workers have not all exited by then has a stuck run.", visibility: .hidden))
    var trialTimeoutMs: Int = 120_000

    func validate() throws {
        if everyJuncture == (kills != nil) { throw ValidationError("give exactly one of --every-juncture and --kills N") }
        if let kills, kills < 1 { throw ValidationError("--kills must be at least 1") }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
        if workers != nil { try ChaosBackends(parsing: backends).requireWired() }
    }

    func run() async throws {
        let loaded: Scenario
        do {
            loaded = try Scenario.load(file: scenario, catalog: CLICatalog.current)
        } catch {
            Console.current.err("error: \(error)")
            throw ExitCode(2)
        }
        if let workers { return try await runWorkers(loaded, workers: workers) }
        if ExternalChaos.applies(to: loaded) { return try await runExternal(loaded) }
        let work = try Self.workDirectory()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let chaos = ChaosRun(
            microPath: micro ?? Self.executablePath, scenarioPath: scenario,
            selection: everyJuncture ? .everyJuncture : .random(kills: kills ?? 1), seed: seed, jobs: max(1, jobs),
            workDirectory: work)
        try await drive(chaos, on: "") { trial in
            "  reproduce: \(CLICatalog.commandName) run \(scenario) --seed \(seed) --db /tmp/chaos.sqlite \(trial.point.arguments.joined(separator: " ")) ; "
                + "\(CLICatalog.commandName) run \(scenario) --seed \(seed) --db /tmp/chaos.sqlite --resume"
        }
    }

    /// `--workers N`: the run on a pool of worker processes sharing one SQLite file; workers are killed and replaced.
    func runWorkers(_ loaded: Scenario, workers: Int) async throws {
        let console = Console.current
        let backends = try ChaosBackends(parsing: backends)
        if let why = ScenarioWorker.unsupported(loaded) {
            console.err("error: \(scenario) cannot run on workers: \(why)")
            throw ExitCode(2)
        }
        let work = try Self.workDirectory()
        defer { try? FileManager.default.removeItem(atPath: work) }
        var chaos = WorkerChaos(
            microPath: micro ?? Self.executablePath, scenarioPath: scenario, runID: loaded.run.runID,
            selection: everyJuncture ? .everyJuncture : .random(kills: kills ?? 1), seed: seed, jobs: max(1, jobs),
            workers: workers, workDirectory: work)
        chaos.lease = .milliseconds(leaseMs)
        chaos.trialTimeout = .milliseconds(trialTimeoutMs)
        try await drive(chaos, on: " on \(workers) worker(s) sharing \(backends)") { trial in
            "  reproduce: \(CLICatalog.commandName) chaos \(scenario) \(selectionArgument) --workers \(workers) --seed \(seed) (the trial \(trial.point))"
        }
    }

    /// How the trials were chosen, as the command line gives it (a reproduce line must parse).
    var selectionArgument: String { everyJuncture ? "--every-juncture" : "--kills \(kills ?? 1)" }

    /// A fresh folder for a chaos run's files (the caller removes it).
    static func workDirectory() throws -> String {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("micro-chaos-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        return work
    }

    /// The reference run, its kill points, the trials with a progress bar and the report; `on` ends the
    /// reference line (where the trials run).
    func drive(_ chaos: some ProcessChaos, on: String, reproduce: (ChaosTrial) -> String) async throws {
        let started = ContinuousClock.now
        let reference = try await chaos.reference()
        let points = chaos.points(reference: reference)
        Console.current.err(
            "reference: \(reference.status), \(reference.processCheckpoints) junctures, \(reference.processToolCalls) service calls, "
                + "\(reference.effects.count) side effects; \(points.count) trial(s)\(on)")
        let bar = ProgressBar(total: points.count, enabled: Terminal.isInteractive(standardOutput: false))
        let trials = await chaos.trials(points, reference: reference) { bar.update($0) }
        bar.finish()
        try report(trials, started: started, reproduce: reproduce)
    }

    /// An external agent: the world runs here and the agent is the child that gets killed.
    func runExternal(_ loaded: Scenario) async throws {
        let console = Console.current
        let chaos = ExternalChaos(
            scenario: loaded, selection: everyJuncture ? .everyJuncture : .random(kills: kills ?? 1), seed: seed, jobs: max(1, jobs))
        let started = ContinuousClock.now
        let reference = try await chaos.reference()
        let points = chaos.points(reference: reference)
        console.err(
            "reference: \(reference.result?.status.rawValue ?? "error"), \(reference.trace.count { $0.kind == .modelRequest }) model requests, "
                + "\(reference.trace.count { $0.kind == .toolCall }) tool calls, \(reference.record.sideEffects.count) side effects; "
                + "\(points.count) trial(s)")
        let bar = ProgressBar(total: points.count, enabled: Terminal.isInteractive(standardOutput: false))
        let trials = await chaos.trials(points, reference: reference) { bar.update($0) }
        bar.finish()
        try report(trials, started: started) { trial in "  reproduce: \(CLICatalog.commandName) chaos \(scenario) \(selectionArgument) --seed \(seed) (the trial \(trial.point))" }
    }

    /// Prints the table and the tally; exits 1 with each violation and how to reproduce it.
    func report(_ trials: [ChaosTrial], started: ContinuousClock.Instant, reproduce: (ChaosTrial) -> String) throws {
        let console = Console.current
        let elapsed = ContinuousClock.now - started
        console.out(Self.table(trials))
        let failed = trials.filter { !$0.violations.isEmpty }
        let cycles = trials.filter(\.killed).count
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        console.out(
            "\(trials.count) trial(s), \(cycles) kill-and-resume cycle(s), \(failed.count) with violations, "
                + String(format: "%.1f s (%.1f cycles/s)", seconds, Double(cycles) / max(seconds, 0.001)))
        guard failed.isEmpty else {
            for trial in failed {
                console.err("violation (seed \(seed), kill \(trial.point)):")
                for violation in trial.violations { console.err("  - \(violation)") }
                console.err(reproduce(trial))
            }
            throw ExitCode(1)
        }
    }

    static func table(_ trials: [ChaosTrial]) -> String {
        var lines = ["kill point                                   killed  processes  result"]
        for trial in trials {
            let point = trial.point.description.padding(toLength: 44, withPad: " ", startingAt: 0)
            let result = trial.violations.isEmpty ? "ok" : "VIOLATION: " + trial.violations.joined(separator: "; ")
            lines.append("\(point) \(trial.killed ? "yes   " : "no    ")  \(String(trial.processes).padding(toLength: 9, withPad: " ", startingAt: 0))  \(result)")
        }
        return lines.joined(separator: "\n")
    }

    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}

/// `--backends`: the engines a multi-worker chaos run shares. Only `sqlite` (one SQLite file for the store and
/// the checkpoints) is wired; `postgres`, `nats` and `etcd` parse, and ``requireWired()`` refuses them by name.
struct ChaosBackends: Sendable, Hashable, CustomStringConvertible {
    static let known = ["sqlite", "postgres", "nats", "etcd"]
    static let wired: Set<String> = ["sqlite"]
    var names: [String]

    init(parsing text: String) throws {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw ValidationError("--backends is empty; use \(Self.known.joined(separator: ","))") }
        for name in names where !Self.known.contains(name) {
            throw ValidationError("--backends: unknown backend \(name); known: \(Self.known.joined(separator: ", "))")
        }
        self.names = names
    }

    /// Throws for a backend that multi-worker chaos cannot run on yet.
    func requireWired() throws {
        let missing = names.filter { !Self.wired.contains($0) }
        guard missing.isEmpty else {
            throw ValidationError("--backends: \(missing.joined(separator: ", ")) not wired into multi-worker chaos yet; only sqlite runs")
        }
    }

    var description: String { names.joined(separator: ",") }
}

/// A one-line progress bar on standard error, for terminals.
final class ProgressBar: Sendable {
    let total: Int
    let enabled: Bool

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled
    }

    func update(_ done: Int) {
        guard enabled, total > 0 else { return }
        let width = 30
        let filled = done * width / total
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        FileHandle.standardError.write(Data("\r\(bar) \(done)/\(total)".utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
