import Foundation
import Micro
import MicroAgent

/// Tokens by kind, kept apart: the agents' own input (``cached`` is the part of it served from a prompt
/// cache), their output, their memory summarizers' (input and output) and the judges'.
public struct TokenCounts: Sendable, Hashable {
    public var input: Int
    public var output: Int
    public var cached: Int
    public var summarizer: Int
    public var judge: Int

    public init(input: Int = 0, output: Int = 0, cached: Int = 0, summarizer: Int = 0, judge: Int = 0) {
        self.input = input
        self.output = output
        self.cached = cached
        self.summarizer = summarizer
        self.judge = judge
    }

    /// What the system under test spent: the agents' input and output and their summarizers' tokens (what
    /// the `tokens` expectation counts). Judges grade it from outside and are not in it.
    public var total: Int { input + output + summarizer }

    /// `{"input", "output", "cached", "summarizer", "judge", "total"}`.
    public var jsonValue: JSONValue {
        [
            "input": .integer(input), "output": .integer(output), "cached": .integer(cached), "summarizer": .integer(summarizer),
            "judge": .integer(judge), "total": .integer(total),
        ]
    }

    /// `1234 tokens (in 1000, out 200, cached 512, summarizer 34, judge 80)`, leaving out kinds that are 0
    /// (and the parentheses when only input and output are left).
    public var text: String {
        var parts = ["in \(input)", "out \(output)"]
        if cached > 0 { parts.append("cached \(cached)") }
        if summarizer > 0 { parts.append("summarizer \(summarizer)") }
        if judge > 0 { parts.append("judge \(judge)") }
        return "\(total) tokens (\(parts.joined(separator: ", ")))"
    }
}

/// One agent's tokens and cost over every run of the record: its model's and its memory summarizer's.
public struct AgentCost: Sendable, Hashable {
    public var agent: String
    /// Its model and its summarizer's, as `provider/model`.
    public var model: String?
    public var summarizerModel: String?
    public var usage: Usage
    public var summarizerUsage: Usage
    public var price: RunRecord.Price?
    public var summarizerPrice: RunRecord.Price?

    /// Its tokens by kind (no judge tokens: judges are nobody's agent).
    public var tokens: TokenCounts {
        TokenCounts(
            input: usage.inputTokens, output: usage.outputTokens, cached: usage.cachedInputTokens,
            summarizer: summarizerUsage.totalTokens)
    }

    /// Its model's cost in USD; 0 when it used no tokens, nil when it did and its price is unknown.
    public var modelCost: Double? { RunCosts.cost(usage, price) }
    /// Its summarizer's cost in USD, the same way.
    public var summarizerCost: Double? { RunCosts.cost(summarizerUsage, summarizerPrice) }
    /// Both; nil when either is unknown.
    public var cost: Double? { modelCost.flatMap { model in summarizerCost.map { model + $0 } } }
}

/// One judge's tokens and cost.
public struct JudgeCost: Sendable, Hashable {
    /// ``JudgeVerdict/id``.
    public var id: String
    public var model: String
    public var usage: Usage
    public var price: RunRecord.Price?
    /// Its cost in USD; nil when it used tokens and its price is unknown.
    public var cost: Double? { RunCosts.cost(usage, price) }
}

/// A run record's tokens and costs per agent and per judge, and in total: computed from the record alone
/// (its Trace's usage and its prices). A cost is nil — unknown — when tokens were spent by a model with no
/// known price; it is never taken as 0.
public struct RunCosts: Sendable, Hashable {
    /// Every agent that used tokens or is declared with a price, by name.
    public var agents: [AgentCost]
    public var judges: [JudgeCost]

    public init(agents: [AgentCost], judges: [JudgeCost]) {
        self.agents = agents
        self.judges = judges
    }

    /// Tokens by kind over every agent, summarizer and judge.
    public var tokens: TokenCounts {
        var counts = agents.reduce(TokenCounts()) { total, agent in
            let tokens = agent.tokens
            return TokenCounts(
                input: total.input + tokens.input, output: total.output + tokens.output, cached: total.cached + tokens.cached,
                summarizer: total.summarizer + tokens.summarizer)
        }
        counts.judge = judges.reduce(0) { $0 + $1.usage.totalTokens }
        return counts
    }

    /// What the agents and their summarizers cost, in USD; nil when one's price is unknown.
    public var cost: Double? { Self.sum(agents.map(\.cost)) }
    /// The summarizers' share of ``cost``.
    public var summarizerCost: Double? { Self.sum(agents.map(\.summarizerCost)) }
    /// What the judges cost, in USD (apart from ``cost``); nil when one's price is unknown.
    public var judgeCost: Double? { Self.sum(judges.map(\.cost)) }

    /// The models that spent tokens with no known price: `planner (scripted/planner)`,
    /// `planner's summarizer (scripted/planner-summarizer)`, then the judges' (`expect[2].judge (openai/gpt-x)`).
    public var unpriced: [String] { unpricedAgents + judges.filter { $0.cost == nil }.map { "\($0.id) (\($0.model))" } }

    /// The agents and summarizers among ``unpriced`` (what makes ``cost`` unknown).
    public var unpricedAgents: [String] {
        var names: [String] = []
        for agent in agents {
            if agent.modelCost == nil { names.append("\(agent.agent) (\(agent.model ?? "unknown model"))") }
            if agent.summarizerCost == nil {
                names.append("\(agent.agent)'s summarizer (\(agent.summarizerModel ?? "unknown model"))")
            }
        }
        return names
    }

    /// `$0.001234`, or `cost unknown (no price for planner (scripted/planner))`.
    public var costText: String {
        guard let cost else { return "cost unknown (no price for \(unpricedAgents.joined(separator: ", ")))" }
        return Self.usd(cost)
    }

    /// `$0.001234`: six decimals, enough for small scripted runs.
    public static func usd(_ value: Double) -> String { "$" + String(format: "%.6f", value) }

    /// The cost of `usage` at `price`: 0 with no tokens, nil with tokens and no price.
    static func cost(_ usage: Usage, _ price: RunRecord.Price?) -> Double? {
        guard usage.totalTokens > 0 else { return 0 }
        return price?.cost(of: usage)
    }

    private static func sum(_ costs: [Double?]) -> Double? {
        costs.reduce(Optional(0.0)) { total, cost in total.flatMap { total in cost.map { total + $0 } } }
    }

    /// `{"tokens", "costUSD", "summarizerCostUSD", "judgeCostUSD", "unpriced", "agents": {NAME: …}, "judges": […]}`,
    /// unknown costs as null.
    public var jsonValue: JSONValue {
        func usd(_ value: Double?) -> JSONValue { value.map(JSONValue.number) ?? .null }
        var byAgent: [String: JSONValue] = [:]
        for agent in agents {
            byAgent[agent.agent] = [
                "model": agent.model.map(JSONValue.string) ?? .null, "tokens": agent.tokens.jsonValue, "costUSD": usd(agent.cost),
                "summarizerCostUSD": usd(agent.summarizerCost), "priceSource": agent.price?.source.map(JSONValue.string) ?? .null,
            ]
        }
        return [
            "tokens": tokens.jsonValue, "costUSD": usd(cost), "summarizerCostUSD": usd(summarizerCost),
            "judgeCostUSD": usd(judgeCost), "unpriced": .array(unpriced.map(JSONValue.string)), "agents": .object(byAgent),
            "judges": .array(judges.map { judge in
                ["id": .string(judge.id), "model": .string(judge.model), "tokens": .integer(judge.usage.totalTokens), "costUSD": usd(judge.cost)]
            }),
        ]
    }
}

extension RunRecord {
    /// Tokens and costs per agent and judge, from the Trace's usage and the record's prices.
    public var costs: RunCosts {
        let usage = usageByAgent
        let summarizer = summarizerUsageByAgent
        let names = Set(usage.keys).union(summarizer.keys).union(prices.keys).union(summarizerPrices.keys)
        let agents = names.sorted().map { name in
            AgentCost(
                agent: name, model: models[name], summarizerModel: models["\(name)/summarizer"], usage: usage[name] ?? Usage(),
                summarizerUsage: summarizer[name] ?? Usage(),
                price: prices[name], summarizerPrice: summarizerPrices[name])
        }
        let judges = judgeVerdicts.map { verdict in
            JudgeCost(id: verdict.id, model: verdict.model, usage: verdict.usage, price: judgePrices[verdict.id])
        }
        return RunCosts(agents: agents, judges: judges)
    }

    /// The judges' verdicts, in the order they were given.
    public var judgeVerdicts: [JudgeVerdict] { trace.compactMap(JudgeVerdict.init(event:)) }
}
