import Foundation
import Micro
import MicroAgent

/// `status: completed`: how the top-level run ended.
public struct StatusExpectation: ScenarioExpectation {
    public static let name = "status"
    public var status: RunState.Status

    public init(_ status: RunState.Status) { self.status = status }

    public init(parsing node: YAMLNode) throws(ScenarioError) {
        let text = try node.string()
        guard let status = RunState.Status(rawValue: text) else {
            throw node.error("unknown status \(text); statuses: \(RunState.Status.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.status = status
    }

    public var declaresEnd: Bool { true }

    public func check(_ record: RunRecord) -> Verdict {
        let actual = record.result?.status.rawValue ?? "none (the run threw)"
        return Verdict(record.result?.status == status, "status \(actual), expected \(status.rawValue)" + record.failureSuffix)
    }
}

/// `error: CODE` or `error: {code, message}`: the run failed gracefully with this failure code (and a
/// message containing `message`).
public struct ErrorExpectation: ScenarioExpectation {
    public static let name = "error"
    public var code: String
    public var message: String?

    public init(code: String, message: String? = nil) {
        self.code = code
        self.message = message
    }

    public init(parsing node: YAMLNode) throws(ScenarioError) {
        if node.isScalar {
            self.init(code: try node.string())
        } else {
            let spec = try node.mapping(["code", "message"])
            self.init(code: try spec.required("code").string(), message: try spec["message"]?.string())
        }
    }

    public var declaresEnd: Bool { true }

    public func check(_ record: RunRecord) -> Verdict {
        guard let failure = record.result?.failure, record.result?.status == .failed else {
            return Verdict(false, "the run did not fail (status \(record.result?.status.rawValue ?? "none")), expected error \(code)")
        }
        let passed = failure.code == code && (message.map { failure.message.contains($0) } ?? true)
        return Verdict(passed, "failed with \(failure.code): \(failure.message); expected \(code)\(message.map { " containing \(quoted($0))" } ?? "")")
    }
}

/// `output: TEXT` or `output: {equals | contains | matches | json_path + equals}`: the final output.
public struct OutputExpectation: ScenarioExpectation {
    public static let name = "output"

    /// How the final output is matched.
    public enum Match: Sendable, Hashable {
        case equals(String)
        case contains(String)
        case matches(String)
        /// The output parsed as JSON has `value` at `path` (`$.a.b[0]`).
        case json(path: String, equals: JSONValue)
    }

    public var match: Match

    public init(_ match: Match) { self.match = match }

    public init(parsing node: YAMLNode) throws(ScenarioError) {
        if node.isScalar {
            match = .equals(try node.string())
            return
        }
        let spec = try node.mapping(["equals", "contains", "matches", "json_path"])
        if let path = spec["json_path"] {
            guard let equals = spec["equals"] else { throw node.error("json_path needs equals") }
            match = .json(path: try path.string(), equals: try equals.json())
        } else if let text = spec["equals"] {
            match = .equals(try text.string())
        } else if let text = spec["contains"] {
            match = .contains(try text.string())
        } else if let pattern = spec["matches"] {
            let regex = try pattern.string()
            do { _ = try NSRegularExpression(pattern: regex) } catch {
                throw pattern.error("invalid regular expression: \(regex)")
            }
            match = .matches(regex)
        } else {
            throw node.error("output needs equals, contains, matches or json_path")
        }
    }

    public func check(_ record: RunRecord) -> Verdict {
        guard let output = record.result?.output else { return Verdict(false, "the run has no output" + record.failureSuffix) }
        switch match {
        case .equals(let text): return Verdict(output == text, "output \(quoted(output)), expected \(quoted(text))")
        case .contains(let text): return Verdict(output.contains(text), "output \(quoted(output)), expected it to contain \(quoted(text))")
        case .matches(let pattern):
            let found = output.range(of: pattern, options: .regularExpression) != nil
            return Verdict(found, "output \(quoted(output)), expected it to match /\(pattern)/")
        case .json(let path, let expected):
            guard let value = try? JSONValue(parsing: output) else { return Verdict(false, "output is not JSON: \(quoted(output))") }
            let actual = JSONPath.value(at: path, in: value)
            return Verdict(actual == expected, "\(path) is \(actual?.canonicalString() ?? "missing"), expected \(expected.canonicalString())")
        }
    }
}

extension RunRecord {
    /// ` (why the run failed)`, for messages about a run that did not end as expected.
    var failureSuffix: String {
        if let failure = result?.failure { return " (\(failure))" }
        if let error { return " (threw: \(error))" }
        return ""
    }
}

/// `"text"`, cut at 200 characters.
func quoted(_ text: String) -> String {
    let short = text.count > 200 ? String(text.prefix(200)) + "…" : text
    return "\"\(short)\""
}

/// A minimal JSONPath: `$`, `.key`, `['key']` and `[index]`.
enum JSONPath {
    static func value(at path: String, in root: JSONValue) -> JSONValue? {
        var current: JSONValue? = root
        var rest = Substring(path)
        if rest.hasPrefix("$") { rest = rest.dropFirst() }
        while !rest.isEmpty, let value = current {
            if rest.hasPrefix(".") {
                rest = rest.dropFirst()
                let end = rest.firstIndex { $0 == "." || $0 == "[" } ?? rest.endIndex
                current = value[String(rest[..<end])]
                rest = rest[end...]
            } else if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]") else { return nil }
                let inner = rest[rest.index(after: rest.startIndex)..<close]
                if let index = Int(inner) {
                    current = value[index]
                } else {
                    current = value[String(inner.trimmingCharacters(in: CharacterSet(charactersIn: "'\"")))]
                }
                rest = rest[rest.index(after: close)...]
            } else {
                return nil
            }
        }
        return current
    }
}
