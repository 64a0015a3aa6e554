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
    /// The part of ``inputTokens`` the provider served from its prompt cache (billed at its cached rate):
    /// Anthropic `cache_read_input_tokens`, OpenAI `prompt_tokens_details.cached_tokens`, Gemini
    /// `cachedContentTokenCount`. Encoded only when not 0, so traces of uncached calls keep their shape.
    public var cachedInputTokens: Int

    public init(inputTokens: Int = 0, outputTokens: Int = 0, cachedInputTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
    }

    public var totalTokens: Int { inputTokens + outputTokens }

    public static func + (a: Usage, b: Usage) -> Usage {
        Usage(
            inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens,
            cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens)
    }

    enum CodingKeys: String, CodingKey { case inputTokens, outputTokens, cachedInputTokens }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        inputTokens = try container.decode(Int.self, forKey: .inputTokens)
        outputTokens = try container.decode(Int.self, forKey: .outputTokens)
        cachedInputTokens = try container.decodeIfPresent(Int.self, forKey: .cachedInputTokens) ?? 0
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(inputTokens, forKey: .inputTokens)
        try container.encode(outputTokens, forKey: .outputTokens)
        if cachedInputTokens != 0 { try container.encode(cachedInputTokens, forKey: .cachedInputTokens) }
    }

    /// The usage as trace data: `inputTokens`, `outputTokens`, and `cachedInputTokens` when not 0.
    public var jsonValue: JSONValue {
        var value: [String: JSONValue] = ["inputTokens": .integer(inputTokens), "outputTokens": .integer(outputTokens)]
        if cachedInputTokens != 0 { value["cachedInputTokens"] = .integer(cachedInputTokens) }
        return .object(value)
    }

    /// Reads ``jsonValue`` (missing fields are 0).
    public init(json value: JSONValue) {
        self.init(
            inputTokens: value["inputTokens"]?.intValue ?? 0, outputTokens: value["outputTokens"]?.intValue ?? 0,
            cachedInputTokens: value["cachedInputTokens"]?.intValue ?? 0)
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
    /// The provider filtered the output, or the model refused (details in ``ModelResponse/stopDetails``).
    case contentFilter = "content_filter"
    /// The provider paused a long turn (Anthropic `pause_turn`, server tools): sending the answer back as it is
    /// lets the model go on.
    case pauseTurn = "pause_turn"
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
    /// The token counts so far (running totals): a later report replaces an earlier one.
    case usage(Usage)
    /// What the provider said about why it stopped, beyond the reason (Anthropic `stop_details` of a refusal).
    case stopDetails(JSONValue)
    case finish(StopReason)
}

/// A folded, complete model answer.
public struct ModelResponse: Sendable, Hashable, Codable {
    public var message: Message
    public var usage: Usage
    public var stopReason: StopReason
    /// What the provider said about why it stopped, when it said more than the reason.
    public var stopDetails: JSONValue?
    /// Tool calls the output token limit cut off mid-arguments (the stop reason is then
    /// ``StopReason/maxTokens``): not in ``message``, never run; the agent loop tells the model about them.
    public var truncatedToolCalls: [TruncatedToolCall]

    public init(
        message: Message, usage: Usage, stopReason: StopReason, stopDetails: JSONValue? = nil,
        truncatedToolCalls: [TruncatedToolCall] = []
    ) {
        self.message = message
        self.usage = usage
        self.stopReason = stopReason
        self.stopDetails = stopDetails
        self.truncatedToolCalls = truncatedToolCalls
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        message = try container.decode(Message.self, forKey: .message)
        usage = try container.decode(Usage.self, forKey: .usage)
        stopReason = try container.decode(StopReason.self, forKey: .stopReason)
        stopDetails = try container.decodeIfPresent(JSONValue.self, forKey: .stopDetails)
        truncatedToolCalls = try container.decodeIfPresent([TruncatedToolCall].self, forKey: .truncatedToolCalls) ?? []
    }
}

/// A tool call whose arguments the output token limit cut off: what arrived of them, as text.
public struct TruncatedToolCall: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    /// The arguments as far as they came (not valid JSON).
    public var partialArguments: String

    public init(id: String, name: String, partialArguments: String) {
        self.id = id
        self.name = name
        self.partialArguments = partialArguments
    }
}
