import Benchmark
import Foundation
import Micro
import MicroAgent
import MicroSQLite
import Synchronization

// Scale: many concurrent agents in one process, and runs completed by a pool of workers on one SQLite file.
// Run (from Benchmarks/): swift package --allow-writing-to-package-directory benchmark --target WorkerBenchmarks

struct Charge: Codable, Sendable { var amount: Int }
struct Receipt: Codable, Sendable { var occurrence: Int }

/// The agent every benchmark run drives: one tool call (a charge through the side-effect ledger), then an answer.
func payer() -> Agent {
    Agent(
        name: "payer", instructions: "Charge, then say so.",
        model: ScriptedModel(
            [.calls([ToolCall(id: "c1", name: "payments_charge", arguments: ["amount": 40])]), .answer("Charged 40.")],
            selection: .byAssistantTurns))
}

/// The payments service; `latency` keeps each call in flight that long (real time).
func payments(ledger: SideEffectLedger, latency: Duration?) -> Service {
    Service("payments") {
        Endpoint("charge", description: "Charges once per idempotency key") { (request: Charge, context: CallContext) in
            if let latency { try await context.environment.sleep(for: latency) }
            let effect = try await ledger.perform(
                key: context.idempotencyKey, kind: "payments.charge", payload: ["amount": .integer(request.amount)],
                at: context.environment.now())
            return Receipt(occurrence: effect.occurrence)
        }
    }
}

/// `agents` runs at once in one process, on live time: each one's tool call takes `latency`, so every run is in
/// flight together (state, lease, memory, trace, checkpoints held at the same time).
func concurrentAgents(_ agents: Int, latency: Duration) async throws {
    let environment = Environment.live
    let runtime = Runtime.inMemory(environment: environment)
    try await runtime.serve(payments(ledger: SideEffectLedger(store: runtime.store), latency: latency))
    let runner = AgentRunner(runtime: runtime, checkpointer: InMemoryCheckpointer(), agents: [payer()], owner: "bench")
    let completed = try await withThrowingTaskGroup(of: Bool.self) { group in
        for index in 0..<agents {
            group.addTask { try await runner.run("payer", input: "Charge 40.", runID: "run-\(index)").status == .completed }
        }
        return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
    }
    precondition(completed == agents, "only \(completed) of \(agents) runs completed")
}

/// Submits `runs` runs to a fresh SQLite file and lets `workers` workers (each with its own connections, runtime
/// and runner, as separate processes have) drive them all; returns when every run is done.
func pool(runs: Int, workers: Int) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("micro-pool-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let db = directory.appendingPathComponent("pool.sqlite").path
    let environment = Environment.live
    let submitter = AgentRunner(
        runtime: Runtime(
            environment: environment, registry: InMemoryRegistry(environment: environment), broker: InMemoryBroker(),
            store: try SQLiteStore(path: db, environment: environment)),
        checkpointer: try SQLiteCheckpointer(path: db), agents: [payer()], owner: "submitter")
    for index in 0..<runs { try await submitter.submit("payer", input: "Charge 40.", runID: "run-\(index)") }
    var pool: [RunWorker] = []
    for index in 0..<workers {
        let owner = "worker-\(index)"
        let store = try SQLiteStore(path: db, environment: environment)
        let checkpointer = try SQLiteCheckpointer(path: db)
        let runtime = Runtime(
            environment: environment, registry: InMemoryRegistry(environment: environment), broker: InMemoryBroker(), store: store)
        try await runtime.serve(payments(ledger: SideEffectLedger(store: store), latency: nil))
        let agents = [payer()]
        pool.append(RunWorker(
            checkpointer: checkpointer, owner: owner, leaseDuration: .seconds(10), pollInterval: .milliseconds(5),
            environment: environment, exitWhenDone: true,
            makeRunner: { _ in
                AgentRunner(
                    runtime: runtime, checkpointer: checkpointer, agents: agents, owner: owner, leaseDuration: .seconds(10),
                    heartbeat: .seconds(3))
            }))
    }
    let driven = try await withThrowingTaskGroup(of: Int.self) { group in
        for worker in pool { group.addTask { try await worker.run() } }
        return try await group.reduce(0, +)
    }
    precondition(driven >= runs, "the pool drove \(driven) of \(runs) runs")
}

let benchmarks: @Sendable () -> Void = {
    Benchmark(
        "10,000 concurrent agents in one process (scripted model, one 2 s tool call each, in-memory checkpoints)",
        configuration: .init(
            metrics: [.wallClock, .peakMemoryResident, .mallocCountTotal], timeUnits: .milliseconds, warmupIterations: 0,
            maxDuration: .seconds(60), maxIterations: 2)
    ) { _ in
        try await concurrentAgents(10_000, latency: .seconds(2))
    }

    for workers in [1, 2, 4] {
        Benchmark(
            "Pool of \(workers) worker(s) completing 200 submitted runs on one SQLite file (WAL)",
            configuration: .init(
                metrics: [.wallClock, .peakMemoryResident], timeUnits: .milliseconds, warmupIterations: 1,
                maxDuration: .seconds(30), maxIterations: 5)
        ) { _ in
            try await pool(runs: 200, workers: workers)
        }
    }
}
