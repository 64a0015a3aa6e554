import Foundation
import Micro
import MicroAgent

/// A model behind the Anthropic Messages API (`POST {baseURL}/messages`, streamed).
///
/// The system prompt is the top-level `system` field; tool calls and results are `tool_use` and
/// `tool_result` content blocks (results go in a `user` message; consecutive messages of one role are
/// merged, as the API wants alternation). Thinking blocks arrive as reasoning deltas closed by their
/// signature; signed (and redacted) blocks fold into ``ReasoningPart``s and go back unchanged with the history,
/// as the API requires after a tool-use turn. `max_tokens` is required by the API: ``defaultMaxTokens`` is sent
/// when the request sets none. Input usage counts cached tokens too (`input_tokens` +
/// `cache_creation_input_tokens` + `cache_read_input_tokens`), as they fill the context window; the cache
/// reads are also ``Usage/cachedInputTokens``. The stream must end with `message_stop`, or it is ``ModelError/Code/truncated``.
public struct AnthropicModel: Model {
    public static let defaultBaseURL = "https://api.anthropic.com/v1"
    public static let defaultModel = "claude-sonnet-4-5"
    public static let apiKeyVariable = "ANTHROPIC_API_KEY"
    /// The `anthropic-version` header.
    public static let apiVersion = "2023-06-01"

    public let info: ModelInfo
    public let baseURL: String
    public let defaultMaxTokens: Int
    private let apiKey: String?
    private let transport: any HTTPTransport
    private let now: @Sendable () -> Timestamp

    /// - Parameters:
    ///   - now: the wall time an HTTP-date `retry-after` is measured from (pass an ``Environment``'s `now`).
    ///   - model: the default model (a request's own non-empty `model` wins).
    ///   - apiKey: overrides `ANTHROPIC_API_KEY` from `environment`, read at construction.
    public init(
        model: String = AnthropicModel.defaultModel, apiKey: String? = nil,
        baseURL: String = AnthropicModel.defaultBaseURL, contextWindow: Int = 200_000, defaultMaxTokens: Int = 8192,
        transport: any HTTPTransport, environment: [String: String] = ProcessInfo.processInfo.environment,
        now: @escaping @Sendable () -> Timestamp = Environment.live.now
    ) {
        self.info = ModelInfo(provider: "anthropic", name: model, contextWindow: contextWindow)
        self.baseURL = baseURL
        self.defaultMaxTokens = defaultMaxTokens
        self.apiKey = ProviderSupport.apiKey(apiKey, variables: [Self.apiKeyVariable], environment: environment)
        self.transport = transport
        self.now = now
    }

    public func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        ProviderStream.run { () throws(ModelError) in try events(request) }
    }

    public func respond(to request: ModelRequest) async throws -> ModelResponse {
        try await events(request).respond()
    }

    /// The call answering `request` (nothing is sent until it is pulled).
    private func events(_ request: ModelRequest) throws(ModelError)
        -> EventSource<SSEModelStreamDecoder<AnthropicStreamHandler>>
    {
        guard let apiKey else { throw ModelError(.authentication, "no API key: set \(Self.apiKeyVariable)") }
        return EventSource(
            transport: transport, request: httpRequest(request, apiKey: apiKey),
            decoder: SSEModelStreamDecoder(AnthropicStreamHandler()), now: now)
    }

    func httpRequest(_ request: ModelRequest, apiKey: String) -> HTTPRequest {
        HTTPRequest(
            url: ProviderSupport.join(baseURL, "messages"),
            headers: [
                ("x-api-key", apiKey), ("anthropic-version", Self.apiVersion), ("content-type", "application/json"),
                ("accept", "text/event-stream"),
            ],
            body: body(request).canonicalBytes())
    }

    /// The request body.
    func body(_ request: ModelRequest) -> JSONValue {
        var body: [String: JSONValue] = [
            "model": .string(ProviderSupport.model(request, default: info.name)),
            "max_tokens": .integer(request.options.maxTokens ?? defaultMaxTokens),
            "messages": .array(Self.messages(request.messages)),
            "stream": true,
        ]
        if let system = request.system, !system.isEmpty { body["system"] = .string(system) }
        if let temperature = request.options.temperature { body["temperature"] = .number(temperature) }
        if !request.tools.isEmpty {
            body["tools"] = .array(
                request.tools.map {
                    ["name": .string($0.name), "description": .string($0.description), "input_schema": $0.inputSchema.jsonValue]
                })
            switch request.options.toolChoice {
            case .auto: body["tool_choice"] = ["type": "auto"]
            case .none: body["tool_choice"] = ["type": "none"]
            case .required: body["tool_choice"] = ["type": "any"]
            case .tool(let name): body["tool_choice"] = ["type": "tool", "name": .string(name)]
            }
        }
        return .object(body)
    }

    static func messages(_ messages: [Message]) -> [JSONValue] {
        var out: [(role: String, blocks: [JSONValue])] = []
        for message in messages {
            let role = message.role == .assistant ? "assistant" : "user"
            var blocks: [JSONValue] = []
            for part in message.parts {
                switch part {
                case .text(let text):
                    if !text.isEmpty { blocks.append(["type": "text", "text": .string(text)]) }
                case .reasoning(let reasoning):
                    // Sent back unchanged; unsigned reasoning (from another provider) is not a thinking block.
                    if let data = reasoning.redactedData {
                        blocks.append(["type": "redacted_thinking", "data": .string(data)])
                    } else if let signature = reasoning.signature, message.role == .assistant {
                        blocks.append(
                            ["type": "thinking", "thinking": .string(reasoning.text), "signature": .string(signature)])
                    }
                case .toolCall(let call):
                    let input: JSONValue = call.arguments.objectValue != nil ? call.arguments : .object([:])
                    blocks.append(["type": "tool_use", "id": .string(call.id), "name": .string(call.name), "input": input])
                case .toolResult(let result):
                    var block: [String: JSONValue] = [
                        "type": "tool_result", "tool_use_id": .string(result.callID),
                        "content": .string(ProviderSupport.text(result.content)),
                    ]
                    if result.isError { block["is_error"] = true }
                    blocks.append(.object(block))
                }
            }
            if blocks.isEmpty { continue }
            if out.last?.role == role {
                out[out.count - 1].blocks += blocks
            } else {
                out.append((role, blocks))
            }
        }
        return out.map { ["role": .string($0.role), "content": .array($0.blocks)] }
    }
}

/// Decodes Messages API stream events.
struct AnthropicStreamHandler: SSEEventHandler {
    /// Content block index → tool call index.
    private var toolBlocks: [Int: Int] = [:]
    /// `input_tokens`, `cache_creation_input_tokens`, `cache_read_input_tokens`, `output_tokens`: each set by
    /// `message_start` and replaced by a `message_delta` that carries it (even as 0), as the SDK does.
    private var input = 0
    private var cacheCreation = 0
    private var cacheRead = 0
    private var output = 0
    private var stopReason: StopReason?
    private var done = false

    mutating func handle(_ event: SSEEvent, _ emit: (ModelEvent) -> Void) throws {
        guard !done else { return }
        switch event.type {
        case "ping": return
        case "message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta",
            "message_stop", "error":
            break
        default: return  // unknown events are ignored, as the API's versioning policy asks
        }
        let payload = try ProviderSupport.event(event.data, provider: "anthropic")
        switch event.type {
        case "error":
            throw ProviderError.inStream(payload.root)
        case "message_start":
            if payload.contains("message", "usage") {
                input = payload.int("message", "usage", "input_tokens") ?? 0
                cacheCreation = payload.int("message", "usage", "cache_creation_input_tokens") ?? 0
                cacheRead = payload.int("message", "usage", "cache_read_input_tokens") ?? 0
                output = payload.int("message", "usage", "output_tokens") ?? 0
                emit(.usage(usage))
            }
        case "content_block_start":
            let type = payload.string("content_block", "type")
            if type == "thinking" {
                if let text = payload.string("content_block", "thinking"), !text.isEmpty { emit(.reasoningDelta(text)) }
                if let signature = payload.string("content_block", "signature"), !signature.isEmpty {
                    emit(.reasoningSignature(signature))
                }
                return
            }
            if type == "redacted_thinking" {
                emit(.redactedReasoning(payload.string("content_block", "data") ?? ""))
                return
            }
            guard type == "tool_use", let blockIndex = payload.int("index") else {
                if let text = payload.string("content_block", "text"), !text.isEmpty { emit(.textDelta(text)) }
                return
            }
            let index = toolBlocks.count
            toolBlocks[blockIndex] = index
            emit(
                .toolCallStart(
                    index: index, id: payload.string("content_block", "id") ?? "",
                    name: payload.string("content_block", "name") ?? ""))
        case "content_block_delta":
            switch payload.string("delta", "type") {
            case "text_delta":
                if let text = payload.string("delta", "text") { emit(.textDelta(text)) }
            case "thinking_delta":
                if let text = payload.string("delta", "thinking") { emit(.reasoningDelta(text)) }
            case "signature_delta":
                if let signature = payload.string("delta", "signature"), !signature.isEmpty {
                    emit(.reasoningSignature(signature))
                }
            case "input_json_delta":
                if let blockIndex = payload.int("index"), let index = toolBlocks[blockIndex],
                    let fragment = payload.string("delta", "partial_json"), !fragment.isEmpty
                {
                    emit(.toolCallDelta(index: index, arguments: fragment))
                }
            default: return
            }
        case "content_block_stop":
            if let blockIndex = payload.int("index"), let index = toolBlocks[blockIndex] {
                emit(.toolCallEnd(index: index))
            }
        case "message_delta":
            if payload.contains("usage") {
                if let reported = payload.int("usage", "output_tokens") { output = reported }
                if let reported = payload.int("usage", "input_tokens") { input = reported }
                if let reported = payload.int("usage", "cache_creation_input_tokens") { cacheCreation = reported }
                if let reported = payload.int("usage", "cache_read_input_tokens") { cacheRead = reported }
                emit(.usage(usage))
            }
            if let details = payload.value("delta", "stop_details"), details != .null { emit(.stopDetails(details)) }
            if let reason = payload.string("delta", "stop_reason") {
                stopReason =
                    switch reason {
                    case "tool_use": .toolUse
                    case "max_tokens", "model_context_window_exceeded": .maxTokens
                    case "stop_sequence": .stopSequence
                    case "refusal": .contentFilter
                    case "pause_turn": .pauseTurn
                    default: .endTurn
                    }
            }
        case "message_stop":
            done = true
            emit(.finish(stopReason ?? (toolBlocks.isEmpty ? .endTurn : .toolUse)))
        default: return
        }
    }

    /// Input counts cached tokens too: they fill the context window; the cache reads are also kept apart
    /// (billed at the cached rate). Cache writes stay plain input.
    private var usage: Usage {
        Usage(inputTokens: input + cacheCreation + cacheRead, outputTokens: output, cachedInputTokens: cacheRead)
    }

    mutating func finish(_ emit: (ModelEvent) -> Void) throws {
        guard done else { throw ModelError(.truncated, "the stream ended before message_stop") }
    }
}
