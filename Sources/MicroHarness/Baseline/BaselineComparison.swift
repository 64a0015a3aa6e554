import Foundation
import Micro

/// One figure a baseline keeps.
public enum BaselineMetric: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The agents' and summarizers' tokens (``TokenCounts/total``).
    case tokens
    case input, output, cached, summarizer, judge
    /// The agents' and summarizers' cost in USD.
    case cost
    /// The judges' cost in USD.
    case judgeCost = "judge_cost"
    case steps

    public var description: String { rawValue }

    /// Whether growing past the tolerance fails the run. Cached tokens do not: more of the input read from
    /// a cache makes a run cheaper, and the input it belongs to is gated.
    public var isGated: Bool { self != .cached }

    /// The figure in `entry`; nil for an unknown cost.
    func value(in entry: Baseline.Entry) -> Double? {
        switch self {
        case .tokens: Double(entry.tokens.total)
        case .input: Double(entry.tokens.input)
        case .output: Double(entry.tokens.output)
        case .cached: Double(entry.tokens.cached)
        case .summarizer: Double(entry.tokens.summarizer)
        case .judge: Double(entry.tokens.judge)
        case .cost: entry.cost
        case .judgeCost: entry.judgeCost
        case .steps: Double(entry.steps)
        }
    }
}

/// How much each figure may grow over the baseline before the run fails: `--tolerance 10%` for every
/// figure, `--tolerance cost=5%` for one (repeatable; the per-figure ones win). Without any, 0%: any growth
/// fails.
public struct BaselineTolerances: Sendable, Hashable {
    /// A fraction (0.1 for 10%) for figures without their own.
    public var all: Double
    public var perMetric: [BaselineMetric: Double]

    public init(all: Double = 0, perMetric: [BaselineMetric: Double] = [:]) {
        self.all = all
        self.perMetric = perMetric
    }

    public func tolerance(_ metric: BaselineMetric) -> Double { perMetric[metric] ?? all }

    /// Parses `N%` and `METRIC=N%` arguments.
    public init(parsing arguments: [String]) throws(BaselineError) {
        self.init()
        for argument in arguments {
            func fail(_ message: String) -> BaselineError {
                BaselineError(.invalidTolerance, file: "", field: "--tolerance \(argument)", message)
            }
            let parts = argument.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let percent = parts.last ?? ""
            guard percent.hasSuffix("%"), let value = Double(percent.dropLast()), value >= 0, value.isFinite else {
                throw fail("a tolerance is a percentage such as 10%, or METRIC=N% (METRIC: \(Self.metricNames))")
            }
            if parts.count == 2 {
                guard let metric = BaselineMetric(rawValue: parts[0]) else {
                    throw fail("unknown metric \(parts[0]); metrics: \(Self.metricNames)")
                }
                perMetric[metric] = value / 100
            } else {
                all = value / 100
            }
        }
    }

    private static var metricNames: String { BaselineMetric.allCases.map(\.rawValue).joined(separator: ", ") }
}

/// A run's figures compared with a baseline, per scenario and figure: what grew past its tolerance (fails
/// the run), what shrank (an improvement), which scenarios the baseline lacks or the run lacks (reported).
public struct BaselineComparison: Sendable, Hashable {
    /// One figure of one scenario that changed.
    public struct Change: Sendable, Hashable, CustomStringConvertible {
        public enum Kind: String, Sendable, Hashable {
            /// Grew past its tolerance: fails the run.
            case regression
            /// Grew, within its tolerance (or a figure that is not gated).
            case growth
            /// Shrank.
            case improvement
            /// A cost that was known and is now unknown: fails the run (it cannot be compared).
            case becameUnknown = "became_unknown"
            /// A cost that was unknown and is now known: reported.
            case becameKnown = "became_known"
        }

        public var scenario: String
        public var metric: BaselineMetric
        public var old: Double?
        public var new: Double?
        public var tolerance: Double
        public var kind: Kind

        /// Whether it fails the run.
        public var fails: Bool { kind == .regression || kind == .becameUnknown }

        /// `crash and resume: tokens 2581 → 2900 (+12.4%, tolerance 10%)`.
        public var description: String {
            let change = "\(scenario): \(metric) \(Self.format(old, metric)) → \(Self.format(new, metric))"
            switch kind {
            case .regression: return "\(change) (\(Self.percent(old, new)), tolerance \(Self.format(percent: tolerance)))"
            case .growth: return "\(change) (\(Self.percent(old, new)), within \(Self.format(percent: tolerance)))"
            case .improvement: return "\(change) (\(Self.percent(old, new)))"
            case .becameUnknown: return "\(change): a model that spent tokens has no known price now"
            case .becameKnown: return "\(change): the cost is known now"
            }
        }

        static func format(_ value: Double?, _ metric: BaselineMetric) -> String {
            guard let value else { return "unknown" }
            return metric == .cost || metric == .judgeCost ? RunCosts.usd(value) : Bounds.format(value)
        }

        static func percent(_ old: Double?, _ new: Double?) -> String {
            guard let old, let new else { return "" }
            guard old != 0 else { return new == 0 ? "0%" : "new" }
            let change = (new - old) / old * 100
            return (change >= 0 ? "+" : "−") + String(format: "%.1f%%", abs(change))
        }

        static func format(percent fraction: Double) -> String { Bounds.format((fraction * 1000).rounded() / 10) + "%" }
    }

    /// Every figure that changed, by scenario then metric.
    public var changes: [Change]
    /// Scenarios of the run the baseline lacks (not compared).
    public var missing: [String]
    /// Scenarios of the baseline the run lacks (not run this time: a filter, a renamed scenario).
    public var notRun: [String]

    public var regressions: [Change] { changes.filter(\.fails) }
    public var improvements: [Change] { changes.filter { $0.kind == .improvement } }
    /// Whether no figure grew past its tolerance.
    public var passed: Bool { regressions.isEmpty }

    /// Compares `current` with `baseline`.
    public init(baseline: Baseline, current: Baseline, tolerances: BaselineTolerances) {
        var changes: [Change] = []
        for (name, entry) in current.scenarios.sorted(by: { $0.key < $1.key }) {
            guard let old = baseline.scenarios[name] else { continue }
            for metric in BaselineMetric.allCases {
                let tolerance = tolerances.tolerance(metric)
                let before = metric.value(in: old)
                let after = metric.value(in: entry)
                let kind: Change.Kind
                switch (before, after) {
                case (nil, nil): continue
                case (_?, nil): kind = .becameUnknown
                case (nil, _?): kind = .becameKnown
                case let (before?, after?):
                    if after == before { continue }
                    if after < before {
                        kind = .improvement
                    } else {
                        // Costs are compared to the nanodollar, so a float's last digit is no growth.
                        let limit = before * (1 + tolerance) + (metric == .cost || metric == .judgeCost ? 1e-9 : 0)
                        kind = metric.isGated && after > limit ? .regression : .growth
                    }
                }
                changes.append(Change(scenario: name, metric: metric, old: before, new: after, tolerance: tolerance, kind: kind))
            }
        }
        self.changes = changes
        missing = current.scenarios.keys.filter { baseline.scenarios[$0] == nil }.sorted()
        notRun = baseline.scenarios.keys.filter { current.scenarios[$0] == nil }.sorted()
    }

    /// Lines for a terminal: regressions first, then improvements, growth within tolerance, missing and not
    /// run scenarios, then a verdict line.
    public var lines: [String] {
        var lines = regressions.map { "baseline: ✗ \($0)" }
        lines += changes.filter { !$0.fails && $0.kind != .improvement }.map { "baseline: \($0)" }
        lines += improvements.map { "baseline: improved: \($0)" }
        lines += missing.map { "baseline: \($0): not in the baseline (not compared)" }
        lines += notRun.map { "baseline: \($0): in the baseline, not run" }
        lines.append(
            passed
                ? "baseline: no figure grew past its tolerance (\(improvements.count) improved)"
                : "baseline: \(regressions.count) figure(s) grew past their tolerance")
        return lines
    }

    /// `{"passed", "regressions": [...], "improvements": [...], "changes": [...], "missing", "notRun"}`.
    public var jsonValue: JSONValue {
        func change(_ change: Change) -> JSONValue {
            [
                "scenario": .string(change.scenario), "metric": .string(change.metric.rawValue),
                "old": change.old.map(JSONValue.number) ?? .null, "new": change.new.map(JSONValue.number) ?? .null,
                "tolerance": .number(change.tolerance), "kind": .string(change.kind.rawValue), "message": .string(change.description),
            ]
        }
        return [
            "passed": .bool(passed), "changes": .array(changes.map(change)),
            "missing": .array(missing.map(JSONValue.string)), "notRun": .array(notRun.map(JSONValue.string)),
        ]
    }
}
