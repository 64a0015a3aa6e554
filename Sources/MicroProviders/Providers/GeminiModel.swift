import Foundation
import Micro
import MicroAgent

/// A model behind the Gemini API (`POST {baseURL}/models/{model}:streamGenerateContent?alt=sse`).
///
/// The system prompt is `systemInstruction`; roles are `user` and `model`; tool calls and results are
/// `functionCall` and `functionResponse` parts (a response is named after its call, found in the history;
/// a non-object result is wrapped as `{"result": …}`, a failed one as `{"error": …}`). Tool schemas go
/// through ``GeminiSchema``. Parts marked `thought` become reasoning deltas. Gemini streams no terminal
/// event: a stream is complete when a chunk carried a `finishReason`; one that ends without it is
/// ``ModelError/Code/truncated``. Calls without an `id` get `gemini_call_<n>` (numbered per response).
/// Limitation: `thoughtSignature`s are not kept across turns (the neutral message has no place for them).
public struct GeminiModel: Model {
    public static let defaultBaseURL = "https://generativelanguage.googleapis.com/v1beta"
    public static let defaultModel = "gemini-2.5-flash"
    /// Searched in order for the key.
    public static let apiKeyVariables = ["GEMINI_API_KEY", "GOOGLE_API_KEY"]

    public let info: ModelInfo
    public let baseURL: String
    private let apiKey: String?
    private let transport: any HTTPTransport
    private let now: @Sendable () -> Timestamp

    /// - Parameters:
    ///   - now: the wall time an HTTP-date `retry-after` is measured from (pass an ``Environment``'s `now`).
    ///   - model: the default model (a request's own non-empty `model` wins).
    ///   - apiKey: overrides `GEMINI_API_KEY`/`GOOGLE_API_KEY` from `environment`, read at construction.
    public init(
        model: String = GeminiModel.defaultModel, apiKey: String? = nil, baseURL: String = GeminiModel.defaultBaseURL,
        contextWindow: Int = 1_048_576, transport: any HTTPTransport,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        now: @escaping @Sendable () -> Timestamp = Environment.live.now
    ) {
        self.info = ModelInfo(provider: "gemini", name: model, contextWindow: contextWindow)
        self.baseURL = baseURL
        self.apiKey = ProviderSupport.apiKey(apiKey, variables: Self.apiKeyVariables, environment: environment)
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
        -> EventSource<SSEModelStreamDecoder<GeminiStreamHandler>>
    {
        guard let apiKey else { throw ModelError(.authentication, "no API key: set GEMINI_API_KEY") }
        return EventSource(
            transport: transport, request: httpRequest(request, apiKey: apiKey),
            decoder: SSEModelStreamDecoder(GeminiStreamHandler()), now: now)
    }

    func httpRequest(_ request: ModelRequest, apiKey: String) -> HTTPRequest {
        let model = ProviderSupport.model(request, default: info.name)
        return HTTPRequest(
            url: ProviderSupport.join(baseURL, "models/\(model):streamGenerateContent?alt=sse"),
            headers: [("x-goog-api-key", apiKey), ("Content-Type", "application/json")],
            body: body(request).canonicalBytes())
    }

    /// The request body.
    func body(_ request: ModelRequest) -> JSONValue {
        var body: [String: JSONValue] = ["contents": .array(Self.contents(request.messages))]
        if let system = request.system, !system.isEmpty {
            body["systemInstruction"] = ["parts": [["text": .string(system)]]]
        }
        var generation: [String: JSONValue] = [:]
        if let maxTokens = request.options.maxTokens { generation["maxOutputTokens"] = .integer(maxTokens) }
        if let temperature = request.options.temperature { generation["temperature"] = .number(temperature) }
        if !generation.isEmpty { body["generationConfig"] = .object(generation) }
        if !request.tools.isEmpty {
            body["tools"] = [
                [
                    "functionDeclarations": .array(
                        request.tools.map {
                            [
                                "name": .string($0.name), "description": .string($0.description),
                                "parameters": GeminiSchema.convert($0.inputSchema.jsonValue),
                            ]
                        })
                ]
            ]
            let config: JSONValue =
                switch request.options.toolChoice {
                case .auto: ["mode": "AUTO"]
                case .none: ["mode": "NONE"]
                case .required: ["mode": "ANY"]
                case .tool(let name): ["mode": "ANY", "allowedFunctionNames": [.string(name)]]
                }
            body["toolConfig"] = ["functionCallingConfig": config]
        }
        return .object(body)
    }

    static func contents(_ messages: [Message]) -> [JSONValue] {
        let names = ProviderSupport.toolNames(messages)
        var out: [(role: String, parts: [JSONValue])] = []
        for message in messages {
            let role = message.role == .assistant ? "model" : "user"
            var parts: [JSONValue] = []
            for part in message.parts {
                switch part {
                case .text(let text):
                    if !text.isEmpty { parts.append(["text": .string(text)]) }
                case .reasoning:
                    continue  // another provider's signed reasoning means nothing here
                case .toolCall(let call):
                    var functionCall: [String: JSONValue] = ["functionCall": ["name": .string(call.name), "args": call.arguments]]
                    if let signature = call.signature { functionCall["thoughtSignature"] = .string(signature) }
                    parts.append(.object(functionCall))
                case .toolResult(let result):
                    let response: JSONValue =
                        result.isError
                        ? ["error": result.content]
                        : (result.content.objectValue != nil ? result.content : ["result": result.content])
                    parts.append([
                        "functionResponse": ["name": .string(names[result.callID] ?? result.callID), "response": response]
                    ])
                }
            }
            if parts.isEmpty { continue }
            if out.last?.role == role {
                out[out.count - 1].parts += parts
            } else {
                out.append((role, parts))
            }
        }
        return out.map { ["role": .string($0.role), "parts": .array($0.parts)] }
    }
}

/// Decodes `GenerateContentResponse` chunks.
struct GeminiStreamHandler: SSEEventHandler {
    private var calls = 0
    private var usage: Usage?
    private var stopReason: StopReason?

    mutating func handle(_ event: SSEEvent, _ emit: (ModelEvent) -> Void) throws {
        guard event.type == "message" || event.type == "error" else { return }
        let chunk = try ProviderSupport.json(event.data, provider: "gemini")
        if chunk["error"] != nil || event.type == "error" { throw ProviderError.inStream(chunk) }
        if let metadata = chunk["usageMetadata"] {
            usage = Usage(
                inputTokens: metadata["promptTokenCount"]?.intValue ?? 0,
                outputTokens: (metadata["candidatesTokenCount"]?.intValue ?? 0)
                    + (metadata["thoughtsTokenCount"]?.intValue ?? 0),
                cachedInputTokens: metadata["cachedContentTokenCount"]?.intValue ?? 0)
        }
        if chunk["promptFeedback"]?["blockReason"] != nil && chunk["candidates"] == nil {
            stopReason = .contentFilter
            return
        }
        guard let candidate = chunk["candidates"]?[0] else { return }
        for part in candidate["content"]?["parts"]?.arrayValue ?? [] {
            if let call = part["functionCall"] {
                let index = calls
                calls += 1
                emit(
                    .toolCallStart(
                        index: index, id: call["id"]?.stringValue ?? "gemini_call_\(index)",
                        name: call["name"]?.stringValue ?? ""))
                emit(.toolCallDelta(index: index, arguments: (call["args"] ?? .object([:])).canonicalString()))
                if let signature = part["thoughtSignature"]?.stringValue, !signature.isEmpty {
                    emit(.toolCallSignature(index: index, signature: signature))
                }
                emit(.toolCallEnd(index: index))
            } else if let text = part["text"]?.stringValue, !text.isEmpty {
                emit(part["thought"]?.boolValue == true ? .reasoningDelta(text) : .textDelta(text))
            }
        }
        if let reason = candidate["finishReason"]?.stringValue {
            stopReason =
                switch reason {
                case "STOP": calls > 0 ? .toolUse : .endTurn
                case "MAX_TOKENS": .maxTokens
                case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY": .contentFilter
                case "MALFORMED_FUNCTION_CALL":
                    throw ModelError(.malformedResponse, "Gemini produced a malformed function call", providerType: reason)
                default: calls > 0 ? .toolUse : .endTurn
                }
        }
    }

    mutating func finish(_ emit: (ModelEvent) -> Void) throws {
        guard let stopReason else { throw ModelError(.truncated, "the stream ended without a finishReason") }
        if let usage { emit(.usage(usage)) }
        emit(.finish(stopReason))
    }
}
