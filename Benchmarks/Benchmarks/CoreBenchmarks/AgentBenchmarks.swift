import Benchmark
import Micro
import MicroAgent
import MicroSQLite
import Synchronization

// Agent step overhead and checkpoint commits.

struct NoopRequest: Codable, Sendable { var n: Int }

func registerAgentBenchmarks() {
    // The step overhead is the difference between runs of different lengths: (t(20) - t(10)) / 10.
    for steps in [1, 10, 20] {
        Benchmark("Agent run of \(steps) steps (scripted model, trivial tool, in-memory checkpoints)") { benchmark in
            let world = try await AgentBenchWorld.shared()
            for _ in benchmark.scaledIterations {
                let runner = world.runner(steps: steps)
                blackHole(try await runner.run("bench", input: "go"))
            }
        }
    }
    // The same on the SQLite checkpointer (one file shared by every sample, WAL): every juncture a durable
    // commit under the run's lease, as `micro run --db` and `micro a2a serve --db` do.
    for steps in [10, 20] {
        Benchmark("Agent run of \(steps) steps (scripted model, trivial tool, SQLite checkpoints)") { benchmark in
            let world = try await AgentBenchWorld.shared()
            let checkpointer = try CheckpointShared.agentCheckpointer.get()
            for _ in benchmark.scaledIterations {
                let runner = world.runner(steps: steps, checkpointer: checkpointer)
                blackHole(try await runner.run("bench", input: "go"))
            }
        }
    }

    let state = checkpointState(messages: 20)
    let bytes = state.canonicalJSON()

    let perCommit = Benchmark.Configuration(metrics: [.wallClock, .throughput], scalingFactor: .kilo, maxDuration: .seconds(3))

    Benchmark("SQLite bare insert+commit of a 20-message checkpoint (same bytes, WAL)", configuration: perCommit) { benchmark in
        try await bareCommits(try CheckpointShared.bare.get(), state: state, bytes: bytes, count: benchmark.scaledIterations.count)
    }

    Benchmark("SQLiteCheckpointer commit of a 20-message checkpoint (WAL)", configuration: perCommit) { benchmark in
        try await checkpointCommits(try CheckpointShared.checkpointer.get(), state: state, count: benchmark.scaledIterations.count)
    }

    // The real path: every commit a different state (the step moves, the latest message changes) and fenced by
    // the run's lease in the same statement. The bare baseline runs the same conditional INSERT (sequence
    // follows, lease still held) on the same schema with the states' bytes encoded beforehand; the
    // checkpointer encodes each state itself, so the encoding is part of its figure.
    let changing = ChangingStates(count: 64, messages: 20)
    Benchmark("SQLite bare fenced insert+commit of changing 20-message checkpoints (bytes encoded beforehand)", configuration: perCommit) { benchmark in
        try await bareFencedCommits(try CheckpointShared.fencedBare.get(), changing, count: benchmark.scaledIterations.count)
    }
    Benchmark("SQLiteCheckpointer commit of changing 20-message checkpoints under a lease (encoding included)", configuration: perCommit) { benchmark in
        let (checkpointer, lease) = try await CheckpointShared.leased()
        try await fencedCommits(checkpointer, lease: lease, changing, count: benchmark.scaledIterations.count)
    }
    Benchmark("RunState canonical encoding of changing 20-message checkpoints", configuration: perCommit) { benchmark in
        encodings(changing, count: benchmark.scaledIterations.count)
    }
}

/// `count` run states of `messages` messages that differ from one another, and their canonical bytes.
struct ChangingStates: Sendable {
    let states: [RunState]
    let bytes: [[UInt8]]

    init(count: Int, messages: Int) {
        states = (0..<count).map { index in
            var state = checkpointState(messages: messages)
            state.step += index
            state.memory.messages[messages - 1] = .assistant("Answer \(index): " + String(repeating: "changed ", count: index % 7 + 1))
            return state
        }
        bytes = states.map { $0.canonicalJSON() }
    }
}

nonisolated func bareFencedCommits(_ bare: BareSQLite, _ changing: ChangingStates, count: Int) async throws {
    for _ in 0..<count {
        let sequence = CheckpointShared.nextFencedBare()
        let index = sequence % changing.states.count
        let state = changing.states[index]
        try bare.insert([
            .text(CheckpointShared.fencedRun), .integer(Int64(sequence)), .text("before_model:\(state.step)"), .integer(Int64(sequence)),
            .text(state.agent), .null, .text(state.status.rawValue), .integer(Int64(state.step)), .blob(changing.bytes[index]),
            .text(CheckpointShared.leaseOwner), .integer(CheckpointShared.leaseExpiry),
        ])
        guard bare.changes == 1 else { throw BareSQLite.Failure(message: "the fenced insert was refused") }
    }
}

nonisolated func fencedCommits(_ checkpointer: SQLiteCheckpointer, lease: Lease, _ changing: ChangingStates, count: Int) async throws {
    for _ in 0..<count {
        let sequence = CheckpointShared.nextFencedCommit()
        let state = changing.states[sequence % changing.states.count]
        let checkpoint = Checkpoint(
            runID: lease.runID, sequence: sequence, juncture: .beforeModel(step: state.step), state: state,
            at: Timestamp(millisecondsSinceEpoch: Int64(sequence)))
        try await checkpointer.commit(checkpoint, lease: lease)
    }
}

nonisolated func encodings(_ changing: ChangingStates, count: Int) {
    for index in 0..<count { blackHole(changing.states[index % changing.states.count].canonicalJSON()) }
}

nonisolated func bareCommits(_ bare: BareSQLite, state: RunState, bytes: [UInt8], count: Int) async throws {
    for _ in 0..<count {
        try bare.insert([
            .text(state.runID), .integer(Int64(CheckpointShared.nextSequence())), .text("before_model:1"), .integer(0),
            .text(state.agent), .null, .text(state.status.rawValue), .integer(Int64(state.step)), .blob(bytes),
        ])
    }
}

nonisolated func checkpointCommits(_ checkpointer: SQLiteCheckpointer, state: RunState, count: Int) async throws {
    for _ in 0..<count {
        let checkpoint = Checkpoint(
            runID: state.runID, sequence: CheckpointShared.nextCommit(), juncture: .beforeModel(step: 1), state: state,
            at: Timestamp(millisecondsSinceEpoch: 0))
        try await checkpointer.commit(checkpoint, lease: nil)
    }
}

/// A run state holding `messages` messages of about 200 bytes each.
func checkpointState(messages count: Int) -> RunState {
    var state = RunState(runID: "bench-run", agent: "bench", startedAt: Timestamp(millisecondsSinceEpoch: 0))
    let filler = String(repeating: "lorem ipsum dolor sit amet ", count: 7)
    state.memory.messages = (0..<count).map { index -> Message in
        switch index % 3 {
        case 0: .user("Question \(index): \(filler)")
        case 1: Message(role: .assistant, parts: [
            .text("Looking it up."), .toolCall(ToolCall(id: "call-\(index)", name: "weather_forecast", arguments: ["city": "Lisbon", "note": .string(filler)])),
        ])
        default: Message(role: .tool, parts: [.toolResult(ToolResultPart(callID: "call-\(index - 1)", content: ["result": .string(filler)]))])
        }
    }
    state.step = count / 3
    return state
}

enum CheckpointShared {
    /// `SQLiteCheckpointer`'s checkpoint table and index.
    static let checkpointsTable = """
        CREATE TABLE IF NOT EXISTS micro_checkpoints (
            run_id TEXT NOT NULL, sequence INTEGER NOT NULL, juncture TEXT NOT NULL, at INTEGER NOT NULL,
            agent TEXT NOT NULL, parent_run_id TEXT, status TEXT NOT NULL, step INTEGER NOT NULL,
            state BLOB NOT NULL, PRIMARY KEY (run_id, sequence)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS micro_checkpoints_runs ON micro_checkpoints (run_id) WHERE sequence = 1;

        """

    static let bare = Result {
        try BareSQLite(
            path: temporaryPath("bare-checkpoints"),
            schema: checkpointsTable,
            insert: """
                INSERT INTO micro_checkpoints (run_id, sequence, juncture, at, agent, parent_run_id, status, step, state)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
    }
    static let checkpointer = Result { try SQLiteCheckpointer(path: temporaryPath("checkpoints")) }
    static let agentCheckpointer = Result { try SQLiteCheckpointer(path: temporaryPath("agent-checkpoints")) }
    private static let sequences = Mutex((bare: 0, commit: 0, fencedBare: 0, fencedCommit: 0))
    static func nextSequence() -> Int { sequences.withLock { $0.bare += 1; return $0.bare } }
    static func nextCommit() -> Int { sequences.withLock { $0.commit += 1; return $0.commit } }
    static func nextFencedBare() -> Int { sequences.withLock { $0.fencedBare += 1; return $0.fencedBare } }
    static func nextFencedCommit() -> Int { sequences.withLock { $0.fencedCommit += 1; return $0.fencedCommit } }

    static let fencedRun = "fenced-run"
    static let leaseOwner = "bench-owner"
    /// Far ahead: the lease never runs out while the benchmarks run (commits are dated by their sequence).
    static let leaseExpiry: Int64 = 1 << 50

    /// The checkpointer's schema and its fenced commit statement, driven through the bare C API, with the
    /// lease row in place.
    static let fencedBare = Result {
        let bare = try BareSQLite(
            path: temporaryPath("bare-fenced"),
            schema: checkpointsTable + """
                CREATE TABLE IF NOT EXISTS micro_leases (
                    run_id TEXT NOT NULL PRIMARY KEY, owner TEXT NOT NULL, expires_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                INSERT OR REPLACE INTO micro_leases VALUES ('\(fencedRun)', '\(leaseOwner)', \(leaseExpiry));
                """,
            insert: """
                INSERT INTO micro_checkpoints (run_id, sequence, juncture, at, agent, parent_run_id, status, step, state)
                SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9
                WHERE ?2 = 1 + ifnull((SELECT max(sequence) FROM micro_checkpoints WHERE run_id = ?1), 0)
                  AND EXISTS (SELECT 1 FROM micro_leases WHERE run_id = ?1 AND owner = ?10 AND expires_at = ?11)
                """)
        return bare
    }

    /// The checkpointer of the fenced benchmark and the lease it holds on its run (taken once).
    static func leased() async throws -> (SQLiteCheckpointer, Lease) {
        try await leasedCache.get()
    }
    private static let leasedCache = LeaseCache()

    actor LeaseCache {
        private var value: (SQLiteCheckpointer, Lease)?
        func get() async throws -> (SQLiteCheckpointer, Lease) {
            if let value { return value }
            let checkpointer = try SQLiteCheckpointer(path: temporaryPath("fenced-checkpoints"))
            let lease = try await checkpointer.acquireLease(
                runID: CheckpointShared.fencedRun, owner: CheckpointShared.leaseOwner, duration: .seconds(1 << 40),
                now: Timestamp(millisecondsSinceEpoch: 0))
            value = (checkpointer, lease)
            return (checkpointer, lease)
        }
    }
}

/// A runtime with one trivial tool and no services, shared by every sample.
struct AgentBenchWorld: Sendable {
    let runtime: Runtime
    let noop: Tool

    private static let cache = Cache()

    static func shared() async throws -> AgentBenchWorld { try await cache.world() }

    actor Cache {
        private var value: AgentBenchWorld?
        func world() async throws -> AgentBenchWorld {
            if let value { return value }
            let runtime = Runtime.inMemory(environment: .simulated(seed: 3))
            let noop = try Tool(name: "noop", description: "Does nothing.") { (request: NoopRequest, _: CallContext) in request }
            let world = AgentBenchWorld(runtime: runtime, noop: noop)
            value = world
            return world
        }
    }

    /// A runner whose agent makes `steps - 1` tool-calling steps, then answers.
    func runner(steps: Int, checkpointer: any Checkpointer = InMemoryCheckpointer()) -> AgentRunner {
        let turns = (0..<(steps - 1)).map { index in
            ScriptedModel.Turn.calls([ToolCall(id: "c\(index)", name: "noop", arguments: ["n": .integer(index)])], usage: Usage(inputTokens: 10, outputTokens: 5))
        } + [.answer("done", usage: Usage(inputTokens: 10, outputTokens: 5))]
        let agent = Agent(
            name: "bench", instructions: "Benchmark.", model: ScriptedModel(turns), tools: .services([]), extraTools: [noop])
        return AgentRunner(runtime: runtime, checkpointer: checkpointer, agents: [agent], owner: "bench")
    }
}
