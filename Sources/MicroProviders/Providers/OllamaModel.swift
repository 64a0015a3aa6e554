import Foundation
import Micro
import MicroAgent

/// A model served by Ollama (`POST {baseURL}/api/chat`, newline-delimited JSON).
///
/// The system prompt is a leading `system` message (Ollama accepts one); tool calls arrive whole per
/// message and get IDs `ollama_call_<n>` when Ollama sends none; tool results are `tool` messages with
/// `tool_name`. `message.thinking` becomes reasoning deltas. `options.num_ctx` is set to the context
/// window so the server and ``ModelInfo/contextWindow`` agree. The stream must end with `"done": true`,
/// or it is ``ModelError/Code/truncated``. An API key (`OLLAMA_API_KEY`, for ollama.com) is optional.
public struct OllamaModel: Model {
    public static let defaultBaseURL = "http://localhost:11434"
    public static let defaultModel = "llama3.1"

    public let info: ModelInfo
    public let baseURL: String
    private let apiKey: String?
    private let transport: any HTTPTransport
    private let now: @Sendable () -> Timestamp

    /// - Parameters:
    ///   - now: the wall time an HTTP-date `retry-after` is measured from (pass an ``Environment``'s `now`).
    ///   - model: the default model (a request's own non-empty `model` wins).
    ///   - contextWindow: sent as `options.num_ctx`.
    public init(
        model: String = OllamaModel.defaultModel, apiKey: String? = nil, baseURL: String = OllamaModel.defaultBaseURL,
        contextWindow: Int = 32_768, transport: any HTTPTransport,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        now: @escaping @Sendable () -> Timestamp = Environment.live.now
    ) {
        self.info = ModelInfo(provider: "ollama", name: model, contextWindow: contextWindow)
        self.baseURL = baseURL
        self.apiKey = ProviderSupport.apiKey(apiKey, variables: ["OLLAMA_API_KEY"], environment: environment)
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
        -> EventSource<OllamaStreamDecoder>
    {
        return EventSource(
            transport: transport, request: httpRequest(request), decoder: OllamaStreamDecoder(), now: now)
    }

    func httpRequest(_ request: ModelRequest) -> HTTPRequest {
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if let apiKey { headers.append(("Authorization", "Bearer \(apiKey)")) }
        return HTTPRequest(
            url: ProviderSupport.join(baseURL, "api/chat"), headers: headers, body: body(request).canonicalBytes())
    }

    /// The request body.
    func body(_ request: ModelRequest) -> JSONValue {
        var options: [String: JSONValue] = ["num_ctx": .integer(info.contextWindow)]
        if let maxTokens = request.options.maxTokens { options["num_predict"] = .integer(maxTokens) }
        if let temperature = request.options.temperature { options["temperature"] = .number(temperature) }
        var body: [String: JSONValue] = [
            "model": .string(ProviderSupport.model(request, default: info.name)),
            "messages": .array(Self.messages(request)),
            "stream": true,
            "options": .object(options),
        ]
        if !request.tools.isEmpty, request.options.toolChoice != .none {
            body["tools"] = .array(request.tools.map(OpenAIChatModel.functionTool))
        }
        return .object(body)
    }

    static func messages(_ request: ModelRequest) -> [JSONValue] {
        let names = ProviderSupport.toolNames(request.messages)
        var out: [JSONValue] = []
        if let system = request.system, !system.isEmpty { out.append(["role": "system", "content": .string(system)]) }
        for message in request.messages {
            switch message.role {
            case .user:
                out.append(["role": "user", "content": .string(message.text)])
            case .assistant:
                var entry: [String: JSONValue] = ["role": "assistant", "content": .string(message.text)]
                let calls = message.toolCalls
                if !calls.isEmpty {
                    entry["tool_calls"] = .array(
                        calls.map { ["function": ["name": .string($0.name), "arguments": $0.arguments]] })
                }
                out.append(.object(entry))
            case .tool:
                for result in message.toolResults {
                    let text = ProviderSupport.text(result.content)
                    out.append([
                        "role": "tool", "tool_name": .string(names[result.callID] ?? ""),
                        "content": .string(result.isError ? "Error: " + text : text),
                    ])
                }
                if !message.text.isEmpty { out.append(["role": "user", "content": .string(message.text)]) }
            }
        }
        return out
    }
}

/// Decodes Ollama's NDJSON chat stream.
struct OllamaStreamDecoder: ModelStreamDecoder {
    private var reader = NDJSONReader()
    private var calls = 0
    private var done = false

    mutating func consume(_ chunk: [UInt8], _ emit: (ModelEvent) -> Void) throws {
        var values: [JSONValue] = []
        try reader.read(chunk) { values.append($0) }
        for value in values { try handle(value, emit) }
    }

    mutating func finish(_ emit: (ModelEvent) -> Void) throws {
        var values: [JSONValue] = []
        try reader.finish { values.append($0) }
        for value in values { try handle(value, emit) }
        guard done else { throw ModelError(.truncated, "the stream ended before \"done\": true") }
    }

    private mutating func handle(_ value: JSONValue, _ emit: (ModelEvent) -> Void) throws {
        guard !done else { return }
        if value["error"] != nil { throw ProviderError.inStream(value) }
        if let message = value["message"] {
            if let thinking = message["thinking"]?.stringValue, !thinking.isEmpty { emit(.reasoningDelta(thinking)) }
            if let text = message["content"]?.stringValue, !text.isEmpty { emit(.textDelta(text)) }
            for call in message["tool_calls"]?.arrayValue ?? [] {
                let index = calls
                calls += 1
                let function = call["function"]
                emit(
                    .toolCallStart(
                        index: index, id: call["id"]?.stringValue ?? "ollama_call_\(index)",
                        name: function?["name"]?.stringValue ?? ""))
                let arguments = function?["arguments"] ?? .object([:])
                emit(.toolCallDelta(index: index, arguments: arguments.stringValue ?? arguments.canonicalString()))
                emit(.toolCallEnd(index: index))
            }
        }
        if value["done"]?.boolValue == true {
            done = true
            emit(
                .usage(
                    Usage(
                        inputTokens: value["prompt_eval_count"]?.intValue ?? 0,
                        outputTokens: value["eval_count"]?.intValue ?? 0)))
            let reason: StopReason =
                switch value["done_reason"]?.stringValue {
                case "length": .maxTokens
                default: calls > 0 ? .toolUse : .endTurn
                }
            emit(.finish(reason))
        }
    }
}
