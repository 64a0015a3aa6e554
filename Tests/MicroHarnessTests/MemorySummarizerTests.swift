import Foundation
import MicroAgent
import MicroScenarioTesting
import MicroTravel
import Testing

@testable import MicroHarness

/// A scenario's memory summarizer: its calls are in the Trace with their usage, and its tokens count toward
/// the run's usage, token budget, `tokens` and `cost`, reported apart as the summarizer's.
@Suite struct MemorySummarizerTests {
    static func overflow(_ edit: (String) -> String = { $0 }) throws -> Scenario {
        let file = try #require(ScenarioTests.files(in: "Scenarios").first { $0.name == "context-overflow.yaml" })
        let text = try String(contentsOfFile: file.path, encoding: .utf8)
        return try Scenario(parsing: edit(text), file: file.path, catalog: .travel)
    }

    @Test func theSummarizersTokensCountAndShow() async throws {
        let outcome = await ScenarioRunner.run(try Self.overflow())
        #expect(outcome.passed, "\(outcome.failures)")
        let compaction = try #require(outcome.trace.first { $0.kind == .compaction })
        #expect(compaction.data["method"] == "model")
        #expect(compaction.summarizerUsage == Usage(inputTokens: 620, outputTokens: 60))
        let usage = outcome.record.totalUsage
        #expect(usage.summarizers == Usage(inputTokens: 620, outputTokens: 60))
        #expect(outcome.record.summarizerUsageByAgent == ["planner": Usage(inputTokens: 620, outputTokens: 60)])
        // The run's own usage (what its token budget reads) includes the summarizer.
        #expect(outcome.result?.usage == usage.total)
        #expect(abs(try #require(outcome.record.summarizerCost) - 0.00023) < 1e-12)
        #expect(TokensExpectation.count(in: outcome.record).text.hasSuffix("(agents \(usage.agents.totalTokens), summarizer 680)"))
        let line = TerminalReport.summary([outcome], color: false)
        #expect(line.contains("6 steps, 0 crashes, 0 s virtual, 6774 tokens (in "), "\(line)")
        #expect(line.contains(", summarizer 680), $0.000230"), "\(line)")
        #expect(JSONReport.scenario(outcome)["tokens"] == ["agents": .integer(usage.agents.totalTokens), "summarizer": 680])
        // Its request was measured against its own window.
        #expect(outcome.record.requestMeasures.contains { $0.summarizer && $0.step == nil && $0.contextWindow == 200_000 })
    }

    @Test func theSummarizersTokensCountTowardTheTokenBudget() async throws {
        let scenario = try Self.overflow {
            $0.replacingOccurrences(of: "usage: {input: 620, output: 60}", with: "usage: {input: 100000, output: 0}")
                .replacingOccurrences(of: "    memory:\n", with: "    guardrails: {token_budget: 50000}\n    memory:\n")
        }
        let outcome = await ScenarioRunner.run(scenario)
        #expect(outcome.result?.failure?.code == "token_budget", "\(String(describing: outcome.result))")
        #expect(outcome.result?.steps ?? 0 < 6)
    }

    /// Compaction off and a window of 1400: the last requests, as sent, are over it, while memory's own
    /// estimate of them (what the check used to compare) is under it.
    @Test func withoutCompactionTheMeasuredRequestsExceedTheWindow() async throws {
        let scenario = try Self.overflow {
            $0.replacingOccurrences(of: "      summary_token_limit: 200\n", with: "      summary_token_limit: 200\n      compaction: false\n")
                .replacingOccurrences(of: "context_window: 1600", with: "context_window: 1400")
        }
        let outcome = await ScenarioRunner.run(scenario)
        #expect(outcome.result?.status == .completed)
        #expect(outcome.failures.map(\.name).sorted() == ["compactions", "cost", "tokens", "within_context_window"])
        let failure = try #require(outcome.failures.first { $0.name == "within_context_window" })
        let first = try #require(outcome.record.requestMeasures.first { $0.tokens > $0.contextWindow })
        #expect(first.step == 5)
        #expect(failure.message.hasPrefix(
            "2 of 6 request(s) exceed the context window, first step 5 of run run (planner): \(first.bytes) neutral bytes ≈ \(first.tokens) tokens (neutral rule) of a 1400-token window; also step 6"),
            "\(failure.message)")
        // Memory's estimate of the same request (the trace's step is the model calls made before it).
        let estimate = try #require(outcome.trace.first { $0.kind == .modelRequest && $0.step == 4 }?.estimatedTokens)
        #expect(estimate <= 1400 && first.tokens > 1400, "estimate \(estimate), measured \(first.tokens)")
    }

    @Test func aScriptedSummarizerAnswersTheCompactionAfterThePreviousSummary() throws {
        let turns = [ScriptedModel.Turn(text: "- first"), ScriptedModel.Turn(text: "- second\n")]
        let summarizer = ScriptedSummarizer(turns: turns, info: ModelInfo(provider: "scripted", name: "s", contextWindow: 1000))
        func request(_ previous: String) -> ModelRequest {
            ModelRequest(model: "s", messages: [.user("<previous_summary>\n\(previous)\n</previous_summary>\n\n<new_messages>\n…")])
        }
        #expect(try summarizer.turn(for: request("(none yet: this is the first compaction)")) == 0)
        #expect(try summarizer.turn(for: request("- first")) == 1)
        #expect(throws: ModelError.self) { try summarizer.turn(for: request("- second")) }
        #expect(throws: ModelError.self) { try summarizer.turn(for: request("- something else")) }
        #expect(throws: ModelError.self) { try summarizer.turn(for: ModelRequest(model: "s", messages: [.user("hi")])) }
    }

    @Test func aBadSummarizerIsAnErrorNamingItsLine() throws {
        #expect {
            _ = try Self.overflow { $0.replacingOccurrences(of: "        price: {input: 0.25, output: 1.25}\n", with: "        voice: loud\n") }
        } throws: { error in
            "\(error)".contains("context-overflow.yaml:16") && "\(error)".contains("voice")
        }
    }
}
