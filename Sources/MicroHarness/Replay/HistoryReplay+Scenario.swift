import Micro
import MicroAgent

extension HistoryReplay {
    /// The current code as `scenario` describes it, for ``replay(runIDs:subject:)``: a fresh in-memory world of
    /// its services (answering from the record) and every one of its agents (models answering from the record),
    /// with the agents it serves over A2A also reachable by `delegate` as remote agents that answer from the record.
    public static func scenario(_ scenario: Scenario) -> @Sendable (Seams) async throws -> AgentRunner {
        { seams in
            let world = try await World(
                scenario, replaceModel: { _, model in seams.model(replacing: model) }, wrapService: { seams.service($0) })
            let served = scenario.agents.filter(\.a2a).map {
                RecordedRemoteAgent(name: $0.name, description: $0.description, history: seams.history, log: seams.log)
            }
            return AgentRunner(
                runtime: world.runtime, checkpointer: world.checkpointer, agents: try world.agents(),
                remoteAgents: world.remoteAgents + served, trace: world.trace, owner: "replay-history", leaseDuration: .seconds(60))
        }
    }
}
