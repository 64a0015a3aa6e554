import Foundation
import Micro
import MicroAgent

/// One side of a ``TraceDiff``: a file the harness wrote, read into runs of steps, ledger entries and facts.
/// Which kind of file it is is told by its content (``Format``).
public struct DiffSubject: Sendable, Hashable {
    /// The kinds of file the diff reads.
    public enum Format: String, Sendable, Hashable {
        /// Trace events, one canonical JSON object per line (`micro run --trace`, golden files) or a JSON array.
        case trace
        /// A ``RunRecord`` (`micro run --save-record`, `micro test --save-records`).
        case runRecord = "run_record"
        /// A ``JSONReport`` (`micro test --json`, `micro check --json`): one run per scenario, facts only.
        case scenarioResults = "scenario_results"
        /// A checkpoint (`micro runs show --json`): steps read from the conversation it holds.
        case checkpoint
        /// Run summaries (`micro runs list --json`): one run per run ID, facts only.
        case runList = "run_list"
        /// A ``ChaosSummary`` (`micro run --summary`): facts and ledger entries.
        case runSummary = "run_summary"
    }

    /// One run to compare: its steps (nil when the file has none), its ledger (nil when the file has none),
    /// and facts about it (status, output, totals…) as a JSON object.
    public struct Run: Sendable, Hashable {
        /// What pairs it with a run of the other side: a scenario file, a run ID.
        public var name: String
        public var steps: [DiffStep]?
        public var sideEffects: [SideEffect]?
        public var facts: JSONValue
        /// The Trace the steps were read from, when there was one (for timelines).
        public var trace: [TraceEvent]

        public init(
            name: String, steps: [DiffStep]?, sideEffects: [SideEffect]? = nil, facts: JSONValue = .object([:]), trace: [TraceEvent] = []
        ) {
            self.name = name
            self.trace = trace
            self.steps = steps.map { steps in
                steps.enumerated().map { offset, step in
                    var step = step
                    step.index = offset + 1
                    return step
                }
            }
            self.sideEffects = sideEffects
            self.facts = facts
        }
    }

    public var file: String
    public var format: Format
    public var runs: [Run]

    public init(file: String, format: Format, runs: [Run]) {
        self.file = file
        self.format = format
        self.runs = runs
    }

    /// The run of a Trace.
    public init(file: String, trace: [TraceEvent]) {
        self.init(file: file, format: .trace, runs: [Run(name: "trace", steps: Self.steps(trace), facts: Self.facts(trace), trace: trace)])
    }

    /// The run of a record: the Trace's steps (costed with the record's prices), the ledger and the end-of-run facts.
    public init(file: String, record: RunRecord) {
        let usage = record.totalUsage
        var facts: [String: JSONValue] = [
            "status": .string(record.result?.status.rawValue ?? "error"),
            "output": record.result?.output.map(JSONValue.string) ?? .null,
            "failure": record.result?.failure.map { JSONValue.string("\($0.code): \($0.message)") } ?? .null,
            "error": record.error.map(JSONValue.string) ?? .null,
            "steps": .integer(record.result?.steps ?? 0), "crashes": .integer(record.crashes),
            "virtualDurationMs": .integer(Int(record.virtualDuration.milliseconds)),
            "tokens": [
                "input": .integer(usage.total.inputTokens), "output": .integer(usage.total.outputTokens),
                "summarizer": .integer(usage.summarizers.totalTokens),
            ],
            "unfiredFaults": .array(record.unfiredFaults.map { JSONValue.string($0.label) }),
            "checkpointGaps": .array(record.checkpointGaps.map(JSONValue.string)),
        ]
        if !record.prices.isEmpty || !record.summarizerPrices.isEmpty { facts["costUSD"] = record.cost.map(JSONValue.number) ?? .null }
        let steps = Self.steps(record.trace, prices: record.prices)
        self.init(
            file: file, format: .runRecord,
            runs: [
                Run(
                    name: record.file.isEmpty ? record.scenario : record.file, steps: steps, sideEffects: record.sideEffects, facts: .object(facts),
                trace: record.trace)
            ])
    }

    // MARK: Steps of a Trace

    /// The steps of `trace` in sequence order: model requests joined to their response or error, tool calls to
    /// their results (by run and call ID), checkpoints left out, every other event a step of its own.
    public static func steps(_ trace: [TraceEvent], prices: [String: RunRecord.Price] = [:]) -> [DiffStep] {
        var steps: [DiffStep] = []
        var openModel: [String: Int] = [:]  // run ID → step index
        var openTools: [String: Int] = [:]  // run ID + call ID → step index
        var requestTimes: [Int: Timestamp] = [:]
        for event in trace.sorted(by: { $0.sequence < $1.sequence }) {
            switch event.kind {
            case .checkpoint:
                continue
            case .modelRequest:
                // What the model did is the step's content; the request's size is a metric (it follows from
                // the conversation, so it differs after any earlier difference).
                var step = DiffStep(
                    kind: "model_call", agent: event.agent, runStep: event.step, sequence: event.sequence,
                    detail: ["model": event.data["model"] ?? .null])
                step.requestTokens = event.estimatedTokens
                openModel[event.runID] = steps.count
                requestTimes[steps.count] = event.at
                steps.append(step)
            case .modelResponse, .modelError:
                let index: Int
                if let open = openModel.removeValue(forKey: event.runID) {
                    index = open
                } else {
                    index = steps.count
                    steps.append(DiffStep(kind: "model_call", agent: event.agent, runStep: event.step, sequence: event.sequence))
                }
                var step = steps[index]
                var detail = step.detail.objectValue ?? [:]
                var data = Self.stripped(event.data)
                if event.kind == .modelResponse {
                    if case .object(var object) = data {
                        object["usage"] = nil
                        data = .object(object)
                    }
                    detail["response"] = Self.withoutCallIDs(data)
                    if let usage = event.usage {
                        step.inputTokens = usage.inputTokens
                        step.outputTokens = usage.outputTokens
                        if let price = prices[event.agent] {
                            step.costUSD = price.cost(of: usage)
                        }
                    }
                } else {
                    detail["error"] = data
                }
                step.detail = .object(detail)
                step.runStep = event.step
                if let start = requestTimes[index] { step.latencyMs = Int(event.at.duration(since: start).milliseconds) }
                steps[index] = step
            case .toolCall:
                let call = event.toolCall
                openTools["\(event.runID)\u{0}\(event.data["callID"]?.stringValue ?? "")"] = steps.count
                requestTimes[steps.count] = event.at
                steps.append(DiffStep(
                    kind: "tool_call", agent: event.agent, name: call?.name ?? "", runStep: event.step, sequence: event.sequence,
                    arguments: call?.arguments ?? .null, detail: [:]))
            case .toolResult:
                let key = "\(event.runID)\u{0}\(event.data["callID"]?.stringValue ?? "")"
                let result: JSONValue = [
                    "result": event.data["content"] ?? .null, "isError": .bool(event.data["isError"]?.boolValue ?? false),
                ]
                guard let index = openTools.removeValue(forKey: key) else {
                    steps.append(DiffStep(
                        kind: "tool_result", agent: event.agent, name: event.data["tool"]?.stringValue ?? "", runStep: event.step,
                        sequence: event.sequence, detail: result))
                    continue
                }
                steps[index].detail = result
                if let start = requestTimes[index] { steps[index].latencyMs = Int(event.at.duration(since: start).milliseconds) }
            default:
                steps.append(DiffStep(
                    kind: event.kind.rawValue, agent: event.agent, name: Self.name(of: event), runStep: event.step,
                    sequence: event.sequence, detail: Self.stripped(event.data)))
            }
        }
        return steps
    }

    /// What names an event's step: the tool, the agent delegated to, the failure code, the fault.
    static func name(of event: TraceEvent) -> String {
        for key in ["tool", "to", "code", "kind"] {
            if let value = event.data[key]?.stringValue { return value }
        }
        return ""
    }

    /// Event data without the identifiers that differ between runs doing the same thing (call IDs).
    static func stripped(_ data: JSONValue) -> JSONValue {
        guard case .object(var object) = data else { return data }
        object["callID"] = nil
        return .object(object)
    }

    /// How a Trace's first run ended, and the tokens its models used.
    static func facts(_ trace: [TraceEvent]) -> JSONValue {
        let firstRun = trace.first?.runID
        let end = trace.last { $0.runID == firstRun && [.completed, .failed, .paused, .cancelled].contains($0.kind) }
        let usage = trace.compactMap(\.usage).reduce(Usage(), +)
        return [
            "status": end.map { JSONValue.string($0.kind.rawValue) } ?? .null,
            "output": end?.data["output"] ?? .null,
            "events": .integer(trace.count),
            "tokens": ["input": .integer(usage.inputTokens), "output": .integer(usage.outputTokens)],
        ]
    }
}
