import HTTPTypes
import Hummingbird
import Logging
import Micro
import MicroProviders
import NIOCore

/// A stand-in upstream on loopback that answers like the real providers, from their documented wire examples,
/// so that sessions can be recorded (`micro record`) and SDKs exercised with no network and no key.
///
/// Routes (POST): `/v1/messages` (Anthropic), `/v1/chat/completions` (OpenAI-compatible),
/// `/v1beta/models/{model}:streamGenerateContent` and `:generateContent` (Gemini) and `/api/chat` (Ollama).
///
/// - The answer is a tool call when the request offers tools and its last message is the user's own words
///   (not a tool result); otherwise a plain text answer. The documented tool name is replaced by the first
///   offered tool's name.
/// - Streaming follows each API: `"stream": true` (Anthropic, OpenAI), `streamGenerateContent` with
///   `alt=sse` (Gemini), `"stream"` absent or true (Ollama, whose documented default is to stream). Other
///   requests get the documented non-streaming JSON.
/// - HTTP 429 with `retry-after` and the provider's documented error body when the request has the header
///   `x-micro-standin: rate-limit` or its last message contains "rate limit".
/// - Anything else gets 404 (unknown path), 405 (not POST) or 400 (a body that is not a JSON object).
/// - With a ``StandInScript`` (answers written by hand), each `/v1/chat/completions` request gets the script's
///   next turn instead, in OpenAI's documented wire shape; the other dialects answer 404.
/// - With a ``RetryJudge``, seeded chaos (``StandInChaos``) hits the answers, and `GET /_micro/retries`
///   reports how the clients retried.
public struct StandInServer: Sendable {
    /// The header that asks for a specific answer; its one value today is `rate-limit`.
    public static let controlHeader = "x-micro-standin"
    /// Seconds sent in `retry-after` with a 429.
    public static let retryAfterSeconds = 7

    public var host: String
    public var port: Int
    public var logger: Logger
    /// Seeded misbehaviour, judged: `GET /_micro/retries` reports how clients retried.
    public var judge: RetryJudge?
    /// Answers written by hand, served in order to chat requests instead of the documented examples.
    public var script: StandInScript?

    public init(
        host: String = "127.0.0.1", port: Int = 0, logger: Logger = Logger(label: "micro-standin"), judge: RetryJudge? = nil,
        script: StandInScript? = nil
    ) {
        self.host = host
        self.port = port
        self.logger = logger
        self.judge = judge
        self.script = script
    }

    /// The Hummingbird application; `onRunning` gets the bound port once the server listens.
    public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            responder: Responder(judge: judge, script: script),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "micro-standin"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) }, logger: logger)
    }

    /// The wire dialects served.
    enum Provider: String {
        case anthropic, openAI, gemini, ollama
    }

    struct Responder: HTTPResponder {
        typealias Context = BasicRequestContext
        let judge: RetryJudge?
        let script: StandInScript?

        func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
            let path = request.uri.path
            let provider: Provider
            var geminiStreams = false
            if request.method == .get, path == "/_micro/retries" {
                guard let judge else { return Self.plain(.notFound, #"{"error":{"type":"not_found","message":"the stand-in runs without chaos"}}"#) }
                return Self.plain(.ok, judge.report.canonicalString())
            }
            if request.method != .post {
                return Self.plain(.methodNotAllowed, #"{"error":{"type":"method_not_allowed","message":"POST only"}}"#)
            } else if path == "/v1/messages" {
                provider = .anthropic
            } else if path == "/v1/chat/completions" {
                provider = .openAI
            } else if path == "/api/chat" {
                provider = .ollama
            } else if path.hasPrefix("/v1beta/models/"), path.hasSuffix(":streamGenerateContent") || path.hasSuffix(":generateContent") {
                provider = .gemini
                geminiStreams = path.hasSuffix(":streamGenerateContent") && request.uri.queryParameters["alt"] == "sse"
            } else {
                return Self.plain(.notFound, #"{"error":{"type":"not_found","message":"the stand-in does not serve this path"}}"#)
            }
            let bytes = try await request.body.collect(upTo: 32 << 20)
            guard let body = try? JSONValue(parsing: Array(buffer: bytes)), body.objectValue != nil else {
                return Self.plain(.badRequest, #"{"error":{"type":"invalid_request_error","message":"the body is not a JSON object"}}"#)
            }
            let call = Call(provider: provider, body: body)
            if request.headers[HTTPField.Name(StandInServer.controlHeader)!] == "rate-limit"
                || call.lastMessageText.lowercased().contains("rate limit")
            {
                return Self.rateLimited(provider)
            }
            let streams = provider == .gemini ? geminiStreams : call.streams
            if let script {
                guard provider == .openAI else {
                    return Self.plain(.notFound, #"{"error":{"type":"not_found","message":"a scripted stand-in answers /v1/chat/completions only"}}"#)
                }
                guard let (index, turn) = script.next() else {
                    return Self.plain(.badRequest, #"{"error":{"type":"invalid_request_error","message":"the stand-in's script has no turn left"}}"#)
                }
                let text = StandInScript.openAIAnswer(turn, index: index, model: body["model"]?.stringValue ?? "gpt-4o", streams: streams)
                return Response(
                    status: .ok, headers: [.contentType: streams ? "text/event-stream" : "application/json"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
            }
            let (text, contentType) = Self.answer(provider, toolCall: call.wantsToolCall, toolName: call.firstToolName, streams: streams)
            if let judge, let fault = judge.arrive(Array(buffer: bytes)) {
                return Self.applying(fault, text: text, contentType: contentType, provider: provider, chaos: judge.chaos)
            }
            return Response(status: .ok, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }

        /// The documented answer as text, and its content type.
        static func answer(_ provider: Provider, toolCall: Bool, toolName: String?, streams: Bool) -> (text: String, contentType: String) {
            let examples: (stream: String, json: String)
            switch (provider, toolCall) {
            case (.anthropic, false): examples = (DocumentedExamples.anthropicText, DocumentedExamples.anthropicTextJSON)
            case (.anthropic, true): examples = (DocumentedExamples.anthropicToolCall, DocumentedExamples.anthropicToolCallJSON)
            case (.openAI, false): examples = (DocumentedExamples.openAIText, DocumentedExamples.openAITextJSON)
            case (.openAI, true): examples = (DocumentedExamples.openAIToolCall, DocumentedExamples.openAIToolCallJSON)
            case (.gemini, false): examples = (DocumentedExamples.geminiText, DocumentedExamples.geminiTextJSON)
            case (.gemini, true): examples = (DocumentedExamples.geminiToolCall, DocumentedExamples.geminiToolCallJSON)
            case (.ollama, false): examples = (DocumentedExamples.ollamaText, DocumentedExamples.ollamaTextJSON)
            case (.ollama, true): examples = (DocumentedExamples.ollamaToolCall, DocumentedExamples.ollamaToolCallJSON)
            }
            var text = streams ? examples.stream : examples.json
            if toolCall, let toolName { text = text.replacing("\"get_weather\"", with: "\"\(toolName)\"") }
            let contentType = !streams ? "application/json" : provider == .ollama ? "application/x-ndjson" : "text/event-stream"
            return (text, contentType)
        }

        static func rateLimited(_ provider: Provider, retryAfter: String = "\(StandInServer.retryAfterSeconds)") -> Response {
            let body: String
            switch provider {
            case .anthropic: body = DocumentedExamples.anthropicRateLimit
            case .openAI: body = DocumentedExamples.openAIRateLimit
            case .gemini: body = DocumentedExamples.geminiRateLimit
            case .ollama: body = DocumentedExamples.ollamaRateLimit
            }
            var headers: HTTPFields = [.contentType: "application/json"]
            headers[HTTPField.Name("retry-after")!] = retryAfter
            return Response(status: .tooManyRequests, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        }

        static func plain(_ status: HTTPResponse.Status, _ json: String) -> Response {
            Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
        }
    }

    /// What the stand-in reads from a request body, per dialect.
    struct Call {
        let provider: Provider
        let body: JSONValue

        /// The conversation, in the dialect's own field.
        var messages: [JSONValue] { (provider == .gemini ? body["contents"] : body["messages"])?.arrayValue ?? [] }

        var streams: Bool {
            switch provider {
            case .ollama: body["stream"]?.boolValue ?? true
            default: body["stream"]?.boolValue ?? false
            }
        }

        /// Tool names offered, in order.
        var toolNames: [String] {
            let tools = body["tools"]?.arrayValue ?? []
            switch provider {
            case .anthropic: return tools.compactMap { $0["name"]?.stringValue }
            case .openAI, .ollama: return tools.compactMap { $0["function"]?["name"]?.stringValue }
            case .gemini:
                return tools.flatMap { ($0["functionDeclarations"] ?? $0["function_declarations"])?.arrayValue ?? [] }
                    .compactMap { $0["name"]?.stringValue }
            }
        }

        /// The first offered tool name, when it is provider-safe.
        var firstToolName: String? {
            guard let name = toolNames.first, !name.isEmpty, name.count <= 64,
                name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
            else { return nil }
            return name
        }

        var wantsToolCall: Bool { !toolNames.isEmpty && lastMessageIsUsersOwn }

        /// Whether the last message is from the user and holds no tool results.
        var lastMessageIsUsersOwn: Bool {
            guard let last = messages.last, last["role"]?.stringValue == "user" else { return false }
            switch provider {
            case .anthropic:
                return !(last["content"]?.arrayValue ?? []).contains { $0["type"]?.stringValue == "tool_result" }
            case .gemini:
                return !(last["parts"]?.arrayValue ?? []).contains { $0["functionResponse"] != nil || $0["function_response"] != nil }
            case .openAI, .ollama:
                return true
            }
        }

        /// The text of the last message (every text part joined).
        var lastMessageText: String {
            guard let last = messages.last else { return "" }
            let parts: [JSONValue]
            switch provider {
            case .gemini: parts = last["parts"]?.arrayValue ?? []
            default:
                if let text = last["content"]?.stringValue { return text }
                parts = last["content"]?.arrayValue ?? []
            }
            return parts.compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
        }
    }
}
