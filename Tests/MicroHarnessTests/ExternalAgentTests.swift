import Foundation
import MicroAgent
import MicroHarness
import Testing

/// A black-box agent (a Python process using only its standard library) under the harness: the world serves it
/// scripted turns as OpenAI wire bytes and a fixture service over MCP, and writes the Trace from those edges.
@Suite struct ExternalAgentTests {
    static let agent = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/ExternalAgents/stdlib_loop.py").path
    static let recordings = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Recordings").path

    static func scenario(
        mode: String = "", keys: Bool = false, effect: String = "true", timeout: String = "30s", model: String? = nil, expect: String = ""
    ) throws -> Scenario {
        try Scenario(
            parsing: yaml(
                external: "{command: [python3, \(agent)], env: {AGENT_MODE: \"\(mode)\", AGENT_KEYS: \"\(keys ? 1 : 0)\"}, timeout: \(timeout)}",
                effect: effect, model: model, expect: expect),
            file: "external.yaml")
    }

    /// A scenario whose agent `bot` is `external`, with a `notifier.send` fixture (line 12 is `external:`).
    static func yaml(
        external: String, effect: String = "true", model: String? = nil, run: String = "{agent: bot, prompt: Notify Ada.}", expect: String = ""
    ) -> String {
        let scripted = """
                  script:
                    - call: {tool: notifier_send, arguments: {to: ada}}
                    - text: Sent it.
            """
        return """
            name: external
            fixtures:
              - service: notifier
                endpoints:
                  - name: send
                    effect: \(effect)
                    input: {type: object, properties: {to: {type: string}}, required: [to]}
                    responses:
                      - result: {sent: true}
            agents:
              - name: bot
                external: \(external)
                model:
            \(model ?? scripted)
            run: \(run)
            expect:\(expect.isEmpty ? " []" : "\n" + expect)
            """
    }

    @Test func theTraceIsWrittenFromWhatCrossesTheEdges() async throws {
        let outcome = await ScenarioRunner.run(try Self.scenario(expect: """
              - output: Sent it.
              - tool_called: {name: notifier_send, arguments: {to: ada}, count: 1}
              - steps: 2
              - no_duplicate_side_effects: true
            """))
        #expect(outcome.passed, "\(outcome.failures)")
        #expect(outcome.trace.map(\.kind) == [
            .runStarted, .modelRequest, .modelResponse, .toolCall, .toolResult, .modelRequest, .modelResponse, .completed,
        ])
        let response = try #require(outcome.trace.first { $0.kind == .modelResponse })
        #expect(response.data["toolCalls"] == [["name": "notifier_send", "arguments": ["to": "ada"]]])
        let key = try #require(outcome.record.sideEffects.first?.key)
        #expect(outcome.record.sideEffects.count == 1)
        #expect(key.hasPrefix("run/mcp/notifier_send/") && key.hasSuffix("/1"), "\(key)")
    }

    @Test func anAgentThatExitsNonZeroFailsWithItsStandardError() async throws {
        let outcome = await ScenarioRunner.run(try Self.scenario(mode: "exit"))
        #expect(outcome.result?.failure?.code == "agent_exit")
        #expect(outcome.result?.failure?.message.contains("exited with 3: giving up on purpose") == true)
        #expect(outcome.failures.map(\.name) == ["status"])
        #expect(outcome.trace.contains { $0.kind == .modelRequest }, "the Trace up to the failure is kept")
    }

    @Test func anAgentThatHangsIsKilledAfterItsTimeout() async throws {
        let outcome = await ScenarioRunner.run(try Self.scenario(mode: "hang", timeout: "1s"))
        #expect(outcome.result?.failure?.code == "agent_timeout")
        #expect(outcome.result?.failure?.message.contains("did not finish within 1.0 seconds (real time)") == true)
    }

    @Test func aRequestTheRecordingLacksNamesTheNearestRecordedOne() async throws {
        let outcome = await ScenarioRunner.run(try Self.scenario(model: """
                  provider: openai
                  cassette: \(Self.recordings)/openai-answer.json
            """))
        let failure = try #require(outcome.result?.failure)
        #expect(failure.code == "unrecorded_request")
        #expect(failure.message.contains("model request 1"))
        #expect(failure.message.contains("nearest"), "\(failure.message)")
        #expect(outcome.trace.contains { $0.kind == .modelError && $0.data["unrecorded"] == true })
    }

    @Test func chaosCatchesAnAgentThatRepeatsItsSideEffectAfterARestart() async throws {
        let chaos = ExternalChaos(scenario: try Self.scenario(), selection: .everyJuncture, seed: 1, jobs: 2)
        let reference = try await chaos.reference()
        let points = chaos.points(reference: reference)
        #expect(points == [.modelRequest(1), .modelRequest(2), .toolCall(1), .toolReturned(1)])
        let trials = await chaos.trials(points, reference: reference)
        #expect(trials.allSatisfy { $0.killed })
        // Killed after its tool call ran, the agent starts over and sends the notification again.
        let repeated = #"side effects repeated: notifier.send {"to":"ada"} ×2 (uninterrupted: ×1)"#
        #expect(trials[1].violations.first == repeated)
        #expect(trials[3].violations.first == repeated)
        // Killed before anything ran, or before the tool ran, it ends like the uninterrupted run.
        #expect(trials[0].violations.isEmpty && trials[2].violations.isEmpty, "\(trials)")
    }

    /// A call carrying the agent's idempotency key (MCP `_meta`) is keyed by it. Keys do not save an agent that
    /// starts over: it asks the model again, gets a new answer with new call IDs, and sends the notification
    /// again under a new key, even to a service that honours keys.
    @Test func callsCarryTheAgentsKeyButAKeyDoesNotSaveAnAgentThatStartsOver() async throws {
        let scenario = try Self.scenario(keys: true, effect: "idempotent")
        let outcome = await ScenarioRunner.run(scenario)
        #expect(outcome.passed, "\(outcome.failures)")
        let key = try #require(outcome.record.sideEffects.first?.key)
        #expect(outcome.record.sideEffects.count == 1)
        #expect(key.hasPrefix("run/mcp/key/call_"), "\(key)")
        let chaos = ExternalChaos(scenario: scenario, selection: .everyJuncture, seed: 1, jobs: 2)
        let reference = try await chaos.reference()
        let trials = await chaos.trials([.toolReturned(1)], reference: reference)
        #expect(trials.first?.violations.first == #"side effects repeated: notifier.send {"to":"ada"} ×2 (uninterrupted: ×1)"#)
        #expect(trials.first?.violations.contains("side effects not in the uninterrupted run: notifier.send \(key)-2 #1") == true, "\(trials)")
    }

    @Test func onlyTheRunsAgentMayBeExternal() throws {
        #expect {
            try Scenario(parsing: """
                name: x
                agents:
                  - name: a
                    model: {script: [{text: hi}]}
                  - name: b
                    external: {command: [python3, b.py]}
                    model: {script: [{text: hi}]}
                run: {agent: a, prompt: p}
                """, file: "x.yaml")
        } throws: { ($0 as? ScenarioError)?.description == "x.yaml:5: agents.b.external: only the agent the run starts may be an external process" }
    }
}
