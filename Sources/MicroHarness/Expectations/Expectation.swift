import Micro
import MicroAgent

/// One kind of expectation a scenario file may write (`expect: [- NAME: VALUE]`): it parses its own value
/// and checks a finished run's record. The built-in ones are types like any other; a catalogue adds its
/// own (``Catalog/expectations``).
///
/// ```swift
/// struct RefundsBelow: ScenarioExpectation {
///     static let name = "refunds_below"
///     let cents: Int
///     init(parsing node: YAMLNode) throws(ScenarioError) { cents = try node.int() }
///     func check(_ record: RunRecord) -> Verdict {
///         let total = record.sideEffects.filter { $0.kind == "refunds.refund" }.compactMap { $0.payload["cents"]?.intValue }.reduce(0, +)
///         return Verdict(total < cents, "refunded \(total) cents, expected fewer than \(cents)")
///     }
/// }
/// ```
public protocol ScenarioExpectation: Sendable {
    /// The name scenario files write.
    static var name: String { get }
    /// Parses the expectation's value; errors come from `node`, so they name the file, line and field.
    init(parsing node: YAMLNode) throws(ScenarioError)
    /// Whether `record` meets the expectation, and what was found.
    func check(_ record: RunRecord) -> Verdict
    /// Whether it states how the run ends (as `status` and `error` do), so the implicit check that the run
    /// completed steps aside. Defaults to false.
    var declaresEnd: Bool { get }
}

extension ScenarioExpectation {
    public var declaresEnd: Bool { false }
    /// The name scenario files write.
    public var name: String { Self.name }
}

/// An expectation's verdict: passed or not, and a message saying what was found (shown either way).
public struct Verdict: Sendable, Hashable {
    public var passed: Bool
    public var message: String
    /// Named figures the check measured (a trajectory's `precision`, `recall`, `f1`, `threshold`), shown in every
    /// report; empty for most checks.
    public var scores: [String: Double]

    public init(_ passed: Bool, _ message: String, scores: [String: Double] = [:]) {
        self.passed = passed
        self.message = message
        self.scores = scores
    }
}

/// An expectation of a scenario, with its line in the file.
public struct ExpectationSpec: Sendable {
    public var expectation: any ScenarioExpectation
    public var line: Int

    public init(_ expectation: any ScenarioExpectation, line: Int = 0) {
        self.expectation = expectation
        self.line = line
    }
}

/// The expectations every scenario file may write.
enum BuiltinExpectations {
    static let all: [any ScenarioExpectation.Type] = [
        StatusExpectation.self, OutputExpectation.self, ToolCalledExpectation.self, ToolSequenceExpectation.self,
        StepsExpectation.self, TokensExpectation.self, CostExpectation.self, CheckpointsExpectation.self,
        ResumedFromStepExpectation.self, CompactionsExpectation.self, WithinContextWindowExpectation.self,
        DelegatedExpectation.self, NoDuplicateSideEffectsExpectation.self, FaultInjectedExpectation.self,
        ErrorExpectation.self, GoldenTraceExpectation.self, DeadlineExceededExpectation.self, ApprovalsExpectation.self,
        TrajectoryExpectation.self,
        JudgeExpectation.self,
        StagesExpectation.self, VerificationsExpectation.self, LoopIterationsExpectation.self, FlowRunsExpectation.self,
    ]
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

    /// `{min: a, max: b}`, `{count: n}` or a plain number (exactly n).
    public init(parsing node: YAMLNode) throws(ScenarioError) {
        if node.isScalar {
            self = .exactly(try node.double())
        } else {
            self = try Bounds(parsing: try node.mapping(["min", "max", "count"]), default: Bounds())
        }
    }

    /// `count` or `min`/`max` of a mapping that may hold other fields; `fallback` when it has none.
    public init(parsing map: YAMLMapping, default fallback: Bounds) throws(ScenarioError) {
        if let count = map["count"] {
            self = .exactly(try count.double())
        } else if !map.has("min") && !map.has("max") {
            self = fallback
        } else {
            self.init(min: try map["min"]?.double(), max: try map["max"]?.double())
            if let low = min, let high = max, low > high { throw map.node.error("min is greater than max") }
        }
    }
}
