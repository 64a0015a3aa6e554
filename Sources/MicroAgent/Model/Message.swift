import Micro

/// A provider-neutral conversation message. System instructions are not messages: they travel apart in
/// ``ModelRequest/system``, and each adapter puts them where its API wants them.
public struct Message: Sendable, Hashable, Codable {
    public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
        case user, assistant
        /// Carries tool results back to the model.
        case tool
    }

    public var role: Role
    public var parts: [MessagePart]

    public init(role: Role, parts: [MessagePart]) {
        self.role = role
        self.parts = parts
    }

    public static func user(_ text: String) -> Message { Message(role: .user, parts: [.text(text)]) }
    public static func assistant(_ text: String) -> Message { Message(role: .assistant, parts: [.text(text)]) }

    /// The text parts joined together.
    public var text: String {
        parts.compactMap { if case .text(let text) = $0 { text } else { nil } }.joined()
    }

    /// The tool calls this message asks for, in order.
    public var toolCalls: [ToolCall] {
        parts.compactMap { if case .toolCall(let call) = $0 { call } else { nil } }
    }

    /// The message as JSON, the same as its `Codable` form (built directly: traces write one per step).
    public var jsonValue: JSONValue {
        .object(["role": .string(role.rawValue), "parts": .array(parts.map(\.jsonValue))])
    }

    /// The tool results this message carries, in order.
    public var toolResults: [ToolResultPart] {
        parts.compactMap { if case .toolResult(let result) = $0 { result } else { nil } }
    }
}

/// One piece of a message.
public enum MessagePart: Sendable, Hashable, Codable {
    case text(String)
    /// A signed (or redacted) reasoning block of an assistant message, kept so that it goes back unchanged
    /// with the history: Anthropic requires the thinking blocks of a tool-use turn in the next request.
    case reasoning(ReasoningPart)
    case toolCall(ToolCall)
    case toolResult(ToolResultPart)

    private enum CodingKeys: String, CodingKey { case type, text, reasoning, toolCall, toolResult }

    /// The part as JSON, the same as its `Codable` form.
    public var jsonValue: JSONValue {
        switch self {
        case .text(let text): ["type": "text", "text": .string(text)]
        case .reasoning(let reasoning):
            ["type": "reasoning", "reasoning": reasoning.jsonValue]
        case .toolCall(let call):
            ["type": "tool_call", "toolCall": call.jsonValue]
        case .toolResult(let result):
            [
                "type": "tool_result",
                "toolResult": ["callID": .string(result.callID), "content": result.content, "isError": .bool(result.isError)],
            ]
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .type) {
        case "text": self = .text(try container.decode(String.self, forKey: .text))
        case "reasoning": self = .reasoning(try container.decode(ReasoningPart.self, forKey: .reasoning))
        case "tool_call": self = .toolCall(try container.decode(ToolCall.self, forKey: .toolCall))
        case "tool_result": self = .toolResult(try container.decode(ToolResultPart.self, forKey: .toolResult))
        case let other:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container, debugDescription: "unknown message part type \"\(other)\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .text(let text):
            try container.encode("text", forKey: .type)
            try container.encode(text, forKey: .text)
        case .reasoning(let reasoning):
            try container.encode("reasoning", forKey: .type)
            try container.encode(reasoning, forKey: .reasoning)
        case .toolCall(let call):
            try container.encode("tool_call", forKey: .type)
            try container.encode(call, forKey: .toolCall)
        case .toolResult(let result):
            try container.encode("tool_result", forKey: .type)
            try container.encode(result, forKey: .toolResult)
        }
    }
}

/// A reasoning block as the provider signed it: its text and signature go back unchanged.
public struct ReasoningPart: Sendable, Hashable, Codable {
    /// The reasoning text (empty for a redacted block).
    public var text: String
    /// The provider's signature over the block (Anthropic `signature`).
    public var signature: String?
    /// The opaque content of a block the provider redacted (Anthropic `redacted_thinking` `data`).
    public var redactedData: String?

    public init(text: String, signature: String? = nil, redactedData: String? = nil) {
        self.text = text
        self.signature = signature
        self.redactedData = redactedData
    }

    /// The part as JSON, the same as its `Codable` form (absent fields left out).
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = ["text": .string(text)]
        if let signature { object["signature"] = .string(signature) }
        if let redactedData { object["redactedData"] = .string(redactedData) }
        return .object(object)
    }
}

/// A model's request to run a tool.
public struct ToolCall: Sendable, Hashable, Codable {
    /// The provider's identifier for the call; results refer back to it.
    public var id: String
    public var name: String
    public var arguments: JSONValue
    /// The provider's signature over the reasoning that led to this call (Gemini `thoughtSignature`), sent back
    /// unchanged on the same call.
    public var signature: String?

    public init(id: String, name: String, arguments: JSONValue, signature: String? = nil) {
        self.id = id
        self.name = name
        self.arguments = arguments
        self.signature = signature
    }
}

extension ToolCall {
    /// The call as JSON, the same as its `Codable` form (no `signature` member when it has none).
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = ["id": .string(id), "name": .string(name), "arguments": arguments]
        if let signature { object["signature"] = .string(signature) }
        return .object(object)
    }
}

/// The result of a tool call, sent back to the model.
public struct ToolResultPart: Sendable, Hashable, Codable {
    /// The ``ToolCall/id`` this answers.
    public var callID: String
    public var content: JSONValue
    public var isError: Bool

    public init(callID: String, content: JSONValue, isError: Bool = false) {
        self.callID = callID
        self.content = content
        self.isError = isError
    }
}
