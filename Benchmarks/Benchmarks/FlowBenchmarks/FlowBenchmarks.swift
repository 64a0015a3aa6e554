import Benchmark
import Micro
import MicroAgent

// Flow step overhead beside agent step overhead, in one run: the marginal cost of a step is
// (t(20) − t(10)) / 10 for both. A flow step is a trivial code step over a typed state (decode, run, encode),
// one checkpoint commit (the whole run state with the flow's progress) and two trace events; an agent step is
// a scripted model call, a trivial tool call, five checkpoint commits and six trace events. Both on the
// in-memory checkpointer with every boundary committed and the full trace.

struct Counter: Codable, Sendable { var n = 0 }
struct Echo: Codable, Sendable { var n: Int }

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput], timeUnits: .microseconds, warmupIterations: 50,
        maxDuration: .seconds(3), maxIterations: 100_000)

    for steps in [1, 10, 20] {
        Benchmark("Flow run of \(steps) steps (trivial code steps, in-memory checkpoints)") { benchmark in
            let runtime = Runtime.inMemory(environment: .simulated(seed: 3))
            for _ in benchmark.scaledIterations {
                let flows = try FlowRunner(
                    agents: AgentRunner(runtime: runtime, checkpointer: InMemoryCheckpointer(), agents: [], owner: "bench"),
                    flows: [AnyFlow(trivialFlow(steps: steps))])
                blackHole(try await flows.run("bench", input: .null, runID: "r"))
            }
        }
        Benchmark("Agent run of \(steps) steps (scripted model, trivial tool, in-memory checkpoints)") { benchmark in
            let runtime = Runtime.inMemory(environment: .simulated(seed: 3))
            let noop = try Tool(name: "noop", description: "Does nothing.") { (request: Echo, _: CallContext) in request }
            for _ in benchmark.scaledIterations {
                let turns = (0..<(steps - 1)).map { index in
                    ScriptedModel.Turn.calls([ToolCall(id: "c\(index)", name: "noop", arguments: ["n": .integer(index)])], usage: Usage(inputTokens: 10, outputTokens: 5))
                } + [.answer("done", usage: Usage(inputTokens: 10, outputTokens: 5))]
                let agent = Agent(
                    name: "bench", instructions: "Benchmark.", model: ScriptedModel(turns), tools: .services([]), extraTools: [noop])
                let runner = AgentRunner(runtime: runtime, checkpointer: InMemoryCheckpointer(), agents: [agent], owner: "bench")
                blackHole(try await runner.run("bench", input: "go", runID: "r"))
            }
        }
    }
}

func trivialFlow(steps: Int) -> Flow<Counter> {
    Flow(
        name: "bench", start: { _ in Counter() },
        steps: (1...steps).map { index in
            FlowStep("s\(index)", .code { state, _ in
                state.n += 1
                return "\(state.n)"
            })
        })
}
