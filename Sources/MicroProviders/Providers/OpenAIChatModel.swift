import Foundation
import Micro
import MicroAgent

/// A model behind the OpenAI Chat Completions API (`POST {baseURL}/chat/completions`, streamed), also
/// serving the OpenAI-compatible providers through ``Configuration`` presets (Groq, Mistral, Together,
/// Atlas Cloud, MiniMax).
///
/// The system prompt travels as a leading `system` message; tool results as `tool` messages with
/// `tool_call_id` (a failed result's text is prefixed with `Error: `, the API has no error flag); reasoning
/// streamed as `delta.reasoning_content` or `delta.reasoning` becomes ``ModelEvent/reasoningDelta(_:)``.
/// Usage is read from `usage` (or Groq's `x_groq.usage`). A `finish_reason` of `stop` after tool calls is reported as ``StopReason/toolUse``. The stream must end
/// with `data: [DONE]` after a `finish_reason`, or it is ``ModelError/Code/truncated``.
public struct OpenAIChatModel: Model {
    /// Where and how to reach one OpenAI-compatible provider.
    public struct Configuration: Sendable, Hashable {
        /// The provider name reported in ``ModelInfo/provider``.
        public var provider: String
        /// The API root, to which `/chat/completions` is appended.
        public var baseURL: String
        public var defaultModel: String
        /// Environment variables searched, in order, for the API key.
        public var apiKeyVariables: [String]
        public var contextWindow: Int
        /// The request field for the output limit (`max_completion_tokens` at OpenAI, `max_tokens` elsewhere).
        public var maxTokensField: String
        /// Whether to send `stream_options: {include_usage: true}`.
        public var includeStreamUsage: Bool

        public init(
            provider: String, baseURL: String, defaultModel: String, apiKeyVariables: [String], contextWindow: Int,
            maxTokensField: String = "max_tokens", includeStreamUsage: Bool = true
        ) {
            self.provider = provider
            self.baseURL = baseURL
            self.defaultModel = defaultModel
            self.apiKeyVariables = apiKeyVariables
            self.contextWindow = contextWindow
            self.maxTokensField = maxTokensField
            self.includeStreamUsage = includeStreamUsage
        }

        /// OpenAI: `https://api.openai.com/v1`, `OPENAI_API_KEY`.
        public static let openAI = Configuration(
            provider: "openai", baseURL: "https://api.openai.com/v1", defaultModel: "gpt-4.1",
            apiKeyVariables: ["OPENAI_API_KEY"], contextWindow: 1_047_576, maxTokensField: "max_completion_tokens")
        /// Groq: `https://api.groq.com/openai/v1`, `GROQ_API_KEY`.
        public static let groq = Configuration(
            provider: "groq", baseURL: "https://api.groq.com/openai/v1", defaultModel: "llama-3.3-70b-versatile",
            apiKeyVariables: ["GROQ_API_KEY"], contextWindow: 131_072)
        /// Mistral: `https://api.mistral.ai/v1`, `MISTRAL_API_KEY` (usage arrives in the last chunk unasked).
        public static let mistral = Configuration(
            provider: "mistral", baseURL: "https://api.mistral.ai/v1", defaultModel: "mistral-large-latest",
            apiKeyVariables: ["MISTRAL_API_KEY"], contextWindow: 131_072, includeStreamUsage: false)
        /// Together AI: `https://api.together.xyz/v1`, `TOGETHER_API_KEY`.
        public static let together = Configuration(
            provider: "together", baseURL: "https://api.together.xyz/v1",
            defaultModel: "meta-llama/Llama-3.3-70B-Instruct-Turbo", apiKeyVariables: ["TOGETHER_API_KEY"],
            contextWindow: 131_072)
        /// Atlas Cloud: `https://api.atlascloud.ai/v1`, `ATLASCLOUD_API_KEY`.
        public static let atlasCloud = Configuration(
            provider: "atlascloud", baseURL: "https://api.atlascloud.ai/v1", defaultModel: "deepseek-ai/DeepSeek-V3-0324",
            apiKeyVariables: ["ATLASCLOUD_API_KEY"], contextWindow: 131_072)
        /// MiniMax (international): `https://api.minimax.io/v1`, `MINIMAX_API_KEY`.
        public static let miniMax = Configuration(
            provider: "minimax", baseURL: "https://api.minimax.io/v1", defaultModel: "MiniMax-M2",
            apiKeyVariables: ["MINIMAX_API_KEY"], contextWindow: 204_800, maxTokensField: "max_completion_tokens")
    }

    public let info: ModelInfo
    public let configuration: Configuration
    private let apiKey: String?
    private let transport: any HTTPTransport
    private let now: @Sendable () -> Timestamp

    /// - Parameters:
    ///   - now: the wall time an HTTP-date `retry-after` is measured from (pass an ``Environment``'s `now`).
    ///   - configuration: the provider preset (``Configuration/openAI`` by default).
    ///   - model: overrides the preset's default model (a request's own non-empty `model` wins over both).
    ///   - apiKey: overrides the key read from the preset's environment variables.
    ///   - baseURL: overrides the preset's base URL.
    ///   - contextWindow: overrides the preset's context window.
    ///   - environment: where API keys are read, at construction.
    public init(
        _ configuration: Configuration = .openAI, model: String? = nil, apiKey: String? = nil, baseURL: String? = nil,
        contextWindow: Int? = nil, transport: any HTTPTransport,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        now: @escaping @Sendable () -> Timestamp = Environment.live.now
    ) {
        var configuration = configuration
        if let model { configuration.defaultModel = model }
        if let baseURL { configuration.baseURL = baseURL }
        if let contextWindow { configuration.contextWindow = contextWindow }
        self.configuration = configuration
        self.apiKey = ProviderSupport.apiKey(apiKey, variables: configuration.apiKeyVariables, environment: environment)
        self.transport = transport
        self.now = now
        self.info = ModelInfo(
            provider: configuration.provider, name: configuration.defaultModel,
            contextWindow: configuration.contextWindow)
    }

    public func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        ProviderStream.run { () throws(ModelError) in try events(request) }
    }

    public func respond(to request: ModelRequest) async throws -> ModelResponse {
        try await events(request).respond()
    }

    /// The call answering `request` (nothing is sent until it is pulled).
    private func events(_ request: ModelRequest) throws(ModelError)
        -> EventSource<SSEModelStreamDecoder<OpenAIStreamHandler>>
    {
        guard let apiKey else {
            throw ModelError(.authentication, "no API key: set \(configuration.apiKeyVariables.joined(separator: " or "))")
        }
        return EventSource(
            transport: transport, request: httpRequest(request, apiKey: apiKey),
            decoder: SSEModelStreamDecoder(OpenAIStreamHandler()), now: now)
    }

    func httpRequest(_ request: ModelRequest, apiKey: String) -> HTTPRequest {
        HTTPRequest(
            url: ProviderSupport.join(configuration.baseURL, "chat/completions"),
            headers: [
                ("Authorization", "Bearer \(apiKey)"), ("Content-Type", "application/json"),
                ("Accept", "text/event-stream"),
            ],
            body: body(request).canonicalBytes())
    }

    /// The request body.
    func body(_ request: ModelRequest) -> JSONValue {
        var body: [String: JSONValue] = [
            "model": .string(ProviderSupport.model(request, default: configuration.defaultModel)),
            "messages": .array(Self.messages(request)),
            "stream": true,
        ]
        if configuration.includeStreamUsage { body["stream_options"] = ["include_usage": true] }
        if let maxTokens = request.options.maxTokens { body[configuration.maxTokensField] = .integer(maxTokens) }
        if let temperature = request.options.temperature { body["temperature"] = .number(temperature) }
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map(OpenAIChatModel.functionTool))
            switch request.options.toolChoice {
            case .auto: body["tool_choice"] = "auto"
            case .none: body["tool_choice"] = "none"
            case .required: body["tool_choice"] = "required"
            case .tool(let name): body["tool_choice"] = ["type": "function", "function": ["name": .string(name)]]
            }
        }
        return .object(body)
    }

    /// A tool spec as a `{type: function, function: {name, description, parameters}}` tool (Ollama uses the
    /// same shape).
    static func functionTool(_ tool: ToolSpec) -> JSONValue {
        [
            "type": "function",
            "function": [
                "name": .string(tool.name), "description": .string(tool.description),
                "parameters": tool.inputSchema.jsonValue,
            ],
        ]
    }

    static func messages(_ request: ModelRequest) -> [JSONValue] {
        var out: [JSONValue] = []
        if let system = request.system, !system.isEmpty { out.append(["role": "system", "content": .string(system)]) }
        for message in request.messages {
            switch message.role {
            case .user:
                out.append(["role": "user", "content": .string(message.text)])
            case .assistant:
                var entry: [String: JSONValue] = ["role": "assistant"]
                let text = message.text
                entry["content"] = text.isEmpty ? .null : .string(text)
                let calls = message.toolCalls
                if !calls.isEmpty {
                    entry["tool_calls"] = .array(
                        calls.map { call in
                            [
                                "id": .string(call.id), "type": "function",
                                "function": [
                                    "name": .string(call.name), "arguments": .string(call.arguments.canonicalString()),
                                ],
                            ]
                        })
                }
                out.append(.object(entry))
            case .tool:
                for result in message.toolResults {
                    let text = ProviderSupport.text(result.content)
                    out.append([
                        "role": "tool", "tool_call_id": .string(result.callID),
                        "content": .string(result.isError ? "Error: " + text : text),
                    ])
                }
                if !message.text.isEmpty { out.append(["role": "user", "content": .string(message.text)]) }
            }
        }
        return out
    }
}

/// Decodes Chat Completions chunks (`data: {…}` lines, then `data: [DONE]`).
struct OpenAIStreamHandler: SSEEventHandler {
    /// Wire tool-call index → our index.
    private var calls: [Int: Int] = [:]
    private var open: [Int] = []
    private var stopReason: StopReason?
    private var usage: Usage?
    /// The model's refusal so far (`delta.refusal`), kept as the stop details.
    private var refusal = ""
    private var done = false

    mutating func handle(_ event: SSEEvent, _ emit: (ModelEvent) -> Void) throws {
        guard !done else { return }
        if event.data == "[DONE]" {
            guard let stopReason else {
                throw ModelError(.truncated, "the stream ended ([DONE]) without a finish_reason")
            }
            if let usage { emit(.usage(usage)) }
            emit(.finish(stopReason))
            done = true
            return
        }
        let chunk = try ProviderSupport.json(event.data, provider: "openai")
        if chunk["error"] != nil || event.type == "error" { throw ProviderError.inStream(chunk) }
        if let reported = chunk["usage"] ?? chunk["x_groq"]?["usage"], let prompt = reported["prompt_tokens"]?.intValue {
            usage = Usage(
                inputTokens: prompt, outputTokens: reported["completion_tokens"]?.intValue ?? 0,
                cachedInputTokens: reported["prompt_tokens_details"]?["cached_tokens"]?.intValue ?? 0)
        }
        guard let choice = chunk["choices"]?[0] else { return }
        if let delta = choice["delta"] {
            if let reasoning = (delta["reasoning_content"] ?? delta["reasoning"])?.stringValue, !reasoning.isEmpty {
                emit(.reasoningDelta(reasoning))
            }
            if let text = delta["content"]?.stringValue, !text.isEmpty { emit(.textDelta(text)) }
            if let refusal = delta["refusal"]?.stringValue, !refusal.isEmpty {
                self.refusal += refusal
                emit(.stopDetails(["type": "refusal", "refusal": .string(self.refusal)]))
            }
            for call in delta["tool_calls"]?.arrayValue ?? [] {
                let wire = call["index"]?.intValue ?? 0
                let function = call["function"]
                let index: Int
                if let known = calls[wire] {
                    index = known
                } else {
                    index = calls.count
                    calls[wire] = index
                    open.append(index)
                    emit(
                        .toolCallStart(
                            index: index, id: call["id"]?.stringValue ?? "call_\(index)",
                            name: function?["name"]?.stringValue ?? ""))
                }
                if let fragment = function?["arguments"]?.stringValue, !fragment.isEmpty {
                    emit(.toolCallDelta(index: index, arguments: fragment))
                }
            }
        }
        if let reason = choice["finish_reason"]?.stringValue {
            for index in open { emit(.toolCallEnd(index: index)) }
            open.removeAll()
            stopReason =
                switch reason {
                case "length": .maxTokens
                case "tool_calls", "function_call": .toolUse
                case "content_filter": .contentFilter
                default: calls.isEmpty ? .endTurn : .toolUse
                }
        }
    }

    /// A body that ends after a `finish_reason` but without `data: [DONE]` is complete, as the SDK reads it
    /// (several OpenAI-compatible servers never send `[DONE]`); one that ends before any is truncated.
    mutating func finish(_ emit: (ModelEvent) -> Void) throws {
        guard !done else { return }
        guard let stopReason else { throw ModelError(.truncated, "the stream ended before a finish_reason and data: [DONE]") }
        if let usage { emit(.usage(usage)) }
        emit(.finish(stopReason))
        done = true
    }
}
