import Foundation
import Micro
import MicroAgent

/// What each scenario spent in a reference run — tokens by kind, cost and steps — to compare later runs
/// with (``BaselineComparison``): `micro test --save-baseline FILE` writes it, `micro test --baseline FILE`
/// fails when a run spends more than it did, beyond a tolerance.
///
/// The file is canonical JSON (sorted keys):
/// ```
/// {"version": 1,
///  "scenarios": {
///    "a single agent searches and books a flight": {
///      "file": "Scenarios/single-agent-tools.yaml", "steps": 3,
///      "tokens": {"input": 2480, "output": 101, "cached": 0, "summarizer": 0, "judge": 0, "total": 2581},
///      "costUSD": 0.008955,          // null: a price was unknown
///      "judgeCostUSD": 0}}}
/// ```
public struct Baseline: Sendable, Hashable {
    /// The format version written.
    public static let version = 1

    /// One scenario's figures.
    public struct Entry: Sendable, Hashable {
        public var file: String
        /// Model calls of the top-level run.
        public var steps: Int
        public var tokens: TokenCounts
        /// The agents' and summarizers' cost in USD; nil when unknown.
        public var cost: Double?
        /// The judges' cost in USD; nil when unknown.
        public var judgeCost: Double?

        public init(file: String, steps: Int, tokens: TokenCounts, cost: Double?, judgeCost: Double?) {
            self.file = file
            self.steps = steps
            self.tokens = tokens
            self.cost = cost
            self.judgeCost = judgeCost
        }

        /// The figures of a run record.
        public init(record: RunRecord, steps: Int) {
            let costs = record.costs
            self.init(file: record.file, steps: steps, tokens: costs.tokens, cost: costs.cost, judgeCost: costs.judgeCost)
        }
    }

    /// Entries by scenario name.
    public var scenarios: [String: Entry]

    public init(scenarios: [String: Entry]) {
        self.scenarios = scenarios
    }

    /// The figures of `outcomes`, by scenario name (a later outcome of the same name replaces an earlier one).
    public init(outcomes: [ScenarioOutcome]) {
        var scenarios: [String: Entry] = [:]
        for outcome in outcomes { scenarios[outcome.scenario.name] = Entry(record: outcome.record, steps: outcome.reportSteps) }
        self.init(scenarios: scenarios)
    }

    // MARK: JSON

    public var jsonValue: JSONValue {
        var entries: [String: JSONValue] = [:]
        for (name, entry) in scenarios {
            entries[name] = [
                "file": .string(entry.file), "steps": .integer(entry.steps), "tokens": entry.tokens.jsonValue,
                "costUSD": entry.cost.map(JSONValue.number) ?? .null, "judgeCostUSD": entry.judgeCost.map(JSONValue.number) ?? .null,
            ]
        }
        return ["version": .integer(Self.version), "scenarios": .object(entries)]
    }

    /// The file's text: canonical JSON (sorted keys), indented, with a final newline.
    public var jsonText: String { jsonValue.prettyString() + "\n" }

    /// Reads a baseline written by ``jsonText``; errors name `file` and the field.
    public init(json: JSONValue, file: String) throws(BaselineError) {
        func fail(_ code: BaselineError.Code, _ field: String, _ message: String) -> BaselineError {
            BaselineError(code, file: file, field: field, message)
        }
        guard let root = json.objectValue else { throw fail(.invalidField, "", "a baseline is a JSON object, found \(json.typeName)") }
        guard let version = root["version"] else { throw fail(.missingField, "version", "missing (this Micro writes \(Self.version))") }
        guard version.intValue == Self.version else {
            throw fail(.unsupportedVersion, "version", "\(version.canonicalString()); this Micro reads \(Self.version)")
        }
        guard let scenarios = root["scenarios"] else { throw fail(.missingField, "scenarios", "missing") }
        guard let entries = scenarios.objectValue else {
            throw fail(.invalidField, "scenarios", "expected an object of scenarios by name, found \(scenarios.typeName)")
        }
        var parsed: [String: Entry] = [:]
        for (name, value) in entries {
            let path = "scenarios[\(JSONValue.string(name).canonicalString())]"
            guard let entry = value.objectValue else { throw fail(.invalidField, path, "expected an object, found \(value.typeName)") }
            func count(_ value: JSONValue?, _ field: String) throws(BaselineError) -> Int {
                guard let value else { throw fail(.missingField, field, "missing") }
                guard let number = value.intValue, number >= 0 else {
                    throw fail(.invalidField, field, "expected a count (a non-negative integer), found \(value.canonicalString())")
                }
                return number
            }
            func usd(_ value: JSONValue?, _ field: String, required: Bool) throws(BaselineError) -> Double? {
                guard let value else {
                    if required { throw fail(.missingField, field, "missing (null when the cost was unknown)") }
                    return nil
                }
                if value.isNull { return nil }
                guard let number = value.doubleValue, number >= 0, number.isFinite else {
                    throw fail(.invalidField, field, "expected USD (a non-negative number) or null, found \(value.canonicalString())")
                }
                return number
            }
            guard let tokens = entry["tokens"] else { throw fail(.missingField, "\(path).tokens", "missing") }
            guard tokens.objectValue != nil else {
                throw fail(.invalidField, "\(path).tokens", "expected an object of tokens by kind, found \(tokens.typeName)")
            }
            let counts = TokenCounts(
                input: try count(tokens["input"], "\(path).tokens.input"), output: try count(tokens["output"], "\(path).tokens.output"),
                cached: try count(tokens["cached"], "\(path).tokens.cached"),
                summarizer: try count(tokens["summarizer"], "\(path).tokens.summarizer"),
                judge: try count(tokens["judge"], "\(path).tokens.judge"))
            parsed[name] = Entry(
                file: entry["file"]?.stringValue ?? "", steps: try count(entry["steps"], "\(path).steps"), tokens: counts,
                cost: try usd(entry["costUSD"], "\(path).costUSD", required: true),
                judgeCost: try usd(entry["judgeCostUSD"], "\(path).judgeCostUSD", required: false))
        }
        self.init(scenarios: parsed)
    }

    /// Reads the baseline file at `path`.
    public static func load(file path: String) throws(BaselineError) -> Baseline {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw BaselineError(.unreadable, file: path, "cannot read the baseline: \(error.localizedDescription)")
        }
        let json: JSONValue
        do {
            json = try JSONValue(parsing: text)
        } catch {
            throw BaselineError(.invalidJSON, file: path, "not JSON: \(error)")
        }
        return try Baseline(json: json, file: path)
    }
}
