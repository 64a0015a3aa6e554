import Foundation
import Micro

extension TrajectoryExpectation {
    public init(parsing node: YAMLNode) throws(ScenarioError) {
        let map = try node.mapping(["match", "arguments", "threshold", "agent", "steps"])
        var match = Match.inOrder
        if let value = map["match"] { match = try Self.choice(value, Match.self, "match mode") }
        var mode = ArgumentMode.required
        if let value = map["arguments"] { mode = try Self.choice(value, ArgumentMode.self, "argument mode") }
        var threshold = 1.0
        if let value = map["threshold"] {
            threshold = try value.double()
            guard (0...1).contains(threshold) else { throw value.error("threshold must be between 0 and 1, found \(Bounds.format(threshold))") }
        }
        let steps = try map.required("steps").sequence().map { (step) throws(ScenarioError) in try Self.step(step) }
        self.init(steps, match: match, mode: mode, threshold: threshold, agent: try map["agent"]?.string())
    }

    /// A value among a string enum's raw values.
    static func choice<T: RawRepresentable & CaseIterable>(_ node: YAMLNode, _ type: T.Type, _ what: String) throws(ScenarioError) -> T
    where T.RawValue == String {
        let text = try node.string()
        guard let value = T(rawValue: text) else {
            throw node.error("unknown \(what) \(text); expected one of: \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    /// `TOOL` or `{tool, arguments, mode}`.
    static func step(_ node: YAMLNode) throws(ScenarioError) -> Step {
        if node.isScalar { return Step(tool: try node.string()) }
        let map = try node.mapping(["tool", "arguments", "mode"])
        var mode: ArgumentMode?
        if let value = map["mode"] { mode = try choice(value, ArgumentMode.self, "argument mode") }
        var fields: [Step.Field] = []
        if let arguments = map["arguments"] {
            let entries = try arguments.anyMapping().entries
            for key in entries.keys.sorted() {
                guard let value = entries[key] else { continue }
                if key.hasPrefix("$"), !Self.isPath(key) {
                    throw value.error("invalid JSON path \(key); write $.field, $.a.b, $.list[0] or $['odd key']")
                }
                fields.append(Step.Field(key, try matcher(value)))
            }
        }
        return Step(tool: try map.required("tool").string(), fields: fields, mode: mode)
    }

    /// `{regex: PATTERN}`, `{range: {min, max}}`, `{equals: VALUE}`, or a value.
    static func matcher(_ node: YAMLNode) throws(ScenarioError) -> FieldMatcher {
        guard node.isMapping, let map = try? node.anyMapping(), map.entries.count == 1, let entry = map.entries.first,
            ["regex", "range", "equals"].contains(entry.key)
        else { return .value(try node.json()) }
        let (key, value) = (entry.key, entry.value)
        switch key {
        case "regex":
            let pattern = try value.string()
            do { _ = try NSRegularExpression(pattern: pattern) } catch {
                throw value.error("invalid regular expression: \(pattern)")
            }
            return .regex(pattern)
        case "range":
            guard value.isMapping else { throw value.error("range takes {min, max}") }
            let bounds = try Bounds(parsing: try value.mapping(["min", "max"]), default: Bounds())
            if bounds.min == nil && bounds.max == nil { throw value.error("range needs min or max") }
            return .range(bounds)
        default:
            return .value(try value.json())
        }
    }

    /// Whether `key` is a JSON path the expectation reads: `$` then `.name`, `[index]` or `['name']` parts.
    static func isPath(_ key: String) -> Bool {
        key.range(of: #"^\$(\.[A-Za-z0-9_-]+|\[[0-9]+\]|\['[^']*'\]|\["[^"]*"\])+$"#, options: .regularExpression) != nil
    }
}
