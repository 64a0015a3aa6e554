import Micro

/// Which tool calls need a person's approval: ordered rules matching tool names, the first match deciding.
///
/// A rule's pattern is a tool name or a glob (`*` any run of characters, `?` one character), such as
/// `travel_payments_*`. A call no rule matches gets ``default`` (`allow` unless set). The policy is a plain
/// value so that an agent (``Agent/approval``) or, later, a flow step can carry one.
///
/// - `allow`: the call runs.
/// - `deny`: the call does not run; the model gets a tool error with code `denied`.
/// - `ask`: the run pauses (`waiting_for_input`) with an ``ApprovalRequest``; the answer (see
///   ``ApprovalAnswer``) approves the call, denies it (the model is told why), or approves it with edited
///   arguments. The decision is checkpointed before the call runs and is never asked again.
public struct ToolApproval: Sendable, Hashable, Codable {
    /// What happens to a call.
    public enum Decision: String, Sendable, Hashable, Codable, CaseIterable {
        case allow, deny, ask
    }

    /// One rule: calls of tools whose name matches `pattern` get `decision`.
    public struct Rule: Sendable, Hashable, Codable, CustomStringConvertible {
        public var pattern: String
        public var decision: Decision
        public init(_ pattern: String, _ decision: Decision) {
            self.pattern = pattern
            self.decision = decision
        }
        public var description: String { "\(decision.rawValue) \(pattern)" }

        /// Whether `tool` matches the pattern (exactly, or as a glob with `*` and `?`).
        public func matches(_ tool: String) -> Bool { Self.glob(Array(pattern.unicodeScalars), Array(tool.unicodeScalars)) }

        private static func glob(_ pattern: [Unicode.Scalar], _ text: [Unicode.Scalar]) -> Bool {
            // Iterative matching with backtracking to the last `*`: linear in practice, no recursion.
            var p = 0, t = 0, star = -1, mark = 0
            while t < text.count {
                if p < pattern.count && (pattern[p] == "?" || pattern[p] == text[t]) {
                    p += 1
                    t += 1
                } else if p < pattern.count && pattern[p] == "*" {
                    star = p
                    mark = t
                    p += 1
                } else if star >= 0 {
                    p = star + 1
                    mark += 1
                    t = mark
                } else {
                    return false
                }
            }
            while p < pattern.count && pattern[p] == "*" { p += 1 }
            return p == pattern.count
        }
    }

    /// The rules in order; the first that matches decides.
    public var rules: [Rule]
    /// The decision for a tool no rule matches.
    public var `default`: Decision

    public init(_ rules: [Rule] = [], default: Decision = .allow) {
        self.rules = rules
        self.default = `default`
    }

    /// Every call runs: the policy of an agent that sets none.
    public static let allowAll = ToolApproval()

    /// The decision for a call of `tool`, and the rule that made it (nil for the default).
    public func decision(for tool: String) -> (decision: Decision, rule: Rule?) {
        if let rule = rules.first(where: { $0.matches(tool) }) { return (rule.decision, rule) }
        return (self.default, nil)
    }

    /// Whether no call is ever denied or asked about.
    public var allowsEverything: Bool { self.default == .allow && rules.allSatisfy { $0.decision == .allow } }
}
