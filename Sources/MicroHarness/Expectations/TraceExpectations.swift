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

/// `within_context_window: true`: every model request, as its provider received it, fits its model's context
/// window. The sizes are the world's own measures (``RunRecord/requestMeasures``: the request body the
/// adapter encoded, or the neutral request of a model with no wire, in tokens by the provider's
/// ``TokenizerRule``), never memory's estimate, so a memory that lets a request grow too large fails it.
/// A run with no measured request fails too: there was nothing to check.
public struct WithinContextWindowExpectation: ScenarioExpectation {
    public static let name = "within_context_window"
    public init() {}
    public init(parsing node: YAMLNode) throws(ScenarioError) {
        guard try node.bool() else { throw node.error("within_context_window can only be expected true") }
    }

    public func check(_ record: RunRecord) -> Verdict {
        let measures = record.requestMeasures
        guard let largest = measures.max(by: { $0.share < $1.share }) else {
            return Verdict(false, "no model request was measured (a model outside the world, or none was called)")
        }
        let over = measures.filter { $0.tokens > $0.contextWindow }
        guard let first = over.first else {
            return Verdict(
                true, "all \(measures.count) request(s) fit their context window (largest: \(largest.label), \(largest.sizeText))")
        }
        return Verdict(
            false,
            "\(over.count) of \(measures.count) request(s) exceed the context window, first \(first.label): \(first.sizeText)"
                + (over.count > 1 ? "; also " + over.dropFirst().prefix(3).map(\.label).joined(separator: ", ") : ""))
    }
}

extension RequestMeasure {
    /// The share of its window the request took.
    fileprivate var share: Double { contextWindow > 0 ? Double(tokens) / Double(contextWindow) : .infinity }
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
