import Micro
import MicroAgent
import Synchronization
import Testing

@Suite struct DelegationTests {
    /// coordinator → researcher (named) → a fresh weather-only sub-agent (depth 2).
    func tree(maxDepth: Int = 3) -> [Agent] {
        [
            agent("coordinator", [
                .calls([call("d1", "delegate", ["agent": "researcher", "task": "Find the Lisbon weather on 2026-05-01"])]),
                .answer("Researcher says: {{result}}"),
            ], guardrails: Guardrails(maxDelegationDepth: maxDepth), selection: .byAssistantTurns, description: "plans trips"),
            agent("researcher", [
                .calls([call("d2", "delegate", ["services": ["weather"], "task": "Forecast Lisbon 2026-05-01, 1 day"])]),
                .answer("Lisbon looks fine."),
            ], selection: .byAssistantTurns, description: "looks things up"),
        ]
    }

    @Test func delegatesTwoLevelsDeepWithLinkedChildRuns() async throws {
        let world = try await AgentWorld()
        var agents = tree()
        // The fresh sub-agent inherits the researcher's model: give it turns for both.
        agents[1].model = ScriptedModel([
            .calls([call("d2", "delegate", ["services": ["weather"], "task": "Forecast Lisbon 2026-05-01, 1 day"])]),
            .calls([call("w", "weather_forecast", ["city": "Lisbon", "from": "2026-05-01", "days": 1])]),
            .answer("High of 20."),
            .answer("Lisbon looks fine."),
        ])
        let runner = world.runner(agents)
        let result = try await runner.run("coordinator", input: "Weather for my trip?", runID: "root")
        #expect(result.status == .completed)
        let delegations = runner.trace.events(.delegation)
        #expect(delegations.map { $0.data["depth"] } == [1, 2])
        #expect(delegations.map { $0.data["childRunID"] } == ["root-s1c0", "root-s1c0-s1c0"])
        let child = try #require(try await world.checkpointer.latest(runID: "root-s1c0"))
        #expect(child.state.parentRunID == "root")
        #expect(child.state.depth == 1)
        #expect(child.state.output == "Lisbon looks fine.")
        let grandchild = try #require(try await world.checkpointer.latest(runID: "root-s1c0-s1c0"))
        #expect(grandchild.state.depth == 2)
        #expect(grandchild.state.agent.hasPrefix("researcher~services:weather"))
        let root = try #require(try await world.checkpointer.latest(runID: "root"))
        #expect(root.state.children.map(\.runID) == ["root-s1c0"])
        #expect(root.state.children.first?.status == .completed)
        // The sub-agent saw only the weather tools and the built-ins.
        let model = try #require(agents[1].model as? ScriptedModel)
        #expect(model.requests[1].tools.map(\.name) == ["delegate", "plan", "request_input", "weather_forecast"])
        // Usage of children counts toward the parent.
        #expect(root.state.usage.totalTokens > child.state.usage.totalTokens)
    }

    @Test func delegationDepthIsLimited() async throws {
        let world = try await AgentWorld()
        var agents = tree(maxDepth: 1)
        agents[1].guardrails.maxDelegationDepth = 1
        agents[1].model = ScriptedModel([
            .calls([call("d2", "delegate", ["services": ["weather"], "task": "Forecast"])]),
            .answer("I could not delegate."),
        ])
        let runner = world.runner(agents)
        let result = try await runner.run("coordinator", input: "go", runID: "root")
        #expect(result.status == .completed)
        #expect(runner.trace.events(.guardrail).first?.data["reason"]?.stringValue?.contains("depth 2") == true)
    }

    @Test func unknownAgentsAreReportedToTheModel() async throws {
        let world = try await AgentWorld()
        let runner = world.runner([
            agent("boss", [.calls([call("d", "delegate", ["agent": "nobody", "task": "x"])]), .answer("ok")])
        ])
        _ = try await runner.run("boss", input: "go")
        let result = try #require(runner.trace.events(.toolResult).first)
        #expect(result.data["content"]?["error"]?["code"] == "not_found")
    }

    @Test func remoteAgentsGetTheTaskWithAStableKey() async throws {
        let world = try await AgentWorld()
        let remote = EchoRemote()
        let runner = world.runner(
            [agent("boss", [.calls([call("d", "delegate", ["agent": "echo", "task": "say hi"])]), .answer("ok")])],
            remote: [remote])
        _ = try await runner.run("boss", input: "go", runID: "r")
        #expect(remote.received == ["say hi @ r/1/0"])
        #expect(runner.trace.events(.delegationResult).first?.data["output"] == "echo: say hi")
    }

    @Test func requestInputPausesAndResumeContinues() async throws {
        let world = try await AgentWorld()
        let runner = world.runner([
            agent("asker", [
                .calls([call("q", "request_input", ["prompt": "Which city?"])]),
                .calls([call("w", "weather_forecast", ["city": "Tokyo", "from": "2026-05-01", "days": 1])]),
                .answer("Tokyo it is."),
            ], selection: .byAssistantTurns)
        ])
        let paused = try await runner.run("asker", input: "Plan a trip", runID: "ask")
        #expect(paused.status == .waitingForInput)
        #expect(paused.inputRequest?.prompt == "Which city?")
        let stored = try #require(try await world.checkpointer.latest(runID: "ask"))
        #expect(stored.juncture == .paused)
        #expect(stored.state.status == .waitingForInput)
        // Resuming without input leaves it waiting; with input it goes on.
        #expect(try await runner.resume(runID: "ask").status == .waitingForInput)
        let done = try await runner.resume(runID: "ask", input: "Tokyo")
        #expect(done.status == .completed)
        #expect(done.output == "Tokyo it is.")
        let model = try #require(runner.agents["asker"]?.model as? ScriptedModel)
        #expect(model.requests[1].messages.last?.toolResults.first?.content == ["input": "Tokyo"])
        #expect(runner.trace.kinds("ask").contains("paused"))
        #expect(runner.trace.kinds("ask").contains("resumed"))
        await #expect(throws: AgentError.self) { try await runner.resume(runID: "ask", input: "again") }
    }

    @Test func aSubAgentsQuestionPausesItsParent() async throws {
        let world = try await AgentWorld()
        let runner = world.runner([
            agent("boss", [
                .calls([call("d", "delegate", ["agent": "helper", "task": "Book something"])]),
                .answer("All set."),
            ], selection: .byAssistantTurns),
            agent("helper", [
                .calls([call("q", "request_input", ["prompt": "Your name?"])]),
                .answer("Booked for the user."),
            ], selection: .byAssistantTurns),
        ])
        let paused = try await runner.run("boss", input: "go", runID: "top")
        #expect(paused.status == .waitingForInput)
        #expect(paused.inputRequest?.prompt == "Your name?")
        #expect(paused.inputRequest?.childRunID == "top-s1c0")
        let done = try await runner.resume(runID: "top", input: "Ada")
        #expect(done.status == .completed)
        #expect(done.output == "All set.")
        let child = try #require(try await world.checkpointer.latest(runID: "top-s1c0"))
        #expect(child.state.status == .completed)
    }
}

final class EchoRemote: RemoteAgent {
    let name = "echo"
    let description = "repeats the task"
    private let log = Mutex<[String]>([])
    var received: [String] { log.withLock { $0 } }
    func send(task: String, context: CallContext) async throws -> String {
        log.withLock { $0.append("\(task) @ \(context.idempotencyKey)") }
        return "echo: \(task)"
    }
}
