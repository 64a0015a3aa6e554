import Micro
import MicroAgent

/// `tool_called: NAME` or `{name, arguments, exact, count | min | max}`: a tool was called with arguments
/// that contain `arguments` (or equal them, when `exact`), a number of times within `count` (default: at
/// least once).
public struct ToolCalledExpectation: ScenarioExpectation {
    public static let name = "tool_called"
    public var tool: String
    public var arguments: JSONValue?
    public var exact: Bool
    public var count: Bounds

    public init(_ tool: String, arguments: JSONValue? = nil, exact: Bool = false, count: Bounds = Bounds(min: 1)) {
        self.tool = tool
        self.arguments = arguments
        self.exact = exact
        self.count = count
    }

    public init(parsing node: YAMLNode) throws(ScenarioError) {
        if node.isScalar {
            self.init(try node.string())
            return
        }
        let spec = try node.mapping(["name", "arguments", "exact", "count", "min", "max"])
        self.init(
            try spec.required("name").string(), arguments: try spec["arguments"]?.json(), exact: try spec["exact"]?.bool() ?? false,
            count: try Bounds(parsing: spec, default: Bounds(min: 1)))
    }

    public func check(_ record: RunRecord) -> Verdict {
        let all = record.toolCalls
        let calls = all.filter { $0.name == tool }
        let matching = calls.filter { call in
            guard let arguments else { return true }
            return exact ? call.arguments == arguments : JSONMatch.contains(call.arguments, arguments)
        }
        var message = "\(tool) called \(matching.count) time(s)"
        if let arguments { message += " with arguments \(exact ? "equal to" : "containing") \(arguments.canonicalString())" }
        message += ", expected \(count)"
        if matching.count != calls.count || (calls.isEmpty && !all.isEmpty) {
            message += "; calls made: " + all.map { "\($0.name)(\($0.arguments.canonicalString()))" }.joined(separator: ", ")
        }
        return Verdict(count.contains(Double(matching.count)), message)
    }
}

/// `tool_sequence: [A, B]` (in order, a subsequence of all calls) or `{in_order | any_order: [...]}`.
public struct ToolSequenceExpectation: ScenarioExpectation {
    public static let name = "tool_sequence"
    public var tools: [String]
    public var ordered: Bool

    public init(_ tools: [String], ordered: Bool = true) {
        self.tools = tools
        self.ordered = ordered
    }

    public init(parsing node: YAMLNode) throws(ScenarioError) {
        guard node.isMapping else {
            self.init(try node.strings())
            return
        }
        let spec = try node.mapping(["in_order", "any_order"])
        if let names = spec["in_order"] {
            self.init(try names.strings())
        } else if let names = spec["any_order"] {
            self.init(try names.strings(), ordered: false)
        } else {
            throw node.error("tool_sequence needs in_order or any_order")
        }
    }

    public func check(_ record: RunRecord) -> Verdict {
        let made = record.toolCalls.map(\.name)
        let passed: Bool
        if ordered {
            var remaining = tools[...]
            for name in made where name == remaining.first { remaining.removeFirst() }
            passed = remaining.isEmpty
        } else {
            passed = tools.allSatisfy(made.contains)
        }
        return Verdict(
            passed,
            "tools called: [\(made.joined(separator: ", "))], expected \(ordered ? "in order" : "in any order"): [\(tools.joined(separator: ", "))]")
    }
}

/// Partial matching of JSON values, as `when:` and `tool_called.arguments` use it.
public enum JSONMatch {
    /// Whether `value` contains `pattern`: objects by their pattern's keys (recursively), arrays and scalars
    /// by equality (integers equal numbers of the same value).
    public static func contains(_ value: JSONValue, _ pattern: JSONValue) -> Bool {
        switch (value, pattern) {
        case (.object(let object), .object(let wanted)):
            return wanted.allSatisfy { key, expected in object[key].map { contains($0, expected) } ?? false }
        case (.integer(let a), .number(let b)): return Double(a) == b
        case (.number(let a), .integer(let b)): return a == Double(b)
        default: return value == pattern
        }
    }
}
