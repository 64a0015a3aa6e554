import Micro
import MicroAgent
import MicroExamples

/// A world for agent tests: simulated environment, in-memory runtime with the travel services, a checkpointer.
struct AgentWorld {
    let environment: Environment
    let clock: VirtualClock
    let runtime: Runtime
    let checkpointer: any Checkpointer

    init(seed: UInt64 = 1, checkpointer: any Checkpointer = InMemoryCheckpointer()) async throws {
        clock = VirtualClock()
        environment = Environment.simulated(seed: seed, clock: clock)
        runtime = Runtime.inMemory(environment: environment)
        self.checkpointer = checkpointer
        try await TravelServices.serve(on: runtime)
    }

    func runner(_ agents: [Agent], remote: [any RemoteAgent] = [], owner: String = "test") -> AgentRunner {
        AgentRunner(runtime: runtime, checkpointer: checkpointer, agents: agents, remoteAgents: remote, owner: owner)
    }

    var ledger: SideEffectLedger { SideEffectLedger(store: runtime.store) }
}

func call(_ id: String, _ name: String, _ arguments: JSONValue) -> ToolCall {
    ToolCall(id: id, name: name, arguments: arguments)
}

func agent(
    _ name: String, _ turns: [ScriptedModel.Turn], tools: ToolScope = .all, guardrails: Guardrails = Guardrails(),
    selection: ScriptedModel.Selection = .sequential, description: String = ""
) -> Agent {
    Agent(
        name: name, description: description, instructions: "You are \(name).",
        model: ScriptedModel(turns, selection: selection), tools: tools, guardrails: guardrails)
}

extension Trace {
    func kinds(_ runID: String? = nil) -> [String] {
        all.filter { runID == nil || $0.runID == runID }.map(\.kind.rawValue).filter { $0 != "checkpoint" }
    }

    func junctures(_ runID: String) -> [String] {
        all.filter { $0.runID == runID && $0.kind == .checkpoint }.compactMap { $0.data["juncture"]?.stringValue }
    }
}
