import Micro
import MicroAgent

/// `stages: [a, b, c]` or `{flow: NAME, sequence: [a, b, c]}`: every run of the flow (of every flow when
/// none is named; there must be at least one run) entered exactly these stages, in this order (a stage entered
/// again by a resumed process counts once).
public struct StagesExpectation: ScenarioExpectation {
    public static let name = "stages"
    public var flow: String?
    public var sequence: [String]

    public init(flow: String? = nil, sequence: [String]) {
        self.flow = flow
        self.sequence = sequence
    }

    public init(parsing node: YAMLNode) throws(ScenarioError) {
        if case .some = try? node.strings() {
            self.init(sequence: try node.strings())
        } else {
            let map = try node.mapping(["flow", "sequence"])
            self.init(flow: try map["flow"]?.string(), sequence: try map.required("sequence").strings())
        }
        if sequence.isEmpty { throw node.error("stages lists at least one stage") }
    }

    /// Each flow run's stages entered, in order, by run id.
    public static func stages(in record: RunRecord, flow: String?) -> [(runID: String, stages: [String])] {
        let runs = FlowRunsExpectation.runs(in: record, flow: flow)
        return runs.map { runID in
            var stages: [String] = []
            for event in record.trace where event.runID == runID && event.kind == .stageEntered {
                if let stage = event.data["stage"]?.stringValue, stages.last != stage { stages.append(stage) }
            }
            return (runID, stages)
        }
    }

    public func check(_ record: RunRecord) -> Verdict {
        let found = Self.stages(in: record, flow: flow)
        let wrong = found.filter { $0.stages != sequence }
        let text = found.map { "\($0.runID): \($0.stages.joined(separator: " → "))" }.joined(separator: "; ")
        let scope = flow.map { " of \($0)" } ?? ""
        guard !found.isEmpty else { return Verdict(false, "no flow run\(scope) happened") }
        return Verdict(wrong.isEmpty, "stages\(scope): \(text)" + (wrong.isEmpty ? "" : "; expected \(sequence.joined(separator: " → "))"))
    }
}

/// `verifications: {stage, attempts, rejected, passed}` (each `n` or `{min, max}`; `stage` optional): how many
/// attempts verifiers graded, over every flow run, each attempt once however often a resumed process graded it.
public struct VerificationsExpectation: ScenarioExpectation {
    public static let name = "verifications"
    public static let fields = ["attempts", "rejected", "passed"]
    public var bounds: [String: Bounds]
    public var stage: String?

    public init(bounds: [String: Bounds], stage: String? = nil) {
        self.bounds = bounds
        self.stage = stage
    }

    public init(parsing node: YAMLNode) throws(ScenarioError) {
        let map = try node.mapping(Self.fields + ["stage"])
        var bounds: [String: Bounds] = [:]
        for field in Self.fields {
            if let value = map[field] { bounds[field] = try Bounds(parsing: value) }
        }
        if bounds.isEmpty { throw node.error("verifications needs at least one of \(Self.fields.joined(separator: ", "))") }
        self.init(bounds: bounds, stage: try map["stage"]?.string())
    }

    public func counts(in record: RunRecord) -> [String: Int] {
        var verdicts: [String: Bool] = [:]
        for event in record.trace where event.kind == .verification {
            let stage = event.data["stage"]?.stringValue ?? ""
            guard self.stage.map({ $0 == stage }) ?? true else { continue }
            let key = "\(event.runID) \(stage) \(event.data["iteration"]?.intValue ?? 0) \(event.data["attempt"]?.intValue ?? 0)"
            verdicts[key] = event.data["passed"]?.boolValue ?? false
        }
        return ["attempts": verdicts.count, "passed": verdicts.values.count { $0 }, "rejected": verdicts.values.count { !$0 }]
    }

    public func check(_ record: RunRecord) -> Verdict {
        let counts = counts(in: record)
        let misses = Self.fields.compactMap { field -> String? in
            guard let bounds = bounds[field], !bounds.contains(Double(counts[field] ?? 0)) else { return nil }
            return "\(field) \(bounds)"
        }
        let found = Self.fields.map { "\(counts[$0] ?? 0) \($0)" }.joined(separator: ", ")
        let scope = stage.map { " of \($0)" } ?? ""
        return Verdict(misses.isEmpty, "verifications\(scope): \(found)" + (misses.isEmpty ? "" : "; expected " + misses.joined(separator: ", ")))
    }
}

/// `loop_iterations: n` or `{stage, count | min | max, ended_by: condition | cap}`: accepted loop iterations over
/// every flow run (each once), and how the loops ended: `condition` (the code or the model said done) or `cap`
/// (the iteration limit).
public struct LoopIterationsExpectation: ScenarioExpectation {
    public static let name = "loop_iterations"
    public var bounds: Bounds
    public var stage: String?
    public var endedBy: String?

    public init(bounds: Bounds, stage: String? = nil, endedBy: String? = nil) {
        self.bounds = bounds
        self.stage = stage
        self.endedBy = endedBy
    }

    public init(parsing node: YAMLNode) throws(ScenarioError) {
        if node.isScalar {
            self.init(bounds: try Bounds(parsing: node))
            return
        }
        let map = try node.mapping(["stage", "count", "min", "max", "ended_by"])
        let ended = try map["ended_by"]?.string()
        if let ended, !["condition", "cap"].contains(ended) { throw map["ended_by"]!.error("ended_by is condition or cap, not \(ended)") }
        self.init(bounds: try Bounds(parsing: map, default: Bounds()), stage: try map["stage"]?.string(), endedBy: ended)
    }

    public func check(_ record: RunRecord) -> Verdict {
        var iterations: [String: (done: Bool, capped: Bool)] = [:]
        for event in record.trace where event.kind == .loopIteration {
            let stage = event.data["stage"]?.stringValue ?? ""
            guard self.stage.map({ $0 == stage }) ?? true else { continue }
            iterations["\(event.runID) \(stage) \(event.data["iteration"]?.intValue ?? 0)"] =
                (event.data["done"]?.boolValue ?? false, event.data["capped"]?.boolValue ?? false)
        }
        let byCondition = iterations.values.count { $0.done }, byCap = iterations.values.count { $0.capped }
        var problems: [String] = []
        if !bounds.contains(Double(iterations.count)) { problems.append("iterations \(bounds)") }
        if endedBy == "condition" && (byCondition == 0 || byCap > 0) { problems.append("every loop ended by its condition") }
        if endedBy == "cap" && (byCap == 0 || byCondition > 0) { problems.append("every loop ended by its cap") }
        let scope = stage.map { " of \($0)" } ?? ""
        return Verdict(
            problems.isEmpty,
            "loop iterations\(scope): \(iterations.count), \(byCondition) ended by the condition, \(byCap) by the cap"
                + (problems.isEmpty ? "" : "; expected " + problems.joined(separator: ", ")))
    }
}

/// `flow_runs: n` or `{flow, count | min | max}`: how many flow runs were started (each run id once).
public struct FlowRunsExpectation: ScenarioExpectation {
    public static let name = "flow_runs"
    public var bounds: Bounds
    public var flow: String?

    public init(bounds: Bounds, flow: String? = nil) {
        self.bounds = bounds
        self.flow = flow
    }

    public init(parsing node: YAMLNode) throws(ScenarioError) {
        if node.isScalar {
            self.init(bounds: try Bounds(parsing: node))
        } else {
            let map = try node.mapping(["flow", "count", "min", "max"])
            self.init(bounds: try Bounds(parsing: map, default: Bounds(min: 1)), flow: try map["flow"]?.string())
        }
    }

    /// The flow runs started, in order (each once), of `flow` or of every flow.
    public static func runs(in record: RunRecord, flow: String?) -> [String] {
        var runs: [String] = []
        for event in record.trace where event.kind == .flowTriggered && !runs.contains(event.runID) {
            if flow.map({ $0 == event.data["flow"]?.stringValue }) ?? true { runs.append(event.runID) }
        }
        return runs
    }

    public func check(_ record: RunRecord) -> Verdict {
        let runs = Self.runs(in: record, flow: flow)
        let scope = flow.map { " of \($0)" } ?? ""
        return Verdict(bounds.contains(Double(runs.count)), "\(runs.count) flow run(s)\(scope) (\(runs.joined(separator: ", "))), expected \(bounds)")
    }
}
