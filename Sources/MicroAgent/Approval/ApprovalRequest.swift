import Micro

/// The question a run paused on when its approval policy asks about a tool call: the call as the model
/// made it, structured so that a client can render it (the input request's prompt says the same in words).
public struct ApprovalRequest: Sendable, Hashable, Codable {
    public var tool: String
    public var callID: String
    public var arguments: JSONValue
    /// The policy rule that asked, such as `ask travel_payments_*` (nil when the default asked).
    public var rule: String?
    /// Answers to this question that could not be understood so far (the question is asked again after each).
    public var invalidAnswers: Int

    public init(tool: String, callID: String, arguments: JSONValue, rule: String?, invalidAnswers: Int = 0) {
        self.tool = tool
        self.callID = callID
        self.arguments = arguments
        self.rule = rule
        self.invalidAnswers = invalidAnswers
    }

    /// The question in words, with the answers understood.
    public var prompt: String {
        "Approve the call of \(tool) (call \(callID)) with arguments \(arguments.canonicalString())? "
            + ApprovalAnswer.grammar
    }

    /// The request as trace data.
    var jsonValue: JSONValue {
        [
            "tool": .string(tool), "callID": .string(callID), "arguments": arguments,
            "rule": rule.map(JSONValue.string) ?? .null, "invalidAnswers": .integer(invalidAnswers),
        ]
    }
}
