import Micro
import MicroAgent

/// Everything one scenario run left behind, as one immutable value: the Trace and the facts read off the
/// world when the run ended. Expectations, reports, chaos summaries and diffs read records, never a live
/// world; a record saved as JSON (``json``, ``init(json:)``) can be checked again without running.
public struct RunRecord: Sendable, Hashable {
    /// The scenario's name and file.
    public var scenario: String
    public var file: String
    public var seed: UInt64
    /// The top-level run's id.
    public var runID: String
    /// How the top-level run ended, unless running it threw.
    public var result: RunResult?
    /// An error that escaped the run (a harness or infrastructure failure, not a graceful run failure).
    public var error: String?
    public var trace: [TraceEvent]
    /// Simulated or real process crashes the run went through.
    public var crashes: Int
    /// Virtual time the run took.
    public var virtualDuration: Duration

    // MARK: End-of-run facts

    /// Non-optional faults of the plan that never fired.
    public var unfiredFaults: [UnfiredFault]
    /// Runs whose checkpoint sequence is not 1, 2, … without a gap, as `runID: [sequences]`.
    public var checkpointGaps: [String]
    /// The side-effect ledger, in the order effects were recorded.
    public var sideEffects: [SideEffect]
    /// Recorded interactions no request used, per agent.
    public var unusedRecordings: [String]
    /// Each agent's model context window, in tokens.
    public var contextWindows: [String: Int]
    /// Each agent's model price (USD per million tokens), for the agents whose price is known (given in the
    /// scenario or found in a price table, ``PriceTable``); an agent missing here has no known price.
    public var prices: [String: Price]
    /// Problems reading the facts above (a store that could not be read); each fails the run's checks.
    public var factErrors: [String]
    /// Every model request as its provider received it, measured when it was sent (by run, agent, in order).
    public var requestMeasures: [RequestMeasure]
    /// Each agent's memory summarizer's price, for the agents that have one with a known price.
    public var summarizerPrices: [String: Price]
    /// The model each agent (`NAME`), memory summarizer (`NAME/summarizer`) and judge (``JudgeVerdict/id``)
    /// used, as `provider/model` (`scripted/NAME` for scripted turns), so that a missing price names it.
    public var models: [String: String]
    /// Each judge's model price, by ``JudgeVerdict/id``, for the judges whose price is known.
    public var judgePrices: [String: Price]
    /// Each agent's model provider (``ModelInfo/provider``: `anthropic`, `openai`, `scripted`, …).
    public var providers: [String: String]

    /// A fault that should have fired and did not.
    public struct UnfiredFault: Sendable, Hashable, Codable {
        public var label: String
        /// Its line in the scenario file.
        public var line: Int
        public init(label: String, line: Int) {
            self.label = label
            self.line = line
        }
    }

    /// USD per million tokens.
    public struct Price: Sendable, Hashable, Codable {
        public var input: Double
        public var output: Double
        /// USD per million cached input tokens (``Usage/cachedInputTokens``); nil bills them as input.
        public var cached: Double?
        /// Where the price came from: `scenario`, `prices` (the scenario's `prices:` block), a `--prices`
        /// file's path, or `bundled YYYY-MM-DD` (``PriceTable/bundled``); nil when not said.
        public var source: String?

        public init(input: Double, output: Double, cached: Double? = nil, source: String? = nil) {
            self.input = input
            self.output = output
            self.cached = cached
            self.source = source
        }

        /// What `usage` costs at this price, in USD: uncached input, cached input and output.
        public func cost(of usage: Usage) -> Double {
            let cachedTokens = min(max(usage.cachedInputTokens, 0), usage.inputTokens)
            let uncached = Double(usage.inputTokens - cachedTokens) * input
            return (uncached + Double(cachedTokens) * (cached ?? input) + Double(usage.outputTokens) * output) / 1e6
        }
    }

    public init(
        scenario: String, file: String, seed: UInt64, runID: String, result: RunResult?, error: String?,
        trace: [TraceEvent], crashes: Int = 0, virtualDuration: Duration = .zero, unfiredFaults: [UnfiredFault] = [],
        checkpointGaps: [String] = [], sideEffects: [SideEffect] = [], unusedRecordings: [String] = [],
        contextWindows: [String: Int] = [:], prices: [String: Price] = [:], factErrors: [String] = [],
        requestMeasures: [RequestMeasure] = [], summarizerPrices: [String: Price] = [:], models: [String: String] = [:],
        judgePrices: [String: Price] = [:], providers: [String: String] = [:]
    ) {
        self.scenario = scenario
        self.file = file
        self.seed = seed
        self.runID = runID
        self.result = result
        self.error = error
        self.trace = trace
        self.crashes = crashes
        self.virtualDuration = virtualDuration
        self.unfiredFaults = unfiredFaults
        self.checkpointGaps = checkpointGaps
        self.sideEffects = sideEffects
        self.unusedRecordings = unusedRecordings
        self.contextWindows = contextWindows
        self.prices = prices
        self.factErrors = factErrors
        self.requestMeasures = requestMeasures
        self.summarizerPrices = summarizerPrices
        self.models = models
        self.judgePrices = judgePrices
        self.providers = providers
    }

    // MARK: Readings

    /// The Trace as canonical JSON lines (what golden files hold).
    public var traceText: String {
        let encoder = JSONValueEncoder()
        return trace.map { ((try? encoder.encode($0).canonicalString()) ?? "") + "\n" }.joined()
    }

    /// Every tool call, in order.
    public var toolCalls: [(name: String, arguments: JSONValue)] { trace.compactMap(\.toolCall) }

    /// Tokens the agents' models used, per agent, over every run (their summarizers apart).
    public var usageByAgent: [String: Usage] {
        trace.reduce(into: [:]) { totals, event in
            guard let usage = event.usage else { return }
            totals[event.agent] = (totals[event.agent] ?? Usage()) + usage
        }
    }

    /// Tokens the agents' memory summarizers used, per agent, over every run.
    public var summarizerUsageByAgent: [String: Usage] {
        trace.reduce(into: [:]) { totals, event in
            guard let usage = event.summarizerUsage else { return }
            totals[event.agent] = (totals[event.agent] ?? Usage()) + usage
        }
    }

    /// Tokens used by every model of the run: the agents' and their summarizers'.
    public var totalUsage: (agents: Usage, summarizers: Usage, total: Usage) {
        let agents = usageByAgent.values.reduce(Usage(), +)
        let summarizers = summarizerUsageByAgent.values.reduce(Usage(), +)
        return (agents, summarizers, agents + summarizers)
    }

    /// Cost in USD of the agents' and their summarizers' tokens, over every run; nil when a model that used
    /// tokens has no known price (``costs`` says which). Judges are apart (``RunCosts/judgeCost``).
    public var cost: Double? { costs.cost }

    /// The summarizers' share of ``cost``; nil when one that used tokens has no known price.
    public var summarizerCost: Double? { costs.summarizerCost }

    /// Keys whose side effect was recorded more than once, with how many times.
    public var duplicateSideEffects: [String: Int] {
        sideEffects.reduce(into: [String: Int]()) { $0[$1.key, default: 0] += 1 }.filter { $0.value > 1 }
    }
}
