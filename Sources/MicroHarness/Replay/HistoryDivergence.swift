import Micro

/// Where the current code does something else than a stored run did: the run, the step, what differs, and
/// both sides.
public struct HistoryDivergence: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// The conversation sent to the model at this step differs (messages, tool results in them).
        case requestMessages = "request_messages"
        /// The system instructions sent to the model differ (compared when the runs' Trace is given).
        case requestSystem = "request_system"
        /// The tools offered to the model differ by name (compared when the runs' Trace is given).
        case requestTools = "request_tools"
        /// A tool the recorded answer calls is not offered any more, or its schema rejects the recorded arguments.
        case toolSpec = "tool_spec"
        /// The tool calls of the step differ (name, arguments, order).
        case toolCall = "tool_call"
        /// A tool call's result differs from the recorded one (the current tool refused or was not reached).
        case toolResult = "tool_result"
        /// The current code makes a model call the history does not have.
        case extraModelCall = "extra_model_call"
        /// The history has a model call the current code does not make.
        case missingModelCall = "missing_model_call"
        /// The run ends differently (status or output).
        case outcome
    }

    public var runID: String
    /// The model call (step) it happens at; for results and calls, the step that asked for them.
    public var step: Int
    public var kind: Kind
    /// What differs, e.g. `message 3`, `call c2 payments_charge`.
    public var subject: String
    /// What the history had.
    public var history: JSONValue
    /// What the current code does.
    public var current: JSONValue
    /// One readable sentence, with the first differing JSON path when there is one.
    public var detail: String

    public init(
        runID: String, step: Int, kind: Kind, subject: String, history: JSONValue, current: JSONValue, detail: String
    ) {
        self.runID = runID
        self.step = step
        self.kind = kind
        self.subject = subject
        self.history = history
        self.current = current
        self.detail = detail
    }

    /// Several lines: where, what, then both sides as canonical JSON.
    public var description: String {
        """
        step \(step) of run \(runID): \(kind.rawValue) at \(subject): \(detail)
          history: \(history.canonicalString())
          now:     \(current.canonicalString())
        """
    }
}

extension JSONValue {
    /// The JSON path (`$.a[2].b`) of the first place `self` and `other` differ, or nil when they are equal.
    func firstDifference(from other: JSONValue, path: String = "$") -> String? {
        switch (self, other) {
        case (.object(let a), .object(let b)):
            for key in Set(a.keys).union(b.keys).sorted() {
                guard let x = a[key], let y = b[key] else { return "\(path).\(key)" }
                if let found = x.firstDifference(from: y, path: "\(path).\(key)") { return found }
            }
            return nil
        case (.array(let a), .array(let b)):
            for index in 0..<Swift.max(a.count, b.count) {
                guard index < a.count, index < b.count else { return "\(path)[\(index)]" }
                if let found = a[index].firstDifference(from: b[index], path: "\(path)[\(index)]") { return found }
            }
            return nil
        default:
            return self == other ? nil : path
        }
    }
}
