import Foundation
import Micro
import Yams

/// A node of a scenario document with what error messages need: the file, the node's line and its path.
/// Catalogue expectations parse their value with it; every error it throws names the file, line and field.
public struct YAMLNode {
    let node: Node
    /// The scenario file.
    public let file: String
    /// The field's path in the document, such as `expect[2].my_check`.
    public let path: String

    /// 1-based; 0 when unknown.
    public var line: Int { node.mark?.line ?? 0 }

    /// Whether the node is a single value (not a mapping or a list).
    public var isScalar: Bool {
        if case .scalar = node { return true }
        return false
    }

    /// Whether the node is a mapping.
    public var isMapping: Bool {
        if case .mapping = node { return true }
        return false
    }

    /// Parses `text` into its root node.
    static func root(of text: String, file: String) throws(ScenarioError) -> YAMLNode {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ScenarioError(file: file, line: 0, field: "", message: "the file is empty")
            }
            return YAMLNode(node: node, file: file, path: "")
        } catch let error as ScenarioError {
            throw error
        } catch let error as YamlError {
            throw ScenarioError(file: file, line: Self.line(of: error), field: "", message: "invalid YAML: \(Self.problem(of: error))")
        } catch {
            throw ScenarioError(file: file, line: 0, field: "", message: "invalid YAML: \(error)")
        }
    }

    public func error(_ message: String) -> ScenarioError {
        ScenarioError(file: file, line: line, field: path, message: message)
    }

    func child(_ node: Node, key: String) -> YAMLNode {
        YAMLNode(node: node, file: file, path: path.isEmpty ? key : "\(path).\(key)")
    }

    // MARK: Shapes

    /// The node as a mapping whose keys must all be in `allowed`.
    public func mapping(_ allowed: [String]) throws(ScenarioError) -> YAMLMapping {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping, found \(kind)") }
        var entries: [String: YAMLNode] = [:]
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else { throw error("mapping keys must be plain strings") }
            guard allowed.contains(scalar.string) else {
                let near = NearestNames.of(scalar.string, among: allowed, limit: 1).first
                throw child(value, key: scalar.string).error(
                    "unknown field \(scalar.string)" + (near.map { " (did you mean \($0)?)" } ?? "")
                        + "; expected one of: \(allowed.joined(separator: ", "))")
            }
            entries[scalar.string] = child(value, key: scalar.string)
        }
        return YAMLMapping(node: self, entries: entries)
    }

    /// The node as a mapping with any keys (plain strings).
    public func anyMapping() throws(ScenarioError) -> YAMLMapping {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping, found \(kind)") }
        var keys: [String] = []
        for (key, _) in mapping {
            guard case .scalar(let scalar) = key else { throw error("mapping keys must be plain strings") }
            keys.append(scalar.string)
        }
        return try self.mapping(keys)
    }

    /// The node as a sequence; a single value counts as a sequence of one when `singleAllowed`.
    public func sequence(singleAllowed: Bool = false) throws(ScenarioError) -> [YAMLNode] {
        switch node {
        case .sequence(let sequence):
            return sequence.enumerated().map { index, element in
                YAMLNode(node: element, file: file, path: "\(path)[\(index)]")
            }
        case .scalar where singleAllowed, .mapping where singleAllowed:
            return [self]
        default:
            throw error("expected a list, found \(kind)")
        }
    }

    var kind: String {
        switch node {
        case .scalar(let scalar): scalar.style == .plain && Self.plainJSON(scalar.string) == .null ? "null" : "a scalar"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    // MARK: Scalars

    public func string() throws(ScenarioError) -> String {
        guard case .scalar(let scalar) = node else { throw error("expected a string, found \(kind)") }
        return scalar.string
    }

    public func int() throws(ScenarioError) -> Int {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string.replacingOccurrences(of: "_", with: "")) else {
            throw error("expected an integer, found \(describe)")
        }
        return value
    }

    public func double() throws(ScenarioError) -> Double {
        guard case .scalar(let scalar) = node, let value = Double(scalar.string) else {
            throw error("expected a number, found \(describe)")
        }
        return value
    }

    public func bool() throws(ScenarioError) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain, case .bool(let value) = Self.plainJSON(scalar.string) else {
            throw error("expected true or false, found \(describe)")
        }
        return value
    }

    /// A duration: `250ms`, `2s`, `1.5s`, `3m`, `1h`, or a plain number of seconds.
    public func duration() throws(ScenarioError) -> Duration {
        guard case .scalar(let scalar) = node else { throw error("expected a duration such as 2s or 250ms, found \(kind)") }
        let text = scalar.string.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        // Whole milliseconds that an Int64 holds: `1e300s`, `inf` or `nan` are errors, not a trap.
        func milliseconds(_ value: Double, _ seconds: Double) throws(ScenarioError) -> Duration {
            guard value >= 0, let ms = Int64(exactly: (value * seconds * 1000).rounded()) else {
                throw error("expected a duration such as 2s or 250ms, found \(describe) (not a finite duration in range)")
            }
            return .milliseconds(ms)
        }
        for (suffix, seconds) in units where text.hasSuffix(suffix) {
            if let value = Double(text.dropLast(suffix.count)), value >= 0 { return try milliseconds(value, seconds) }
        }
        if let value = Double(text), value >= 0 { return try milliseconds(value, 1) }
        throw error("expected a duration such as 2s or 250ms, found \(describe)")
    }

    /// A duration longer than zero (a time limit of zero would refuse every call).
    public func positiveDuration() throws(ScenarioError) -> Duration {
        let value = try duration()
        guard value > .zero else { throw error("expected a duration longer than zero, found \(describe)") }
        return value
    }

    /// One string or a list of strings.
    public func strings() throws(ScenarioError) -> [String] {
        var result: [String] = []
        for element in try sequence(singleAllowed: true) { result.append(try element.string()) }
        return result
    }

    /// The node as JSON: plain scalars resolve to null, booleans, integers and numbers as YAML 1.2 core does;
    /// quoted scalars stay strings.
    public func json() throws(ScenarioError) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            return scalar.style == .plain ? Self.plainJSON(scalar.string) : .string(scalar.string)
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard case .scalar(let scalar) = key else { throw error("mapping keys must be plain strings") }
                object[scalar.string] = try child(value, key: scalar.string).json()
            }
            return .object(object)
        case .sequence:
            var array: [JSONValue] = []
            for element in try sequence() { array.append(try element.json()) }
            return .array(array)
        case .alias:
            throw error("YAML aliases are not supported here")
        }
    }

    private var describe: String {
        if case .scalar(let scalar) = node { return "\"\(scalar.string)\"" }
        return kind
    }

    // MARK: Helpers

    /// A plain scalar resolved as YAML 1.2's core schema does (not 1.1's `yes`/`no`).
    static func plainJSON(_ text: String) -> JSONValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if let integer = Int(text) { return .integer(integer) }
        let numeric = text.allSatisfy { $0.isNumber || "+-.eE".contains($0) } && text.contains(where: \.isNumber)
        if numeric, let number = Double(text), number.isFinite { return .number(number) }
        return .string(text)
    }

    private static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        case .duplicatedKeysInMapping(_, let context): context.mark.line
        default: 0
        }
    }

    private static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
            .composer(let context, let problem, _, _):
            context.map { "\(problem) (\($0.text))" } ?? problem
        case .duplicatedKeysInMapping(let duplicates, _): "duplicate keys: \(duplicates.joined(separator: ", "))"
        default: "\(error)"
        }
    }
}

/// A mapping's entries by key, with required and optional access.
public struct YAMLMapping {
    public let node: YAMLNode
    public let entries: [String: YAMLNode]

    public subscript(key: String) -> YAMLNode? { entries[key] }

    public func required(_ key: String) throws(ScenarioError) -> YAMLNode {
        guard let value = entries[key] else {
            throw ScenarioError(
                file: node.file, line: node.line, field: node.path.isEmpty ? key : "\(node.path).\(key)",
                message: "missing required field \(key)")
        }
        return value
    }

    public func has(_ key: String) -> Bool { entries[key] != nil }
}
