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

    let state = checkpointState(messages: 20)
    let bytes = state.canonicalJSON()

    let perCommit = Benchmark.Configuration(metrics: [.wallClock, .throughput], scalingFactor: .kilo, maxDuration: .seconds(3))

    Benchmark("SQLite bare insert+commit of a 20-message checkpoint (same bytes, WAL)", configuration: perCommit) { benchmark in
        try await bareCommits(try CheckpointShared.bare.get(), state: state, bytes: bytes, count: benchmark.scaledIterations.count)
    }

    Benchmark("SQLiteCheckpointer commit of a 20-message checkpoint (WAL)", configuration: perCommit) { benchmark in
        try await checkpointCommits(try CheckpointShared.checkpointer.get(), state: state, count: benchmark.scaledIterations.count)
    }
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
    static let bare = Result {
        try BareSQLite(
            path: temporaryPath("bare-checkpoints"),
            schema: """
                CREATE TABLE IF NOT EXISTS micro_checkpoints (
                    run_id TEXT NOT NULL, sequence INTEGER NOT NULL, juncture TEXT NOT NULL, at INTEGER NOT NULL,
                    agent TEXT NOT NULL, parent_run_id TEXT, status TEXT NOT NULL, step INTEGER NOT NULL,
                    state BLOB NOT NULL, PRIMARY KEY (run_id, sequence)
                ) WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS micro_checkpoints_runs ON micro_checkpoints (run_id) WHERE sequence = 1;
                """,
            insert: """
                INSERT INTO micro_checkpoints (run_id, sequence, juncture, at, agent, parent_run_id, status, step, state)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
    }
    static let checkpointer = Result { try SQLiteCheckpointer(path: temporaryPath("checkpoints")) }
    private static let sequences = Mutex((bare: 0, commit: 0))
    static func nextSequence() -> Int { sequences.withLock { $0.bare += 1; return $0.bare } }
    static func nextCommit() -> Int { sequences.withLock { $0.commit += 1; return $0.commit } }
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
    func runner(steps: Int) -> AgentRunner {
        let turns = (0..<(steps - 1)).map { index in
            ScriptedModel.Turn.calls([ToolCall(id: "c\(index)", name: "noop", arguments: ["n": .integer(index)])], usage: Usage(inputTokens: 10, outputTokens: 5))
        } + [.answer("done", usage: Usage(inputTokens: 10, outputTokens: 5))]
        let agent = Agent(
            name: "bench", instructions: "Benchmark.", model: ScriptedModel(turns), tools: .services([]), extraTools: [noop])
        return AgentRunner(runtime: runtime, checkpointer: InMemoryCheckpointer(), agents: [agent], owner: "bench")
    }
}
