import Benchmark
import Foundation
import Logging
import Micro
import MicroAgent
import MicroPostgres
import PostgresNIO

// PostgresCheckpointer commits against a bare INSERT + COMMIT of the same row through the same driver
// (postgres-nio's PostgresClient), in the same run, on the server named by MICRO_POSTGRES_URL (a role that
// may create tables). Without it nothing is registered, and the run says so.
// Run: `MICRO_POSTGRES_URL=postgres://… swift package --allow-writing-to-package-directory benchmark --target PostgresBenchmarks`.

let benchmarks: @Sendable () -> Void = {
    guard let url = ProcessInfo.processInfo.environment["MICRO_POSTGRES_URL"], !url.isEmpty else {
        print("PostgresBenchmarks: MICRO_POSTGRES_URL is unset; no PostgreSQL benchmark registered")
        return
    }
    // One sample = 1,000 commits on a warm pool; a sample opens its own backend (outside the measurement).
    let perCommit = Benchmark.Configuration(
        metrics: [.wallClock, .throughput], timeUnits: .microseconds, warmupIterations: 1, scalingFactor: .kilo,
        maxDuration: .seconds(20), maxIterations: 12)
    let state = checkpointState(messages: 20)
    let bytes = state.canonicalJSON()

    Benchmark("postgres-nio bare INSERT+COMMIT of a 20-message checkpoint row (same bytes, autocommit)", configuration: perCommit) {
        benchmark in
        let configuration = try PostgresConfiguration(url: url)
        // The checkpointer's table, created by its migrations, copied for the bare rows.
        try await PostgresStorage.with(url: url) { _ in }
        var clientConfiguration = PostgresClient.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.user, password: configuration.password,
            database: configuration.database, tls: .disable)
        clientConfiguration.options.maximumConnections = 16
        let client = PostgresClient(configuration: clientConfiguration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            try await client.query("CREATE TABLE IF NOT EXISTS bench_bare_checkpoints (LIKE micro_checkpoints INCLUDING ALL)")
            let run = "bare-\(UUID().uuidString)"
            try await bareInserts(client, run: run, state: state, bytes: bytes, from: 1, count: 1)  // a warm connection
            benchmark.startMeasurement()
            try await bareInserts(client, run: run, state: state, bytes: bytes, from: 2, count: benchmark.scaledIterations.count)
            benchmark.stopMeasurement()
            group.cancelAll()
        }
    }

    Benchmark("PostgresCheckpointer commit of the same 20-message checkpoint (encoding included)", configuration: perCommit) { benchmark in
        try await PostgresStorage.with(url: url) { storage in
            let run = "commit-\(UUID().uuidString)"
            try await commits(storage.checkpointer, run: run, state: state, from: 1, count: 1)  // a warm connection
            benchmark.startMeasurement()
            try await commits(storage.checkpointer, run: run, state: state, from: 2, count: benchmark.scaledIterations.count)
            benchmark.stopMeasurement()
        }
    }
}

nonisolated func bareInserts(_ client: PostgresClient, run: String, state: RunState, bytes: [UInt8], from first: Int, count: Int) async throws {
    let buffer = ByteBuffer(bytes: bytes)
    for sequence in first..<(first + count) {
        try await client.query("""
            INSERT INTO bench_bare_checkpoints (run_id, sequence, juncture, at, agent, parent_run_id, status, step, state)
            VALUES (\(run), \(Int64(sequence)), \("before_model:1"), \(Int64(0)), \(state.agent), \(state.parentRunID), \(state.status.rawValue), \(state.step), \(buffer))
            """)
    }
}

nonisolated func commits(_ checkpointer: PostgresCheckpointer, run: String, state: RunState, from first: Int, count: Int) async throws {
    var state = state
    state.runID = run
    for sequence in first..<(first + count) {
        try await checkpointer.commit(
            Checkpoint(runID: run, sequence: sequence, juncture: .beforeModel(step: 1), state: state, at: Timestamp(millisecondsSinceEpoch: 0)),
            lease: nil)
    }
}

/// A run state holding `messages` messages of about 200 bytes each (as in CoreBenchmarks).
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
