import Micro
import MicroAgent
import MicroProviders
import Synchronization

/// The model edge of an external agent: every request that crosses the world's provider endpoint goes
/// through here to the answering transport (a cassette, scripted wire turns, a recording of a live
/// provider, with the scenario's model faults as wire bytes under it), and lands in the Trace as a
/// `model_request` and a `model_response` (text, tool calls, usage read off the wire bytes) or a
/// `model_error`. A request the cassette lacks is kept, with the nearest recorded request, for the run's
/// verdict.
struct EdgeTransport: HTTPTransport {
    let base: any HTTPTransport
    let provider: String
    let edge: ExternalEdge

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let step = try edge.modelRequest(request, provider: provider)
        let response: HTTPResponse
        do {
            response = try await base.send(request)
        } catch {
            edge.modelError("\(error)", step: step, miss: error is CassetteError)
            throw error
        }
        let body = try await response.collectBody()
        edge.modelResponse(status: response.status, body: body, summary: await Self.summary(body, provider: provider), step: step)
        return HTTPResponse(
            status: response.status, headers: response.headers,
            body: AsyncThrowingStream { continuation in
                continuation.yield(body)
                continuation.finish()
            })
    }

    /// Text, tool calls and usage of a response body, in whichever form it came (SSE, NDJSON or JSON).
    static func summary(_ body: [UInt8], provider: String) async -> ModelResponse? {
        var body = body
        if let json = try? JSONValue(parsing: body), json.objectValue != nil {
            // Gemini's and Ollama's whole answers are their streams' single chunk: fold them as one.
            switch provider {
            case "gemini": body = Array("data: ".utf8) + body + Array("\n\n".utf8)
            case "ollama": body += Array("\n".utf8)
            default: return jsonSummary(json)
            }
        }
        // A stream: fold it with our own adapter, exactly as a Micro agent would read it.
        guard let model = try? ProviderCatalog.reader(of: body, provider: provider) else { return nil }
        return try? await model.respond(to: ModelRequest(model: "", messages: [.user("")]))
    }

    /// A non-streamed OpenAI `chat.completion` or Anthropic `message`.
    static func jsonSummary(_ json: JSONValue) -> ModelResponse? {
        var text = ""
        var calls: [ToolCall] = []
        var usage = Usage()
        if let message = json["choices"]?[0]?["message"] {
            text = message["content"]?.stringValue ?? ""
            for call in message["tool_calls"]?.arrayValue ?? [] {
                let arguments = (call["function"]?["arguments"]?.stringValue).flatMap { try? JSONValue(parsing: $0) } ?? .object([:])
                calls.append(ToolCall(
                    id: call["id"]?.stringValue ?? "", name: call["function"]?["name"]?.stringValue ?? "", arguments: arguments))
            }
            usage = Usage(
                inputTokens: json["usage"]?["prompt_tokens"]?.intValue ?? 0,
                outputTokens: json["usage"]?["completion_tokens"]?.intValue ?? 0,
                cachedInputTokens: json["usage"]?["prompt_tokens_details"]?["cached_tokens"]?.intValue ?? 0)
        } else if let blocks = json["content"]?.arrayValue {
            for block in blocks {
                if block["type"]?.stringValue == "text" { text += block["text"]?.stringValue ?? "" }
                if block["type"]?.stringValue == "tool_use" {
                    calls.append(ToolCall(
                        id: block["id"]?.stringValue ?? "", name: block["name"]?.stringValue ?? "",
                        arguments: block["input"] ?? .object([:])))
                }
            }
            // As the streaming adapter counts it: cache writes and reads are input too, the reads also cached.
            let reported = json["usage"]
            let cached = reported?["cache_read_input_tokens"]?.intValue ?? 0
            usage = Usage(
                inputTokens: (reported?["input_tokens"]?.intValue ?? 0) + (reported?["cache_creation_input_tokens"]?.intValue ?? 0) + cached,
                outputTokens: reported?["output_tokens"]?.intValue ?? 0, cachedInputTokens: cached)
        } else {
            return nil
        }
        var parts: [MessagePart] = text.isEmpty ? [] : [.text(text)]
        parts += calls.map(MessagePart.toolCall)
        return ModelResponse(message: Message(role: .assistant, parts: parts), usage: usage, stopReason: calls.isEmpty ? .endTurn : .toolUse)
    }
}

