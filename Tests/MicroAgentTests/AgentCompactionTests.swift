import Micro
import MicroAgent
import Testing

/// Memory compaction inside real agent runs: a small context window, many tool results.
@Suite struct AgentCompactionTests {
    func longRun(summarizer: CompactMemory.Summarizer?) -> Agent {
        let turns = (1...8).map { day in
            ScriptedModel.Turn.calls([call("w\(day)", "weather_forecast", ["city": "Lisbon", "from": .string("2026-05-0\(day)"), "days": 14])])
        } + [.answer("Eight forecasts checked.")]
        var agent = Agent(
            name: "forecaster", instructions: "Check the forecasts.",
            model: ScriptedModel(turns, info: ModelInfo(provider: "scripted", name: "small", contextWindow: 3000)),
            tools: .services(["weather"]))
        agent.options = ModelOptions(maxTokens: 256)
        agent.memory = CompactMemory(reservedOutputTokens: 256, summaryTokenLimit: 200, summarizer: summarizer)
        return agent
    }

    @Test func compactionKeepsEveryRequestWithinTheWindowWithTheExtractiveFallback() async throws {
        let world = try await AgentWorld()
        let runner = world.runner([longRun(summarizer: nil)])
        let result = try await runner.run("forecaster", input: "Check Lisbon for eight days.", runID: "long")
        #expect(result.status == .completed)
        let compactions = runner.trace.events(.compaction)
        #expect(!compactions.isEmpty)
        #expect(compactions.allSatisfy { $0.data["method"] == "extractive" })
        let requests = runner.trace.events(.modelRequest).compactMap { $0.data["estimatedTokens"]?.intValue }
        #expect(requests.count == 9)
        #expect(requests.allSatisfy { $0 <= 3000 - 256 })
        // Evicted turns are archived in the store and the checkpointed memory holds the rolling summary.
        let final = try #require(try await world.checkpointer.latest(runID: "long"))
        #expect(final.state.memory.summary?.isEmpty == false)
        #expect(final.state.memory.evictedCount > 0)
        #expect(final.state.memory.messages.first?.role != .tool)
    }

    @Test func aSummarizerModelWritesTheSummaryAndItsCallIsTraced() async throws {
        let world = try await AgentWorld()
        let summaries = (1...10).map { n in ScriptedModel.Turn.answer("Summary \(n): forecasts for Lisbon so far.") }
        let summarizer = CompactMemory.Summarizer(model: ScriptedModel(summaries))
        let runner = world.runner([longRun(summarizer: summarizer)])
        let result = try await runner.run("forecaster", input: "Check Lisbon for eight days.", runID: "long")
        #expect(result.status == .completed)
        let compaction = try #require(runner.trace.events(.compaction).first)
        #expect(compaction.data["method"] == "model")
        #expect(compaction.data["summary"]?.stringValue?.hasPrefix("Summary 1") == true)
        #expect(compaction.data["summarization"]?["request"]?["messages"] != nil)
    }
}
