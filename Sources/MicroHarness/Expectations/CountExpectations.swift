import Foundation
import Micro
import MicroAgent

/// An expectation on one count of the run, written `NAME: n` (exactly) or `{min, max}`.
public protocol CountExpectation: ScenarioExpectation {
    var bounds: Bounds { get }
    init(_ bounds: Bounds)
    /// The count in `record`, and how to say it (`3 model call(s)`).
    static func count(in record: RunRecord) -> (value: Double, text: String)
}

extension CountExpectation {
    public init(parsing node: YAMLNode) throws(ScenarioError) { self.init(try Bounds(parsing: node)) }

    public func check(_ record: RunRecord) -> Verdict {
        let (value, text) = Self.count(in: record)
        return Verdict(bounds.contains(value), "\(text), expected \(bounds)")
    }
}

/// `steps`: model calls of the top-level run.
public struct StepsExpectation: CountExpectation {
    public static let name = "steps"
    public var bounds: Bounds
    public init(_ bounds: Bounds) { self.bounds = bounds }

    public static func count(in record: RunRecord) -> (value: Double, text: String) {
        let steps = record.result?.steps ?? 0
        return (Double(steps), "\(steps) model call(s)")
    }
}

/// `tokens`: tokens spent (input + output), over every run, memory summarizers included.
public struct TokensExpectation: CountExpectation {
    public static let name = "tokens"
    public var bounds: Bounds
    public init(_ bounds: Bounds) { self.bounds = bounds }

    public static func count(in record: RunRecord) -> (value: Double, text: String) {
        let usage = record.totalUsage
        let split = usage.summarizers.totalTokens > 0
            ? " (agents \(usage.agents.totalTokens), summarizer \(usage.summarizers.totalTokens))" : ""
        return (Double(usage.total.totalTokens), "\(usage.total.totalTokens) tokens\(split)")
    }
}

/// `cost`: cost in USD from the agents' and their memory summarizers' prices, over every run (judges apart).
/// It fails when a model that spent tokens has no known price: an unknown cost is never taken as 0.
public struct CostExpectation: CountExpectation {
    public static let name = "cost"
    public var bounds: Bounds
    public init(_ bounds: Bounds) { self.bounds = bounds }

    /// The cost (NaN when unknown, which no bounds contain) and how to say it.
    public static func count(in record: RunRecord) -> (value: Double, text: String) {
        let costs = record.costs
        guard let cost = costs.cost else { return (.nan, costs.costText) }
        let summarizer = costs.summarizerCost ?? 0
        let split = summarizer > 0 ? " (summarizer \(RunCosts.usd(summarizer)))" : ""
        return (cost, "cost \(RunCosts.usd(cost))\(split)")
    }

    public func check(_ record: RunRecord) -> Verdict {
        let (value, text) = Self.count(in: record)
        guard !value.isNaN else {
            return Verdict(false, "\(text), expected \(bounds); give the model a price, or add it to prices: or --prices")
        }
        return Verdict(bounds.contains(value), "\(text), expected \(bounds)")
    }
}

/// `checkpoints`: checkpoints committed by the top-level run (the sequence is always checked to have no gap).
public struct CheckpointsExpectation: CountExpectation {
    public static let name = "checkpoints"
    public var bounds: Bounds
    public init(_ bounds: Bounds) { self.bounds = bounds }

    public static func count(in record: RunRecord) -> (value: Double, text: String) {
        let count = record.trace.count { $0.kind == .checkpoint && $0.runID == record.runID }
        return (Double(count), "\(count) checkpoint(s) committed by run \(record.runID)")
    }
}

/// `compactions`: memory compactions, over every run.
public struct CompactionsExpectation: CountExpectation {
    public static let name = "compactions"
    public var bounds: Bounds
    public init(_ bounds: Bounds) { self.bounds = bounds }

    public static func count(in record: RunRecord) -> (value: Double, text: String) {
        let count = record.trace.count { $0.kind == .compaction }
        return (Double(count), "\(count) compaction(s)")
    }
}

/// `fault_injected: true` or `{target, kind, count | min | max}`: faults fired (matching target and kind
/// when given), a number of times within `count` (default: at least once).
public struct FaultInjectedExpectation: ScenarioExpectation {
    public static let name = "fault_injected"
    public var target: FaultSpec.Target?
    public var kind: String?
    public var count: Bounds

    public init(target: FaultSpec.Target? = nil, kind: String? = nil, count: Bounds = Bounds(min: 1)) {
        self.target = target
        self.kind = kind
        self.count = count
    }

    public init(parsing node: YAMLNode) throws(ScenarioError) {
        if node.isScalar, try node.bool() {
            self.init()
            return
        }
        let spec = try node.mapping(["target", "kind", "count", "min", "max"])
        var target: FaultSpec.Target?
        if let node = spec["target"] {
            guard let parsed = FaultSpec.Target(rawValue: try node.string()) else { throw node.error("unknown fault target") }
            target = parsed
        }
        self.init(target: target, kind: try spec["kind"]?.string(), count: try Bounds(parsing: spec, default: Bounds(min: 1)))
    }

    public func check(_ record: RunRecord) -> Verdict {
        let fired = record.trace.compactMap(\.injectedFault).filter { fault in
            (target.map { fault.target == $0.rawValue } ?? true) && (kind.map { fault.kind == $0 } ?? true)
        }
        let what = [target?.rawValue, kind].compactMap { $0 }.joined(separator: " ")
        return Verdict(count.contains(Double(fired.count)), "\(fired.count) \(what.isEmpty ? "" : what + " ")fault(s) injected, expected \(count)")
    }
}
