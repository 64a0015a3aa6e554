import Micro
import MicroAgent

/// `resumed_from_step: N`: the run was resumed after a crash from this step.
public struct ResumedFromStepExpectation: ScenarioExpectation {
    public static let name = "resumed_from_step"
    public var step: Int
    public init(_ step: Int) { self.step = step }
    public init(parsing node: YAMLNode) throws(ScenarioError) { step = try node.int() }

    public func check(_ record: RunRecord) -> Verdict {
        let steps = record.trace.filter { $0.isResumeAfterCrash && $0.runID == record.runID }.map(\.step)
        return Verdict(steps.contains(step), "resumed after a crash from step(s) \(steps), expected step \(step)")
    }
}

/// `within_context_window: true`: no model request's estimated size exceeded its model's context window.
public struct WithinContextWindowExpectation: ScenarioExpectation {
    public static let name = "within_context_window"
    public init() {}
    public init(parsing node: YAMLNode) throws(ScenarioError) {
        guard try node.bool() else { throw node.error("within_context_window can only be expected true") }
    }

    public func check(_ record: RunRecord) -> Verdict {
        let requests = record.trace.filter { $0.estimatedTokens != nil }
        let over = requests.filter { event in
            guard let window = record.contextWindows[event.agent], let estimated = event.estimatedTokens else { return false }
            return estimated > window
        }
        let largest = requests.compactMap(\.estimatedTokens).max() ?? 0
        return Verdict(
            over.isEmpty,
            over.isEmpty
                ? "every request fits its context window (largest: \(largest) estimated tokens)"
                : "\(over.count) request(s) exceed the context window, first at trace #\(over[0].sequence)")
    }
}

/// `delegated: AGENT` or `{to, depth}`: a delegation to the agent happened, at `depth` when given.
public struct DelegatedExpectation: ScenarioExpectation {
    public static let name = "delegated"
    public var agent: String
    public var depth: Int?

    public init(to agent: String, depth: Int? = nil) {
        self.agent = agent
        self.depth = depth
    }

    public init(parsing node: YAMLNode) throws(ScenarioError) {
        if node.isScalar {
            self.init(to: try node.string())
        } else {
            let spec = try node.mapping(["to", "depth"])
            self.init(to: try spec.required("to").string(), depth: try spec["depth"]?.int())
        }
    }

    public func check(_ record: RunRecord) -> Verdict {
        let delegations = record.trace.compactMap(\.delegation)
        let found = delegations.contains { made in made.to == agent && (depth.map { made.depth == $0 } ?? true) }
        let made = delegations.map { "\($0.to) at depth \($0.depth)" }
        return Verdict(found, "delegations: [\(made.joined(separator: ", "))], expected \(agent)\(depth.map { " at depth \($0)" } ?? "")")
    }
}

/// `no_duplicate_side_effects: true`: every side effect in the ledger happened at most once per
/// idempotency key.
public struct NoDuplicateSideEffectsExpectation: ScenarioExpectation {
    public static let name = "no_duplicate_side_effects"
    public init() {}
    public init(parsing node: YAMLNode) throws(ScenarioError) {
        guard try node.bool() else { throw node.error("no_duplicate_side_effects can only be expected true") }
    }

    public func check(_ record: RunRecord) -> Verdict {
        let duplicates = record.duplicateSideEffects
        let text = duplicates.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
        return Verdict(duplicates.isEmpty, duplicates.isEmpty ? "every side effect happened once" : "duplicated side effects: \(text)")
    }
}
