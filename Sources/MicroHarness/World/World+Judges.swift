import Micro
import MicroAgent

extension World {
    /// `record` with the verdicts of the scenario's judges (``JudgeExpectation``): each judge is asked about
    /// `record` as it stands, its verdict appended to the Trace as a `judge_verdict` event, its price and model
    /// noted, and the interactions its cassette did not use reported.
    func judged(_ record: RunRecord) async -> RunRecord {
        let judges = scenario.expectations.compactMap { $0.expectation as? JudgeExpectation }
        guard !judges.isEmpty else { return record }
        var judged = record
        for judge in judges {
            let (verdict, cassette) = await Judge.verdict(judge, record: record, scenario: scenario, environment: environment)
            trace.append(
                .judgeVerdict, runID: scenario.run.runID, agent: "judge", step: record.result?.steps ?? 0, at: environment.now(),
                data: verdict.traceData)
            judged.models[judge.id] = verdict.model
            if let price = judge.model.resolvedPrice(owner: "judge", table: scenario.prices) { judged.judgePrices[judge.id] = price }
            if let cassette, !cassette.unusedInteractions.isEmpty {
                judged.unusedRecordings.append("\(judge.id): \(cassette.unusedReport)")
            }
        }
        judged.trace = trace.all
        return judged
    }
}

extension Scenario {
    /// The known prices of the agents' models and memory summarizers (``ModelSpec/resolvedPrice(owner:table:)``
    /// over ``prices``), and every one's model name, for the run record.
    var modelPricing: (prices: [String: RunRecord.Price], summarizerPrices: [String: RunRecord.Price], models: [String: String]) {
        var prices: [String: RunRecord.Price] = [:]
        var summarizerPrices: [String: RunRecord.Price] = [:]
        var models: [String: String] = [:]
        for agent in agents {
            let key = agent.model.priceKey(owner: agent.name)
            models[agent.name] = "\(key.provider)/\(key.model)"
            prices[agent.name] = agent.model.resolvedPrice(owner: agent.name, table: self.prices)
            if let summarizer = agent.memory.summarizer {
                let owner = "\(agent.name)-summarizer"
                let key = summarizer.priceKey(owner: owner)
                models["\(agent.name)/summarizer"] = "\(key.provider)/\(key.model)"
                summarizerPrices[agent.name] = summarizer.resolvedPrice(owner: owner, table: self.prices)
            }
        }
        return (prices, summarizerPrices, models)
    }
}
