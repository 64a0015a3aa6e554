import Micro
import MicroAgent
import Synchronization
import Testing

@testable import MicroProviders

/// Behaviour every adapter shares.
@Suite struct ProviderStreamTests {
    /// Each adapter's `respond(to:)` (which folds without the stream) gives what folding `stream(_:)` gives.
    @Test(arguments: [
        ("anthropic", Fixtures.anthropicText), ("anthropic", Fixtures.anthropicToolCall),
        ("anthropic", Fixtures.anthropicThinkingToolUse), ("openai", Fixtures.openAIText),
        ("openai", Fixtures.openAIToolCall), ("gemini", Fixtures.geminiText), ("gemini", Fixtures.geminiToolCall),
        ("ollama", Fixtures.ollamaText), ("ollama", Fixtures.ollamaToolCall),
    ])
    func respondEqualsTheFoldedStream(_ provider: String, _ body: String) async throws {
        func model() throws -> any Model {
            try ProviderCatalog.model(
                provider, transport: ScriptedHTTPTransport(.init(body: body)),
                environment: ["ANTHROPIC_API_KEY": "k", "OPENAI_API_KEY": "k", "GEMINI_API_KEY": "k"])
        }
        let request = ModelRequest(model: "", messages: [.user("Weather?")])
        let streamed = try await run(try model(), request).response
        #expect(try await model().respond(to: request) == streamed)
    }

    static let adapters: [String] = ["openai", "groq", "anthropic", "gemini", "ollama"]

    static func model(_ name: String, _ transport: any HTTPTransport) -> any Model {
        switch name {
        case "openai": OpenAIChatModel(.openAI, apiKey: "k", transport: transport, environment: emptyEnvironment)
        case "groq": OpenAIChatModel(.groq, apiKey: "k", transport: transport, environment: emptyEnvironment)
        case "anthropic": AnthropicModel(apiKey: "k", transport: transport, environment: emptyEnvironment)
        case "gemini": GeminiModel(apiKey: "k", transport: transport, environment: emptyEnvironment)
        default: OllamaModel(transport: transport, environment: emptyEnvironment)
        }
    }

    @Test(arguments: adapters)
    func rateLimitedWithRetryAfterMilliseconds(_ name: String) async {
        let transport = ScriptedHTTPTransport(
            .init(status: 429, headers: [("retry-after-ms", "2500"), ("retry-after", "3")], body: #"{"error":"slow down"}"#))
        let error = await modelError(Self.model(name, transport), Conversation.request)
        #expect(error?.code == .rateLimited)
        #expect(error?.retryAfter == .milliseconds(2500))
        #expect(error?.message == "slow down")
    }

    @Test(arguments: adapters)
    func emptyBodyIsTruncated(_ name: String) async {
        let error = await modelError(Self.model(name, ScriptedHTTPTransport(.init(chunks: []))), Conversation.request)
        #expect(error?.code == .truncated)
    }

    @Test(arguments: adapters)
    func connectionFailureIsTransport(_ name: String) async {
        let error = await modelError(Self.model(name, ScriptedHTTPTransport()), Conversation.request)
        #expect(error?.code == .transport)
    }

    /// A consumer that stops early releases the event stream and with it the body iterator, which ends
    /// (aborts) the body stream.
    @Test(.timeLimit(.minutes(1)), arguments: adapters)
    func stoppingEarlyAbortsTheTransfer(_ name: String) async throws {
        let transport = HangingTransport(first: Self.firstChunk[name]!)
        for try await event in Self.model(name, transport).stream(Conversation.request) {
            #expect(event == .textDelta("Hi"))
            break
        }
        for await _ in transport.aborted { break }
    }

    static let firstChunk: [String: String] = [
        "openai": "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n",
        "groq": "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n",
        "anthropic": "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n",
        "gemini": "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hi\"}],\"role\":\"model\"}}]}\n\n",
        "ollama": "{\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"done\":false}\n",
    ]
}

/// Sends one chunk, then keeps the body open until it is cancelled; `aborted` yields when that happens.
final class HangingTransport: HTTPTransport {
    let first: String
    let aborted: AsyncStream<Void>
    private let signal: AsyncStream<Void>.Continuation

    init(first: String) {
        self.first = first
        (aborted, signal) = AsyncStream<Void>.makeStream()
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (body, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        continuation.yield(Array(first.utf8))
        let signal = self.signal
        continuation.onTermination = { _ in signal.yield() }
        return HTTPResponse(status: 200, headers: [], body: body)
    }
}
