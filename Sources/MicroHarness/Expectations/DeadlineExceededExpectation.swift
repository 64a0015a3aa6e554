import Micro
import MicroAgent

/// `deadline_exceeded: tool` or `{kind, count | min | max}`: deadlines (of that kind: `tool`, `model`,
/// `run`) cut calls in flight, a number of times within `count` (default: at least once).
public struct DeadlineExceededExpectation: ScenarioExpectation {
    public static let name = "deadline_exceeded"
    public var kind: Deadline.Kind?
    public var count: Bounds

    public init(kind: Deadline.Kind? = nil, count: Bounds = Bounds(min: 1)) {
        self.kind = kind
        self.count = count
    }

    public init(parsing node: YAMLNode) throws(ScenarioError) {
        if node.isScalar {
            self.init(kind: try Self.parseKind(node))
            return
        }
        let spec = try node.mapping(["kind", "count", "min", "max"])
        var kind: Deadline.Kind?
        if let node = spec["kind"] { kind = try Self.parseKind(node) }
        self.init(kind: kind, count: try Bounds(parsing: spec, default: Bounds(min: 1)))
    }

    private static func parseKind(_ node: YAMLNode) throws(ScenarioError) -> Deadline.Kind {
        let name = try node.string()
        let known: [Deadline.Kind] = [.tool, .model, .run, .call]
        guard let kind = known.first(where: { $0.rawValue == name }) else {
            throw node.error("unknown deadline \(name); deadlines: \(known.map(\.rawValue).joined(separator: ", "))")
        }
        return kind
    }

    public func check(_ record: RunRecord) -> Verdict {
        let cut = record.trace.filter { $0.kind == .deadlineExceeded }
            .compactMap { $0.data["deadline"]?["kind"]?.stringValue }
        let matching = cut.filter { kind.map { $0.rawValue } == nil || kind?.rawValue == $0 }
        let what = kind.map { "\($0) " } ?? ""
        return Verdict(
            count.contains(Double(matching.count)),
            "\(matching.count) \(what)deadline(s) exceeded (all: [\(cut.joined(separator: ", "))]), expected \(count)")
    }
}
