import Micro
import MicroAgent

/// `approvals: {asked, approved, denied, edited, policy_denied, tool}`: tool-call approvals over every run, each
/// field a count (`n`, exactly) or `{min, max}`; fields left out are not checked. A call counts once however
/// often its question was put (again after an unusable answer, or after a crash before the pause was
/// committed). `denied` counts answers that denied; `policy_denied` calls the policy denied without asking;
/// `edited` approvals that replaced the arguments (they count in `approved` too). `tool` (a name) counts only
/// that tool's calls.
public struct ApprovalsExpectation: ScenarioExpectation {
    public static let name = "approvals"
    public static let fields = ["asked", "approved", "denied", "edited", "policy_denied"]
    /// Bounds by field name.
    public var bounds: [String: Bounds]
    public var tool: String?

    public init(bounds: [String: Bounds], tool: String? = nil) {
        self.bounds = bounds
        self.tool = tool
    }

    public init(parsing node: YAMLNode) throws(ScenarioError) {
        let map = try node.mapping(Self.fields + ["tool"])
        var bounds: [String: Bounds] = [:]
        for field in Self.fields {
            if let value = map[field] { bounds[field] = try Bounds(parsing: value) }
        }
        if bounds.isEmpty { throw node.error("approvals needs at least one of \(Self.fields.joined(separator: ", "))") }
        self.init(bounds: bounds, tool: try map["tool"]?.string())
    }

    /// The counts in `record`, by field name.
    public func counts(in record: RunRecord) -> [String: Int] {
        func keep(_ name: String) -> Bool { tool.map { $0 == name } ?? true }
        let asked = Set(record.trace.compactMap { event in
            event.approvalRequest.flatMap { keep($0.tool) ? "\(event.runID) \($0.callID)" : nil }
        })
        var answers: [String: (approved: Bool, edited: Bool)] = [:]
        for event in record.trace {
            if let answer = event.approvalAnswer, keep(answer.tool) { answers["\(event.runID) \(answer.callID)"] = (answer.approved, answer.edited) }
        }
        let policyDenied = Set(record.trace.compactMap { event in
            event.deniedTool.flatMap { keep($0) ? "\(event.runID) \(event.data["callID"]?.stringValue ?? "")" : nil }
        })
        return [
            "asked": asked.count, "approved": answers.values.count(where: \.approved),
            "denied": answers.values.count { !$0.approved }, "edited": answers.values.count(where: \.edited),
            "policy_denied": policyDenied.count,
        ]
    }

    public func check(_ record: RunRecord) -> Verdict {
        let counts = counts(in: record)
        let misses = Self.fields.compactMap { field -> String? in
            guard let bounds = bounds[field], !bounds.contains(Double(counts[field] ?? 0)) else { return nil }
            return "\(field) \(bounds)"
        }
        let found = Self.fields.map { "\(counts[$0] ?? 0) \($0.replacingOccurrences(of: "_", with: " "))" }.joined(separator: ", ")
        let scope = tool.map { " of \($0)" } ?? ""
        return Verdict(misses.isEmpty, "approvals\(scope): \(found)" + (misses.isEmpty ? "" : "; expected " + misses.joined(separator: ", ")))
    }
}
