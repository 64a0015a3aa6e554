import Foundation
import Micro
import MicroAgent

/// `trajectory:`: the run's tool calls scored against an expected trajectory, with partial credit.
///
/// ```yaml
/// - trajectory:
///     match: in_order            # exact | in_order | any_order | subset (default in_order)
///     arguments: required        # ignore | required (listed fields only, the default) | exact
///     threshold: 0.8             # the F1 score needed to pass (default 1)
///     agent: booker              # only this agent's calls (default: every agent's)
///     steps:
///       - travel_hotels_search                       # a tool name alone: any arguments
///       - tool: travel_hotels_book
///         mode: exact                                # this step's argument mode
///         arguments:
///           nights: {range: {min: 1, max: 3}}        # matchers: regex, range, equals; else a value
///           guestName: {regex: "^A"}
///           "$.stay.checkIn": "2026-05-01"           # a JSON path into the arguments
/// ```
///
/// A call matches a step when the tool is the same and its arguments pass the step's mode: `ignore` looks at
/// the name only; `required` checks the listed fields (objects by the fields they list, extra fields allowed);
/// `exact` also wants no top-level field beyond those listed. Calls repeated after a crash (same run and call
/// ID) count once. With `m` calls and `n` steps, `k` of them matched:
/// - `exact`: position by position (a call and the step at its position), `precision = k/m`, `recall = k/n`;
/// - `in_order`: the largest matching that keeps both orders;
/// - `any_order`: the largest matching in any order;
/// - `subset`: the largest matching in any order, calls beyond it allowed: `recall = k/n`, `precision` 1 (0 when
///   nothing matched).
///
/// `F1 = 2PR/(P+R)`; the expectation passes when F1 ≥ `threshold`. Precision, recall, F1 and the threshold
/// appear in every report (``Verdict/scores``).
public struct TrajectoryExpectation: ScenarioExpectation {
    public static let name = "trajectory"

    public enum Match: String, Sendable, Hashable, CaseIterable {
        case exact
        case inOrder = "in_order"
        case anyOrder = "any_order"
        case subset
    }

    public enum ArgumentMode: String, Sendable, Hashable, CaseIterable {
        case ignore, required, exact
    }

    /// How one argument field is checked.
    public enum FieldMatcher: Sendable, Hashable {
        /// Equal (`required`: objects by the fields they list; `exact`: equal).
        case value(JSONValue)
        /// A string the regular expression finds a match in.
        case regex(String)
        /// A number within bounds (inclusive).
        case range(Bounds)
    }

    /// One expected call.
    public struct Step: Sendable, Hashable {
        public var tool: String
        /// Field name or JSON path (`$.a.b[0]`) → matcher, in the order written.
        public var fields: [Field]
        /// This step's mode; nil for the expectation's.
        public var mode: ArgumentMode?

        public struct Field: Sendable, Hashable {
            public var key: String
            public var matcher: FieldMatcher
            public init(_ key: String, _ matcher: FieldMatcher) {
                self.key = key
                self.matcher = matcher
            }
        }

        public init(tool: String, fields: [Field] = [], mode: ArgumentMode? = nil) {
            self.tool = tool
            self.fields = fields
            self.mode = mode
        }
    }

    /// The scores of a run.
    public struct Score: Sendable, Hashable {
        public var matched: Int
        public var expected: Int
        public var calls: Int
        public var precision: Double
        public var recall: Double
        public var f1: Double
        /// Indices of expected steps no call matched, and of calls no step matched.
        public var unmatchedSteps: [Int]
        public var unmatchedCalls: [Int]
    }

    public var match: Match
    public var mode: ArgumentMode
    public var threshold: Double
    public var agent: String?
    public var steps: [Step]

    public init(_ steps: [Step], match: Match = .inOrder, mode: ArgumentMode = .required, threshold: Double = 1, agent: String? = nil) {
        self.steps = steps
        self.match = match
        self.mode = mode
        self.threshold = threshold
        self.agent = agent
    }

    // MARK: Checking

    /// The run's tool calls the expectation looks at: in order, once per run and call ID, of `agent` if given.
    public func calls(in record: RunRecord) -> [(name: String, arguments: JSONValue)] {
        var seen: Set<String> = []
        return record.trace.compactMap { event -> (name: String, arguments: JSONValue)? in
            guard let call = event.toolCall, agent.map({ $0 == event.agent }) ?? true else { return nil }
            if let id = event.data["callID"]?.stringValue, !seen.insert("\(event.runID)\u{0}\(id)").inserted { return nil }
            return call
        }
    }

    /// Whether `call` matches `step`; nil when it does, else why not.
    public func mismatch(_ call: (name: String, arguments: JSONValue), _ step: Step) -> String? {
        guard call.name == step.tool else { return "tool \(call.name), expected \(step.tool)" }
        let mode = step.mode ?? self.mode
        guard mode != .ignore else { return nil }
        for field in step.fields {
            let value = field.key.hasPrefix("$") ? JSONPath.value(at: field.key, in: call.arguments) : call.arguments[field.key]
            if let problem = Self.mismatch(value, field.matcher, exact: mode == .exact) { return "\(field.key): \(problem)" }
        }
        if mode == .exact, let object = call.arguments.objectValue {
            let listed = Set(step.fields.map { Self.topLevelKey($0.key) })
            let extra = object.keys.filter { !listed.contains($0) }.sorted()
            if !extra.isEmpty { return "fields not expected: \(extra.joined(separator: ", "))" }
        }
        return nil
    }

    static func mismatch(_ value: JSONValue?, _ matcher: FieldMatcher, exact: Bool) -> String? {
        guard let value else { return "missing" }
        switch matcher {
        case .value(let expected):
            let equal = exact ? JSONDiff.equal(value, expected) : JSONMatch.contains(value, expected)
            return equal ? nil : "\(value.canonicalString()), expected \(exact ? "" : "to contain ")\(expected.canonicalString())"
        case .regex(let pattern):
            guard let text = value.stringValue else { return "\(value.canonicalString()) is not a string to match /\(pattern)/" }
            return text.range(of: pattern, options: .regularExpression) != nil ? nil : "\"\(text)\" does not match /\(pattern)/"
        case .range(let bounds):
            guard let number = value.doubleValue else { return "\(value.canonicalString()) is not a number \(bounds)" }
            return bounds.contains(number) ? nil : "\(Bounds.format(number)) is not \(bounds)"
        }
    }

    /// The first member a field key names: `city` for `city` and for `$.city.name` or `$['city']`.
    static func topLevelKey(_ key: String) -> String {
        guard key.hasPrefix("$") else { return key }
        var rest = key.dropFirst()
        if rest.hasPrefix(".") {
            rest = rest.dropFirst()
            return String(rest.prefix { $0 != "." && $0 != "[" })
        }
        if rest.hasPrefix("[") {
            return String(rest.dropFirst().prefix { $0 != "]" }).trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
        }
        return key
    }

    /// The scores of `record`'s calls.
    public func score(_ record: RunRecord) -> Score {
        let calls = self.calls(in: record)
        let fits = steps.map { step in calls.map { mismatch($0, step) == nil } }  // fits[step][call]
        var pairs: [(step: Int, call: Int)] = []
        switch match {
        case .exact:
            pairs = (0..<min(steps.count, calls.count)).filter { fits[$0][$0] }.map { (step: $0, call: $0) }
        case .inOrder:
            pairs = Self.orderedMatching(fits, steps: steps.count, calls: calls.count)
        case .anyOrder, .subset:
            pairs = Self.bipartiteMatching(fits, steps: steps.count, calls: calls.count)
        }
        let k = Double(pairs.count), n = Double(steps.count), m = Double(calls.count)
        let recall = n == 0 ? 1 : k / n
        let precision: Double
        if match == .subset {
            precision = n == 0 || k > 0 ? 1 : 0
        } else {
            precision = m == 0 ? (n == 0 ? 1 : 0) : k / m
        }
        let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
        let matchedSteps = Set(pairs.map(\.step)), matchedCalls = Set(pairs.map(\.call))
        return Score(
            matched: pairs.count, expected: steps.count, calls: calls.count, precision: precision, recall: recall, f1: f1,
            unmatchedSteps: steps.indices.filter { !matchedSteps.contains($0) },
            unmatchedCalls: calls.indices.filter { !matchedCalls.contains($0) })
    }

    /// The largest matching that keeps the order of steps and of calls (dynamic programming).
    static func orderedMatching(_ fits: [[Bool]], steps n: Int, calls m: Int) -> [(step: Int, call: Int)] {
        guard n > 0, m > 0 else { return [] }
        var best = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                best[i][j] = max(best[i + 1][j], best[i][j + 1], fits[i][j] ? best[i + 1][j + 1] + 1 : 0)
            }
        }
        var pairs: [(step: Int, call: Int)] = []
        var i = 0, j = 0
        while i < n, j < m {
            if fits[i][j], best[i][j] == best[i + 1][j + 1] + 1 {
                pairs.append((step: i, call: j))
                i += 1
                j += 1
            } else if best[i + 1][j] >= best[i][j + 1] {
                i += 1
            } else {
                j += 1
            }
        }
        return pairs
    }

    /// The largest matching in any order (augmenting paths; steps in order take the earliest calls they can).
    static func bipartiteMatching(_ fits: [[Bool]], steps n: Int, calls m: Int) -> [(step: Int, call: Int)] {
        var stepOfCall = [Int?](repeating: nil, count: m)
        func augment(_ step: Int, _ visited: inout [Bool]) -> Bool {
            for call in 0..<m where fits[step][call] && !visited[call] {
                visited[call] = true
                if let other = stepOfCall[call] {
                    guard augment(other, &visited) else { continue }
                }
                stepOfCall[call] = step
                return true
            }
            return false
        }
        for step in 0..<n {
            var visited = [Bool](repeating: false, count: m)
            _ = augment(step, &visited)
        }
        let pairs = stepOfCall.enumerated().compactMap { call, step -> (step: Int, call: Int)? in step.map { (step: $0, call: call) } }
        return pairs.sorted { $0.step < $1.step }
    }

    public func check(_ record: RunRecord) -> Verdict {
        let score = self.score(record)
        let calls = self.calls(in: record)
        func figure(_ value: Double) -> String { String(format: "%.2f", value) }
        var message = "trajectory \(match.rawValue): precision \(figure(score.precision)), recall \(figure(score.recall)), "
        message += "F1 \(figure(score.f1)) (threshold \(figure(threshold))); \(score.matched) of \(score.expected) expected step(s) "
        message += "matched among \(score.calls) call(s)"
        let missing = score.unmatchedSteps.prefix(4).map { index -> String in
            let step = steps[index]
            let sameTool = calls.filter { $0.name == step.tool }
            let why: String
            if sameTool.isEmpty {
                why = "never called"
            } else if sameTool.contains(where: { mismatch($0, step) == nil }) {
                why = "a call fits it but is out of order or taken by another step"
            } else {
                why = mismatch(sameTool[0], step) ?? ""
            }
            return "#\(index + 1) \(step.tool) (\(why))"
        }
        if !missing.isEmpty { message += "; unmatched: " + missing.joined(separator: ", ") }
        let extra = score.unmatchedCalls.prefix(4).map { "\(calls[$0].name)(\(ReportText.short(calls[$0].arguments.canonicalString(), 80)))" }
        if match != .subset, !extra.isEmpty { message += "; calls not expected: " + extra.joined(separator: ", ") }
        return Verdict(
            score.f1 >= threshold - 1e-9, message,
            scores: ["precision": score.precision, "recall": score.recall, "f1": score.f1, "threshold": threshold])
    }
}
