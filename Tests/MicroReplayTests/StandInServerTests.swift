import Foundation
import Micro
import MicroAgent
import MicroProviders
import MicroReplay
import Testing

/// The stand-in upstream, with our own adapters (streaming) and plain HTTP (non-streaming) as clients.
@Suite struct StandInServerTests {
    static let providers = ["anthropic", "openai", "gemini", "ollama"]

    /// The base URL each adapter expects on a server at `port`.
    static func baseURL(_ provider: String, port: Int) -> String {
        switch provider {
        case "anthropic", "openai": "http://127.0.0.1:\(port)/v1"
        case "gemini": "http://127.0.0.1:\(port)/v1beta"
        default: "http://127.0.0.1:\(port)"
        }
    }

    static func model(_ provider: String, port: Int) throws -> any Model {
        try ProviderCatalog.model(
            provider, baseURL: baseURL(provider, port: port), transport: CurlTransport(),
            environment: ["ANTHROPIC_API_KEY": "k", "OPENAI_API_KEY": "k", "GEMINI_API_KEY": "k"])
    }

    static let weather = ToolSpec(
        name: "weather_forecast", description: "Forecast.", inputSchema: .object(properties: ["location": .string], required: ["location"]))

    func withStandIn<R: Sendable>(_ body: @escaping @Sendable (Int) async throws -> R) async throws -> R {
        let server = StandInServer(logger: quietLogger)
        return try await withLoopbackServer({ server.application(onRunning: $0) }, body)
    }

    @Test(arguments: providers) func aRequestOfferingToolsGetsAStreamedToolCallNamingTheOfferedTool(provider: String) async throws {
        let response = try await withStandIn { port in
            try await Self.model(provider, port: port).respond(
                to: ModelRequest(model: "", messages: [.user("Weather in Paris?")], tools: [Self.weather]))
        }
        #expect(response.stopReason == .toolUse)
        #expect(!response.message.toolCalls.isEmpty)
        #expect(response.message.toolCalls.allSatisfy { $0.name == "weather_forecast" })
        #expect(response.message.toolCalls.first?.arguments["location"]?.stringValue?.isEmpty == false)
    }

    @Test(arguments: providers) func aRequestWithoutToolsGetsAStreamedTextAnswer(provider: String) async throws {
        let response = try await withStandIn { port in
            try await Self.model(provider, port: port).respond(to: ModelRequest(model: "", messages: [.user("Hello?")]))
        }
        #expect(response.stopReason == .endTurn)
        #expect(response.message.toolCalls.isEmpty)
        #expect(!response.message.text.isEmpty)
    }

    @Test(arguments: providers) func aToolResultLastGetsTextEvenWhenToolsAreOffered(provider: String) async throws {
        let call = ToolCall(id: "call_1", name: "weather_forecast", arguments: ["location": "Paris"])
        let messages: [Message] = [
            .user("Weather in Paris?"), Message(role: .assistant, parts: [.toolCall(call)]),
            Message(role: .tool, parts: [.toolResult(ToolResultPart(callID: "call_1", content: ["sky": "clear"]))]),
        ]
        let response = try await withStandIn { port in
            try await Self.model(provider, port: port).respond(
                to: ModelRequest(model: "", messages: messages, tools: [Self.weather]))
        }
        #expect(response.stopReason == .endTurn)
        #expect(!response.message.text.isEmpty)
    }

    @Test(arguments: providers) func aPromptAskingForARateLimitGets429WithRetryAfter(provider: String) async throws {
        let outcome: Result<ModelResponse, any Error> = try await withStandIn { port in
            let model = try Self.model(provider, port: port)
            do {
                return .success(try await model.respond(to: ModelRequest(model: "", messages: [.user("Give me a rate limit.")])))
            } catch {
                return .failure(error)
            }
        }
        guard case .failure(let error) = outcome, let modelError = error as? ModelError else {
            Issue.record("expected a ModelError, got \(outcome)")
            return
        }
        #expect(modelError.code == .rateLimited)
        #expect(modelError.status == 429)
        #expect(modelError.retryAfter == .seconds(StandInServer.retryAfterSeconds))
    }

    /// POSTs `body` to `path` and returns the status, content type and parsed JSON body.
    static func post(
        _ path: String, port: Int, body: JSONValue, headers: [(name: String, value: String)] = []
    ) async throws -> (status: Int, contentType: String?, json: JSONValue?) {
        let response = try await CurlTransport().send(HTTPRequest(
            url: "http://127.0.0.1:\(port)\(path)", headers: [("content-type", "application/json")] + headers,
            body: body.canonicalBytes()))
        let bytes = try await response.collectBody()
        return (response.status, response.header("content-type"), try? JSONValue(parsing: bytes))
    }

    @Test func nonStreamingRequestsGetTheDocumentedJSON() async throws {
        let user: JSONValue = ["role": "user", "content": "Weather in Paris?"]
        let openAITool: JSONValue = ["type": "function", "function": ["name": "weather_forecast", "parameters": ["type": "object"]]]
        let results = try await withStandIn { port in
            [
                try await Self.post(
                    "/v1/messages", port: port,
                    body: ["model": "m", "messages": [user], "tools": [["name": "weather_forecast", "input_schema": ["type": "object"]]]]),
                try await Self.post("/v1/chat/completions", port: port, body: ["model": "m", "messages": [user], "stream": false]),
                try await Self.post(
                    "/v1beta/models/gemini-2.5-flash:generateContent", port: port,
                    body: ["contents": [["role": "user", "parts": [["text": "Hi"]]]], "tools": [["functionDeclarations": [["name": "weather_forecast"]]]]]),
                try await Self.post("/api/chat", port: port, body: ["model": "m", "messages": [user], "tools": [openAITool], "stream": false]),
            ]
        }
        for result in results {
            #expect(result.status == 200)
            #expect(result.contentType == "application/json")
        }
        let anthropic = results[0].json
        #expect(anthropic?["type"]?.stringValue == "message")
        #expect(anthropic?["stop_reason"]?.stringValue == "tool_use")
        #expect(anthropic?["content"]?[1]?["name"]?.stringValue == "weather_forecast")
        #expect(anthropic?["content"]?[1]?["input"]?["location"]?.stringValue == "San Francisco, CA")
        let openAI = results[1].json
        #expect(openAI?["object"]?.stringValue == "chat.completion")
        #expect(openAI?["choices"]?[0]?["message"]?["content"]?.stringValue == "Hello there!")
        let gemini = results[2].json
        #expect(gemini?["candidates"]?[0]?["content"]?["parts"]?[0]?["functionCall"]?["name"]?.stringValue == "weather_forecast")
        let ollama = results[3].json
        #expect(ollama?["done"]?.boolValue == true)
        #expect(ollama?["message"]?["tool_calls"]?[0]?["function"]?["name"]?.stringValue == "weather_forecast")
    }

    @Test func theControlHeaderAsksForA429WithTheProvidersErrorBody() async throws {
        let body: JSONValue = ["model": "m", "messages": [["role": "user", "content": "Hi"]], "stream": true]
        let header = [(name: StandInServer.controlHeader, value: "rate-limit")]
        let (anthropic, openAI, unknown) = try await withStandIn { port in
            (
                try await Self.post("/v1/messages", port: port, body: body, headers: header),
                try await Self.post("/v1/chat/completions", port: port, body: body, headers: header),
                try await Self.post("/v2/elsewhere", port: port, body: body)
            )
        }
        #expect(anthropic.status == 429)
        #expect(anthropic.json?["error"]?["type"]?.stringValue == "rate_limit_error")
        #expect(openAI.status == 429)
        #expect(openAI.json?["error"]?["code"]?.stringValue == "rate_limit_exceeded")
        #expect(unknown.status == 404)
    }
}
