import Foundation
import MicroAgent
import MicroHarness
import Testing

/// A black-box agent behind an A2A endpoint (a Python process using only its standard library): the world
/// starts it on a free port, talks A2A to it, serves it scripted turns as OpenAI wire bytes and a fixture
/// service over MCP, and writes the Trace from all three edges.
@Suite struct ExternalA2ATests {
    static let agent = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/ExternalAgents/stdlib_a2a.py").path

    static func scenario(external: String? = nil, ask: Bool = false, inputs: [String] = [], expect: String = "") throws -> Scenario {
        let started = "{command: [python3, \(agent)], a2a: \"http://127.0.0.1:${MICRO_A2A_PORT}\", env: {AGENT_ASK: \"\(ask ? 1 : 0)\"}, timeout: 30s}"
        let run = "{agent: bot, prompt: Notify Ada., inputs: [\(inputs.map { "\"\($0)\"" }.joined(separator: ", "))]}"
        return try Scenario(
            parsing: ExternalAgentTests.yaml(external: external ?? started, run: run, expect: expect), file: "external-a2a.yaml")
    }

    @Test func theAnswerComesBackOverA2AAndTheEdgesAreTraced() async throws {
        let outcome = await ScenarioRunner.run(try Self.scenario(expect: """
              - output: Sent it.
              - tool_called: {name: notifier_send, arguments: {to: ada}, count: 1}
              - steps: 2
            """))
        #expect(outcome.passed, "\(outcome.failures)")
        #expect(outcome.trace.map(\.kind) == [
            .runStarted, .modelRequest, .modelResponse, .toolCall, .toolResult, .modelRequest, .modelResponse, .completed,
        ])
        let started = try #require(outcome.trace.first)
        #expect(started.data["a2a"]?.stringValue?.hasPrefix("http://127.0.0.1:") == true)
        #expect(started.data["a2a"]?.stringValue?.contains("$") == false)
    }

    @Test func aTaskThatAsksForInputGetsTheScenariosNextInput() async throws {
        let outcome = await ScenarioRunner.run(try Self.scenario(ask: true, inputs: ["Ada, please."], expect: "  - output: Sent it."))
        #expect(outcome.passed, "\(outcome.failures)")
        let paused = try #require(outcome.trace.first { $0.kind == .paused })
        #expect(paused.data["prompt"] == "Who should be notified?")
        #expect(outcome.trace.first { $0.kind == .resumed }?.data["input"] == "Ada, please.")
    }

    @Test func aTaskThatAsksWithNoInputLeftLeavesTheRunWaiting() async throws {
        let outcome = await ScenarioRunner.run(try Self.scenario(ask: true, expect: "  - status: waiting_for_input"))
        #expect(outcome.passed, "\(outcome.failures)")
        #expect(outcome.result?.inputRequest?.prompt == "Who should be notified?")
    }

    @Test func anEndpointThatNeverAnswersIsAClearFailure() async throws {
        let outcome = await ScenarioRunner.run(try Self.scenario(external: "{a2a: \"http://127.0.0.1:9\", timeout: 1s}"))
        #expect(outcome.result?.failure?.code == "a2a_unreachable")
        #expect(outcome.result?.failure?.message.contains("no agent card at http://127.0.0.1:9 within 1.0 seconds") == true, "\(String(describing: outcome.result?.failure))")
    }

    @Test func aProcessThatExitsBeforeServingIsAClearFailure() async throws {
        let outcome = await ScenarioRunner.run(try Self.scenario(
            external: "{command: [python3, -c, \"import sys; print('no port for me', file=sys.stderr); sys.exit(5)\"], a2a: \"http://127.0.0.1:${MICRO_A2A_PORT}\", timeout: 10s}"))
        #expect(outcome.result?.failure?.code == "agent_exit")
        #expect(outcome.result?.failure?.message.contains("exited with 5") == true)
        #expect(outcome.result?.failure?.message.contains("no port for me") == true, "\(String(describing: outcome.result?.failure))")
    }

    /// Killed after its tool ran, the server restarts with its tasks forgotten; the message sent again (same
    /// message ID) starts the task over and the notification goes out twice: chaos says so.
    @Test func chaosRestartsTheServerAndResendsTheMessageInFlight() async throws {
        let chaos = ExternalChaos(scenario: try Self.scenario(), selection: .everyJuncture, seed: 1, jobs: 2)
        let reference = try await chaos.reference()
        let points = chaos.points(reference: reference)
        #expect(points == [.modelRequest(1), .modelRequest(2), .toolCall(1), .toolReturned(1)])
        let trials = await chaos.trials(points, reference: reference)
        #expect(trials.allSatisfy { $0.killed })
        #expect(trials[1].violations.first == #"side effects repeated: notifier.send {"to":"ada"} ×2 (uninterrupted: ×1)"#)
        #expect(trials[3].violations.first == #"side effects repeated: notifier.send {"to":"ada"} ×2 (uninterrupted: ×1)"#)
        #expect(trials[0].violations.isEmpty && trials[2].violations.isEmpty, "\(trials)")
    }

    @Test(arguments: [
        ("{a2a: ftp://x}", "a2a must be an http:// or https:// URL, got ftp://x"),
        ("{a2a: \"http://127.0.0.1:${MICRO_A2A_PORT}\"}", "give a command"),
        ("{env: {A: b}}", "command"),
    ])
    func badA2ASpecsAreErrorsAtTheirLine(external: String, message: String) {
        #expect {
            try Self.scenario(external: external)
        } throws: { error in
            guard let error = error as? ScenarioError else { return false }
            let matches = error.line == 12 && error.message.contains(message)
            if !matches { Issue.record("got \(error)") }
            return matches
        }
    }
}
