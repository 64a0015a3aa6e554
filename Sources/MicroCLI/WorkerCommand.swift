import ArgumentParser
import Foundation
import Micro
import MicroAgent
import MicroHarness

/// `micro worker`: one worker of a pool sharing a store, taking up runs submitted with `micro run --submit` (or
/// left by a worker that died) under leases.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Take up and drive pending runs from a shared store, as one worker of a pool.",
        discussion: """
            Polls the store for runs that are running and not leased (submitted with `micro run SCENARIO --submit \
            --store sqlite:PATH`, or left by a worker whose lease expired), wins a run's lease, drives it and renews \
            the lease every third of its length while it does. Of workers racing for a run one wins; a run whose \
            worker dies is taken over once its lease expires. With a scenario the runs are driven in its world \
            (services, agents, models) on real time; without one, with the catalogue's agents.
            """
    )

    @Argument(help: "A scenario file whose world drives the runs (default: the catalogue's agents).") var scenario: String?
    @Option(help: "The shared store: sqlite:PATH or memory://.", transform: parseStore) var store: StoreOption
    @Option(help: "Lease length in milliseconds (a dead worker's run waits this long before it is taken over).")
    var leaseMs: Int = 5000
    @Option(help: "Milliseconds between looks at the store when there was nothing to take.") var pollMs: Int = 200
    @Option(help: "Runs driven at once (the catalogue's agents; a scenario's worker drives one at a time).") var concurrency: Int = 1
    @Option(help: "The lease owner name (default: micro-worker@HOST:PID).") var owner: String?
    @Flag(help: "Exit once no run in the store is still running, instead of waiting for more.") var exitWhenDone = false
    @Option(help: "Override the scenario's seed.") var seed: UInt64?
    @Option(help: ArgumentHelp("SIGKILL this process right after its N-th checkpoint commit.", visibility: .hidden))
    var killAtCheckpoint: Int?
    @Option(help: ArgumentHelp("SIGKILL this process right after its N-th service call returns.", visibility: .hidden))
    var killAtTool: Int?
    @Option(help: ArgumentHelp("Kill only if this process is the first to create FILE (one kill per pool).", visibility: .hidden))
    var killOnce: String?

    func validate() throws {
        if leaseMs < 30 { throw ValidationError("--lease-ms must be at least 30") }
        if pollMs < 1 { throw ValidationError("--poll-ms must be at least 1") }
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        // A scenario's worker restarts its world for each run it takes, so it drives one run at a time.
        if scenario != nil && concurrency > 1 { throw ValidationError("--concurrency applies to the catalogue's agents; a scenario's worker drives one run at a time") }
    }

    func run() async throws {
        let console = Console.current
        let owner = owner ?? "micro-worker@\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
        let lease = Duration.milliseconds(leaseMs), heartbeat = Duration.milliseconds(max(10, leaseMs / 3))
        let checkpoints = Counter(), toolCalls = Counter()
        let killAtCheckpoint = killAtCheckpoint, killAtTool = killAtTool, killOnce = killOnce
        let onCheckpoint: @Sendable (Checkpoint) async throws -> Void = { checkpoint in
            if checkpoints.increment() == killAtCheckpoint, Self.claimKill(killOnce) {
                RunCommand.die("after checkpoint \(checkpoint.sequence) of \(checkpoint.runID) at \(checkpoint.juncture)")
            }
        }
        let onEvent: @Sendable (RunWorker.Event) async -> Void = { event in
            switch event {
            case .claimed(let runID): console.err("\(owner): took run \(runID)")
            case .ended(let runID, let result): console.err("\(owner): run \(runID) \(AgentWorld.describe(result))")
            case .crashed(let runID, let error): console.err("\(owner): run \(runID) crashed (taken up again when its lease expires): \(error)")
            case .skipped(let runID, let error): console.err("\(owner): run \(runID) left to other workers: \(error)")
            }
        }
        let worker: RunWorker
        if let scenario {
            var loaded: Scenario
            do {
                loaded = try Scenario.load(file: scenario, catalog: CLICatalog.current)
            } catch {
                console.err("error: \(error)")
                throw ExitCode(2)
            }
            if let seed { loaded.seed = seed }
            if let why = ScenarioWorker.unsupported(loaded) { throw ValidationError("\(scenario) cannot run on workers: \(why)") }
            let world = try await World(
                loaded, storage: store.worldStorage,
                afterToolCall: { tool in
                    if toolCalls.increment() == killAtTool, Self.claimKill(killOnce) {
                        RunCommand.die("after service call \(killAtTool ?? 0) (\(tool)) returned, before its result was committed")
                    }
                }, liveTime: true)
            worker = ScenarioWorker.worker(
                in: world, owner: owner, lease: lease, heartbeat: heartbeat, pollInterval: .milliseconds(pollMs),
                exitWhenDone: exitWhenDone, onCheckpoint: onCheckpoint, onEvent: onEvent)
        } else {
            let environment = Environment.live
            let checkpointer = try store.openCheckpointer()
            let runtime = try await AgentWorld.catalogRuntime(db: store.sqlitePath)
            let agents = try AgentWorld.catalogAgents(on: runtime)
            worker = RunWorker(
                checkpointer: checkpointer, owner: owner, leaseDuration: lease, pollInterval: .milliseconds(pollMs),
                concurrency: concurrency, environment: environment, exitWhenDone: exitWhenDone,
                makeRunner: { _ in
                    AgentRunner(
                        runtime: runtime, checkpointer: checkpointer, agents: agents, owner: owner, leaseDuration: lease,
                        onCheckpoint: onCheckpoint, heartbeat: heartbeat)
                },
                onEvent: onEvent)
        }
        console.err("\(owner): working on \(store) (lease \(leaseMs) ms)")
        let driven = try await worker.run()
        console.err("\(owner): \(driven) run(s) driven; nothing left")
    }

    /// Whether this process may die now: always without a token file, else only if it creates the file first.
    static func claimKill(_ token: String?) -> Bool {
        guard let token else { return true }
        let descriptor = open(token, O_CREAT | O_EXCL | O_WRONLY, 0o644)
        guard descriptor >= 0 else { return false }
        close(descriptor)
        return true
    }
}
