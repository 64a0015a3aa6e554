import Micro
import MicroAgent

/// An expectation of a scenario, with its line in the file.
public struct ExpectationSpec: Sendable {
    public var expectation: Expectation
    public var line: Int

    public init(_ expectation: Expectation, line: Int = 0) {
        self.expectation = expectation
        self.line = line
    }
}

/// Inclusive count bounds; either side may be open.
public struct Bounds: Sendable, Hashable, CustomStringConvertible {
    public var min: Double?
    public var max: Double?

    public init(min: Double? = nil, max: Double? = nil) {
        self.min = min
        self.max = max
    }

    public static func exactly(_ value: Double) -> Bounds { Bounds(min: value, max: value) }

    public func contains(_ value: Double) -> Bool {
        (min.map { value >= $0 } ?? true) && (max.map { value <= $0 } ?? true)
    }

    public var description: String {
        switch (min, max) {
        case let (low?, high?) where low == high: "exactly \(Self.format(low))"
        case let (low?, high?): "between \(Self.format(low)) and \(Self.format(high))"
        case let (low?, nil): "at least \(Self.format(low))"
        case let (nil, high?): "at most \(Self.format(high))"
        case (nil, nil): "any number"
        }
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

/// What a scenario expects of its run; each is checked against the Trace (and the world's stores).
public enum Expectation: Sendable {
    /// How the top-level run ended.
    case status(RunState.Status)
    /// The final output.
    case output(OutputMatch)
    /// A tool was called with arguments that contain `arguments` (or equal them, when `exact`), a number of
    /// times within `count` (default: at least once).
    case toolCalled(name: String, arguments: JSONValue?, exact: Bool, count: Bounds)
    /// These tools were called in this order (a subsequence of all calls), or all of them in any order.
    case toolSequence([String], ordered: Bool)
    /// Model calls of the top-level run.
    case steps(Bounds)
    /// Tokens spent (input + output), over every run.
    case tokens(Bounds)
    /// Cost in USD from the agents' prices, over every run.
    case cost(Bounds)
    /// Checkpoints committed by the top-level run (the sequence is always checked to have no gap).
    case checkpoints(Bounds)
    /// The run was resumed (after a crash) from this step.
    case resumedFromStep(Int)
    /// Compactions, over every run.
    case compactions(Bounds)
    /// No model request's estimated size exceeded its model's context window.
    case withinContextWindow
    /// A delegation to `agent` happened, at `depth` when given.
    case delegated(to: String, depth: Int?)
    /// Every side effect (ledger charges and journaled effects) happened at most once per idempotency key.
    case noDuplicateSideEffects
    /// Faults fired (matching target and kind when given), a number of times within `count` (default: ≥ 1).
    case faultInjected(target: FaultSpec.Target?, kind: String?, count: Bounds)
    /// The run failed gracefully with this failure code (and a message containing `message`).
    case error(code: String, message: String?)
    /// The Trace equals this golden file (canonical JSON lines), path relative to the scenario.
    case goldenTrace(String)

    /// How the final output is matched.
    public enum OutputMatch: Sendable, Hashable {
        case equals(String)
        case contains(String)
        case matches(String)
        /// The output parsed as JSON has `value` at `path` (`$.a.b[0]`).
        case json(path: String, equals: JSONValue)
    }

    /// The expectation's name as written in scenario files.
    public var name: String {
        switch self {
        case .status: "status"
        case .output: "output"
        case .toolCalled: "tool_called"
        case .toolSequence: "tool_sequence"
        case .steps: "steps"
        case .tokens: "tokens"
        case .cost: "cost"
        case .checkpoints: "checkpoints"
        case .resumedFromStep: "resumed_from_step"
        case .compactions: "compactions"
        case .withinContextWindow: "within_context_window"
        case .delegated: "delegated"
        case .noDuplicateSideEffects: "no_duplicate_side_effects"
        case .faultInjected: "fault_injected"
        case .error: "error"
        case .goldenTrace: "golden_trace"
        }
    }
}
