import Micro
import MicroAgent
import Synchronization
import Testing

@testable import MicroProviders

/// A test double transport: answers each request with the next scripted reply and records the requests.
final class ScriptedHTTPTransport: HTTPTransport {
    struct Reply: Sendable {
        var status: Int
        var headers: [(name: String, value: String)]
        var chunks: [[UInt8]]
        /// Ends the body with this error after the chunks.
        var failure: HTTPError?

        init(status: Int = 200, headers: [(name: String, value: String)] = [], chunks: [[UInt8]], failure: HTTPError? = nil) {
            self.status = status
            self.headers = headers
            self.chunks = chunks
            self.failure = failure
        }

        init(status: Int = 200, headers: [(name: String, value: String)] = [], body: String) {
            self.init(status: status, headers: headers, chunks: [Array(body.utf8)])
        }
    }

    private let replies: Mutex<[Reply]>
    private let sent = Mutex<[HTTPRequest]>([])

    init(_ replies: Reply...) { self.replies = Mutex(replies) }

    var requests: [HTTPRequest] { sent.withLock { $0 } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        sent.withLock { $0.append(request) }
        guard let reply = replies.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else {
            throw HTTPError(.connectionFailed, "no scripted reply left")
        }
        let body = AsyncThrowingStream<[UInt8], any Error> { continuation in
            for chunk in reply.chunks { continuation.yield(chunk) }
            if let failure = reply.failure { continuation.finish(throwing: failure) } else { continuation.finish() }
        }
        return HTTPResponse(status: reply.status, headers: reply.headers, body: body)
    }
}

/// Runs `request` against `model`, returning the raw events and the folded response.
func run(_ model: some Model, _ request: ModelRequest) async throws -> (events: [ModelEvent], response: ModelResponse) {
    var events: [ModelEvent] = []
    var folder = ModelEventFolder()
    for try await event in model.stream(request) {
        events.append(event)
        try folder.apply(event)
    }
    return (events, try folder.response())
}

/// The `ModelError` a call fails with (the test fails if it does not).
func modelError(_ model: some Model, _ request: ModelRequest) async -> ModelError? {
    do {
        _ = try await model.respond(to: request)
        Issue.record("expected a ModelError")
        return nil
    } catch let error as ModelError {
        return error
    } catch {
        Issue.record("expected a ModelError, got \(error)")
        return nil
    }
}

/// The body of the recorded request as JSON.
func sentBody(_ transport: ScriptedHTTPTransport, _ index: Int = 0) throws -> JSONValue {
    try JSONValue(parsing: transport.requests[index].body)
}

/// Splits `bytes` into chunks at the given offsets.
func split(_ bytes: [UInt8], at offsets: [Int]) -> [[UInt8]] {
    var chunks: [[UInt8]] = []
    var start = 0
    for offset in offsets.sorted() where offset >= start && offset <= bytes.count {
        chunks.append(Array(bytes[start..<offset]))
        start = offset
    }
    chunks.append(Array(bytes[start...]))
    return chunks
}

/// A conversation that exercises every part kind: system, user text, an assistant tool call, its result
/// (one success, one error), and a follow-up user turn.
enum Conversation {
    static let weatherSchema: JSONSchema = try! JSONSchema(
        JSONValue(
            parsing: #"""
                {"type":"object","properties":{"location":{"type":"string","description":"City"},
                 "unit":{"type":["string","null"],"enum":["celsius","fahrenheit",null]}},
                 "required":["location"],"additionalProperties":false}
                """#))

    static let tools = [ToolSpec(name: "get_weather", description: "Current weather", inputSchema: weatherSchema)]

    static let request = ModelRequest(
        model: "",
        system: "You are terse.",
        messages: [
            .user("Weather in Paris and Rome?"),
            Message(
                role: .assistant,
                parts: [
                    .text("Checking."),
                    .toolCall(ToolCall(id: "call_1", name: "get_weather", arguments: ["location": "Paris"])),
                    .toolCall(ToolCall(id: "call_2", name: "get_weather", arguments: ["location": "Rome"])),
                ]),
            Message(
                role: .tool,
                parts: [
                    .toolResult(ToolResultPart(callID: "call_1", content: ["temp": 18])),
                    .toolResult(ToolResultPart(callID: "call_2", content: "service down", isError: true)),
                ]),
            .user("And tomorrow?"),
        ],
        tools: tools,
        options: ModelOptions(maxTokens: 256, temperature: 0.5))
}

let emptyEnvironment: [String: String] = [:]
