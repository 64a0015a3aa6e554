import MicroAgent

extension ToolApproval {
    /// An agent's `approval:` in a scenario file, in one of two forms (patterns are tool names or globs with
    /// `*` and `?`; each value is one pattern or a list of them):
    ///
    /// - a list of rules, the first match deciding: `[{ask: travel_payments_*}, {deny: "*_admin"}, {default: allow}]`;
    /// - a mapping `{allow: …, deny: …, ask: …, default: …}`: exact tool names first (whatever their decision),
    ///   then glob patterns in the order deny, ask, allow.
    ///
    /// A tool no rule matches gets `default` (`allow` unless given).
    public init(parsing node: YAMLNode) throws(ScenarioError) {
        let keys = ToolApproval.Decision.allCases.map(\.rawValue) + ["default"]
        if node.isMapping {
            let map = try node.mapping(keys)
            var exact: [Rule] = [], globs: [Rule] = []
            for decision in [Decision.deny, .ask, .allow] {
                guard let value = map[decision.rawValue] else { continue }
                for pattern in try Self.patterns(value) {
                    let rule = Rule(pattern, decision)
                    if pattern.contains(where: { $0 == "*" || $0 == "?" }) { globs.append(rule) } else { exact.append(rule) }
                }
            }
            self.init(exact + globs, default: try map["default"].map(Self.decision) ?? .allow)
            return
        }
        var rules: [Rule] = []
        var fallback: Decision?
        for item in try node.sequence() {
            let map = try item.mapping(keys)
            guard map.entries.count == 1, let (key, value) = map.entries.first else {
                throw item.error("each approval rule is one of allow, deny, ask (with a pattern or a list of them) or default")
            }
            if key == "default" {
                if fallback != nil { throw value.error("approval has more than one default") }
                fallback = try Self.decision(value)
            } else {
                let decision = Decision(rawValue: key)!
                rules += try Self.patterns(value).map { Rule($0, decision) }
            }
        }
        self.init(rules, default: fallback ?? .allow)
    }

    private static func patterns(_ node: YAMLNode) throws(ScenarioError) -> [String] {
        let patterns = try node.strings()
        if patterns.isEmpty { throw node.error("expected at least one tool name or pattern") }
        if let empty = patterns.first(where: \.isEmpty) { throw node.error("a tool pattern is empty: \"\(empty)\"") }
        return patterns
    }

    private static func decision(_ node: YAMLNode) throws(ScenarioError) -> Decision {
        let text = try node.string()
        guard let decision = Decision(rawValue: text) else {
            throw node.error("unknown approval decision \(text); expected allow, deny or ask")
        }
        return decision
    }
}
