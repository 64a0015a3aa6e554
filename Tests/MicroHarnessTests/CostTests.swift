import Foundation
import Micro
import MicroAgent
import MicroScenarioTesting
import MicroTravel
import Testing

@testable import MicroHarness

/// Tokens by kind and costs per scenario and agent, from the run record; prices from the model, the
/// scenario's `prices:`, a `--prices` file or the bundled table; an unknown price is an unknown cost, never 0.
@Suite struct CostTests {
    /// Two agents: a priced coordinator that delegates to an unpriced (or table-priced) booker.
    static func world(coordinatorPrice: String = "price: {input: 2, output: 8, cached: 0.5}", prices: String = "") -> String {
        """
        name: costs
        seed: 3
        services: [hotels]
        \(prices)
        agents:
          - name: coordinator
            builtin_tools: true
            tools: []
            model:
              \(coordinatorPrice)
              script:
                - call: {tool: delegate, arguments: {agent: booker, task: Find a hotel in Lisbon.}}
                  usage: {input: 1000, output: 50, cached: 800}
                - text: Found one.
                  usage: {input: 1200, output: 20, cached: 1000}
          - name: booker
            tools: [hotels]
            builtin_tools: false
            model:
              script:
                - call: {tool: travel_hotels_search, arguments: {city: Lisbon, checkIn: "2026-05-01", nights: 2}}
                  usage: {input: 300, output: 30}
                - text: lisbon:0
                  usage: {input: 400, output: 10}
        run:
          agent: coordinator
          prompt: Find me a hotel.
        expect:
          - status: completed

        """
    }

    static func run(_ yaml: String, prices: PriceTable? = nil) async throws -> ScenarioOutcome {
        var scenario = try Scenario(parsing: yaml, file: "costs.yaml", catalog: .travel)
        if let prices { scenario.prices = prices.merging(scenario.prices) }
        return await ScenarioRunner.run(scenario)
    }

    @Test func tokensByKindPerAgentAndAnUnpricedAgentMakesTheCostUnknown() async throws {
        let outcome = try await Self.run(Self.world())
        #expect(outcome.failures.isEmpty, "\(outcome.failures)")
        let costs = outcome.record.costs
        #expect(costs.tokens == TokenCounts(input: 2900, output: 110, cached: 1800))
        #expect(costs.tokens.total == 3010)
        let coordinator = try #require(costs.agents.first { $0.agent == "coordinator" })
        #expect(coordinator.tokens == TokenCounts(input: 2200, output: 70, cached: 1800))
        // 400 uncached × 2 + 1800 cached × 0.5 + 70 × 8, per million.
        #expect(abs(try #require(coordinator.cost) - 0.00226) < 1e-12)
        #expect(coordinator.price?.source == "scenario")
        let booker = try #require(costs.agents.first { $0.agent == "booker" })
        #expect(booker.tokens == TokenCounts(input: 700, output: 40))
        #expect(booker.cost == nil)
        #expect(costs.cost == nil)
        #expect(costs.unpriced == ["booker (scripted/booker)"])
        #expect(costs.costText == "cost unknown (no price for booker (scripted/booker))")
        #expect(outcome.record.cost == nil)
    }

    @Test func theCostExpectationFailsOnAnUnknownCostAndPassesOncePriced() async throws {
        let unknown = try await Self.run(Self.world() + "  - cost: {max: 1}\n")
        let failure = try #require(unknown.failures.first { $0.name == "cost" })
        #expect(failure.message.hasPrefix("cost unknown (no price for booker (scripted/booker)), expected at most 1"), "\(failure.message)")
        // The scenario's prices: block prices the scripted booker (by provider/model).
        let priced = try await Self.run(
            Self.world(prices: "prices:\n  scripted/booker: {input: 1, output: 4}") + "  - cost: {min: 0.00311, max: 0.00313}\n")
        #expect(priced.failures.isEmpty, "\(priced.failures)")
        let booker = try #require(priced.record.costs.agents.first { $0.agent == "booker" })
        #expect(booker.price?.source == "prices")
        #expect(abs(try #require(booker.cost) - 0.00086) < 1e-12)  // 700 × 1 + 40 × 4
    }

    @Test func aPriceFileFillsInAndTheScenarioWins() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("prices-\(UUID().uuidString).yaml").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "prices:\n  booker: {input: 10, output: 10}\n  coordinator: {input: 99, output: 99}\n".write(
            toFile: file, atomically: true, encoding: .utf8)
        let table = try PriceTable.load(file: file)
        #expect(table.entries["booker"]?.source == file)
        let outcome = try await Self.run(Self.world(), prices: table)
        let costs = outcome.record.costs
        // The file prices the booker (a name alone matches any provider); the coordinator's own price wins.
        #expect(costs.agents.first { $0.agent == "booker" }?.price?.input == 10)
        #expect(costs.agents.first { $0.agent == "coordinator" }?.price?.input == 2)
        #expect(costs.cost != nil)
        // And a scenario's prices: block wins over the file.
        let scenario = try Scenario(
            parsing: Self.world(prices: "prices:\n  booker: {input: 1, output: 1}"), file: "costs.yaml", catalog: .travel)
        #expect(table.merging(scenario.prices).price(provider: "scripted", model: "booker")?.input == 1)
    }

    @Test func recordedModelsArePricedFromTheBundledTable() async throws {
        let file = try #require(ScenarioTests.files(in: "Scenarios").first { $0.name == "recorded-openai.yaml" })
        let outcome = await ScenarioRunner.run(try Scenario.load(file: file.path, catalog: .travel))
        #expect(outcome.failures.isEmpty, "\(outcome.failures)")
        let price = try #require(outcome.record.prices["assistant"])
        #expect(price == PriceTable.bundled.entries["openai/gpt-4o"])
        #expect(price.source == "bundled \(PriceTable.bundledDate)")
        #expect(outcome.record.models["assistant"] == "openai/gpt-4o")
        let usage = outcome.record.totalUsage.agents
        #expect(usage.totalTokens > 0)
        #expect(outcome.record.cost == price.cost(of: usage))
    }

    @Test(arguments: [
        ("openai", "gpt-4o-2024-08-06", 2.50), ("openai", "gpt-4o-mini-2024-07-18", 0.15), ("anthropic", "claude-sonnet-4-5-20250929", 3),
        ("gemini", "gemini-2.0-flash-001", 0.10), ("anthropic", "claude-haiku-4-5-latest", 1),
    ])
    func datedSnapshotsFindTheirFamilysPrice(provider: String, model: String, input: Double) {
        #expect(PriceTable.bundled.price(provider: provider, model: model)?.input == input)
    }

    @Test(arguments: [
        ("openai", "gpt-5-pro"), ("openai", "gpt-4o-audio-preview"), ("anthropic", "claude-sonnet-4-5-fast"), ("groq", "gpt-4o"),
        ("scripted", "planner"), ("ollama", "llama3.1"),
    ])
    func otherModelsHaveNoPrice(provider: String, model: String) {
        #expect(PriceTable.bundled.price(provider: provider, model: model) == nil)
    }

    @Test func unversionedNamesOnlyDropVersions() {
        #expect(PriceTable.unversioned("gpt-4o-2024-08-06") == ["gpt-4o"])
        #expect(PriceTable.unversioned("claude-3-5-haiku-20241022") == ["claude-3-5-haiku"])
        #expect(PriceTable.unversioned("claude-sonnet-4-5") == [])
        #expect(PriceTable.unversioned("gemini-2.0-flash-001") == ["gemini-2.0-flash"])
        #expect(PriceTable.unversioned("x-latest") == ["x"])
    }

    @Test func cachedTokensAreBilledAtTheCachedRateOrAsInput() {
        let usage = Usage(inputTokens: 1_000_000, outputTokens: 1_000_000, cachedInputTokens: 600_000)
        #expect(RunRecord.Price(input: 3, output: 15, cached: 0.3).cost(of: usage) == 1.2 + 0.18 + 15)
        #expect(RunRecord.Price(input: 3, output: 15).cost(of: usage) == 3 + 15)
    }

    @Test(arguments: [
        ("prices: {gpt-4o: {input: 1}}", "prices.gpt-4o: a price needs output"),
        ("prices: {gpt-4o: {input: -1, output: 1}}", "prices.gpt-4o.input: input must be a non-negative number"),
        ("prices: {gpt-4o: {input: 1, output: 1, cache: 1}}", "prices.gpt-4o.cache: unknown field cache (did you mean cached?)"),
        ("prices: [1]", "prices: expected a mapping"),
    ])
    func badPricesNameTheField(block: String, message: String) {
        #expect {
            _ = try Scenario(parsing: Self.world(prices: block), file: "costs.yaml", catalog: .travel)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func theRecordKeepsModelsAndPricesThroughJSON() async throws {
        let outcome = try await Self.run(Self.world())
        let text = try outcome.record.jsonText()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("record-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let loaded = try RunRecord.load(file: file)
        #expect(loaded == outcome.record)
        #expect(loaded.costs == outcome.record.costs)
        #expect(loaded.models == ["coordinator": "scripted/coordinator", "booker": "scripted/booker"])
    }

    @Test func reportsShowTokensAndCostsPerScenarioAndAgent() async throws {
        let outcome = try await Self.run(Self.world(prices: "prices:\n  scripted/booker: {input: 1, output: 4}"))
        let text = TerminalReport.summary([outcome], color: false)
        #expect(text.contains("3010 tokens (in 2900, out 110, cached 1800), $0.003120"), "\(text)")
        #expect(text.contains("    coordinator: 2270 tokens (in 2200, out 70, cached 1800), $0.002260"), "\(text)")
        #expect(text.contains("    booker: 740 tokens (in 700, out 40), $0.000860"), "\(text)")

        let json = JSONReport.scenario(outcome)
        #expect(json["costs"]?["tokens"] == ["input": 2900, "output": 110, "cached": 1800, "summarizer": 0, "judge": 0, "total": 3010])
        #expect(json["costs"]?["agents"]?["booker"]?["costUSD"]?.doubleValue.map { abs($0 - 0.00086) < 1e-12 } == true)
        #expect(json["costs"]?["agents"]?["booker"]?["priceSource"] == "prices")

        let xml = JUnitReport.xml([outcome], suiteName: "s", wallTime: nil)
        for property in [
            #"name="tokens_input" value="2900""#, #"name="tokens_cached" value="1800""#, #"name="tokens_total" value="3010""#,
            #"name="cost_usd" value="0.003120""#, #"name="agent.booker.tokens" value="740""#, #"name="agent.booker.cost_usd" value="0.000860""#,
        ] {
            #expect(xml.contains(property), "\(property)")
        }
        let unknown = try await Self.run(Self.world())
        #expect(JUnitReport.xml([unknown], suiteName: "s", wallTime: nil).contains(#"name="cost_usd" value="unknown""#))
        #expect(JSONReport.scenario(unknown)["costs"]?["costUSD"] == .some(.null))

        let page = HTMLReport.page(for: outcome)
        let parsed = try #require(ReportsXMLChecker.parse(page), "\(ReportsXMLChecker.problem(page))")
        let rows = parsed.all("tr").filter { $0.attributes["class"] == "cost" }
        #expect(rows.map(\.text).contains { $0.hasPrefix("bookerscripted/booker70040") })
        #expect(HTMLReport.index([outcome]).contains("<td>3010</td><td>$0.003120</td>"))
    }
}
