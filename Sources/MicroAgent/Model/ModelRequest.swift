import Micro

/// Everything a model call needs, provider-neutral. Adapters send the full history every call.
public struct ModelRequest: Sendable, Hashable {
    /// The model identifier at the provider (for example `claude-sonnet-4-5`).
    public var model: String
    /// System instructions, kept apart from the messages.
    public var system: String?
    public var messages: [Message]
    public var tools: [ToolSpec]
    public var options: ModelOptions
    /// Which model call of its run this is (1-based; retries repeat it), for backends that answer by position
    /// such as scripted models; nil outside runs. Compaction changes the messages, never this.
    public var turn: Int?

    public init(
        model: String, system: String? = nil, messages: [Message], tools: [ToolSpec] = [],
        options: ModelOptions = ModelOptions(), turn: Int? = nil
    ) {
        self.model = model
        self.system = system
        self.messages = messages
        self.tools = tools
        self.options = options
        self.turn = turn
    }
}

/// Sampling and tool-use options.
public struct ModelOptions: Sendable, Hashable, Codable {
    public enum ToolChoice: Sendable, Hashable, Codable {
        /// The model decides.
        case auto
        /// No tool calls.
        case none
        /// At least one tool call.
        case required
        /// This tool.
        case tool(String)
    }

    public var maxTokens: Int?
    public var temperature: Double?
    public var toolChoice: ToolChoice

    public init(maxTokens: Int? = nil, temperature: Double? = nil, toolChoice: ToolChoice = .auto) {
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.toolChoice = toolChoice
    }
}

/// Tokens a call consumed.
public struct Usage: Sendable, Hashable, Codable {
    public var inputTokens: Int
    public var outputTokens: Int

    public init(inputTokens: Int = 0, outputTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }

    public var totalTokens: Int { inputTokens + outputTokens }

    public static func + (a: Usage, b: Usage) -> Usage {
        Usage(inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens)
    }
}

/// Why the model stopped.
public enum StopReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// A complete answer.
    case endTurn = "end_turn"
    /// It wants tool results.
    case toolUse = "tool_use"
    /// It hit the token limit.
    case maxTokens = "max_tokens"
    /// A stop sequence matched.
    case stopSequence = "stop_sequence"
    /// The provider filtered the output.
    case contentFilter = "content_filter"
}

/// A normalized streaming event; every adapter translates its wire format into these.
public enum ModelEvent: Sendable, Hashable {
    case textDelta(String)
    /// Reasoning text that is not part of the answer; folded responses drop it unless a signature closes it.
    case reasoningDelta(String)
    /// Closes the reasoning streamed so far as one signed block (Anthropic `signature_delta`); folded
    /// responses keep it as a ``ReasoningPart`` so that it can go back with the history.
    case reasoningSignature(String)
    /// A reasoning block the provider redacted, as opaque data to send back (Anthropic `redacted_thinking`).
    case redactedReasoning(String)
    /// A tool call begins at `index` (calls are numbered in the order the model makes them).
    case toolCallStart(index: Int, id: String, name: String)
    /// A fragment of the JSON arguments of the call at `index`.
    case toolCallDelta(index: Int, arguments: String)
    case toolCallEnd(index: Int)
    /// The provider's signature for the call at `index` (Gemini `thoughtSignature`), kept on the folded call.
    case toolCallSignature(index: Int, signature: String)
    case usage(Usage)
    case finish(StopReason)
}

/// A folded, complete model answer.
public struct ModelResponse: Sendable, Hashable, Codable {
    public var message: Message
    public var usage: Usage
    public var stopReason: StopReason

    public init(message: Message, usage: Usage, stopReason: StopReason) {
        self.message = message
        self.usage = usage
        self.stopReason = stopReason
    }
}
