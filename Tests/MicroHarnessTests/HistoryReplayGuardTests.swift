import Micro
import MicroAgent
import MicroHarness
import Synchronization
import Testing

/// What `HistoryReplay` enforces on the runner a subject returns: nothing in it runs for real.
@Suite struct HistoryReplayGuardTests {
    /// Counts the calls that really ran.
    final class Calls: Sendable {
        let count = Mutex(0)
        func add() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }
    }

    struct Helper: RemoteAgent {
        let calls: Calls
        var name: String { "helper" }
        var description: String { "a remote helper" }
        func send(task: String, context: CallContext) async throws -> String {
            calls.add()
            return "helped with \(task)"
        }
    }

    static func stamp(_ calls: Calls) throws -> Tool {
        try Tool(name: "stamp", description: "Stamps a document.") { (request: [String: String], _: CallContext) -> [String: String] in
            calls.add()
            return ["stamped": request["document"] ?? ""]
        }
    }

    static func runner(model: any Model, calls: Calls, checkpointer: any Checkpointer) throws -> AgentRunner {
        let environment = Environment.simulated(seed: 1, clock: VirtualClock())
        let agent = Agent(
            name: "clerk", description: "", instructions: "Stamp, then ask the helper.", model: model, tools: .services([]),
            extraTools: [try stamp(calls)])
        return AgentRunner(
            runtime: Runtime.inMemory(environment: environment), checkpointer: checkpointer, agents: [agent],
            remoteAgents: [Helper(calls: calls)], owner: "test")
    }

    static let script = ScriptedModel([
        .calls([ToolCall(id: "s", name: "stamp", arguments: ["document": "d-1"])]),
        .calls([ToolCall(id: "h", name: "delegate", arguments: ["agent": "helper", "task": "file d-1"])]),
        .answer("done"),
    ], selection: .byAssistantTurns)

    @Test func extraToolsAndRemoteAgentsAnswerFromTheRecordAndALiveModelIsRefused() async throws {
        let history = InMemoryCheckpointer()
        let live = Calls()
        let result = try await Self.runner(model: Self.script, calls: live, checkpointer: history).run("clerk", input: "File d-1", runID: "r")
        #expect(result.status == .completed)
        #expect(live.value == 2)

        let replayed = Calls()
        let report = try await HistoryReplay(history: history).replay { seams in
            try Self.runner(model: seams.model(replacing: Self.script), calls: replayed, checkpointer: InMemoryCheckpointer())
        }
        #expect(!report.diverged, "\(report.text)")
        #expect(report.runs.map(\.steps) == [3])
        #expect(replayed.value == 0)

        await #expect(throws: HistoryReplayError.self) {
            try await HistoryReplay(history: history).replay { _ in
                try Self.runner(model: Self.script, calls: replayed, checkpointer: InMemoryCheckpointer())
            }
        }
        await #expect(throws: HistoryReplayError.self) {
            try await HistoryReplay(history: history).replay { seams in
                try Self.runner(model: seams.model(replacing: Self.script), calls: replayed, checkpointer: history)
            }
        }
        #expect(replayed.value == 0)
    }
}
