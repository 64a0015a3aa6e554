import Micro
import MicroAgent
import Testing

@testable import MicroProviders

@Suite struct OpenAIChatModelTests {
    static func model(_ transport: ScriptedHTTPTransport, _ configuration: OpenAIChatModel.Configuration = .openAI)
        -> OpenAIChatModel
    {
        OpenAIChatModel(configuration, apiKey: "sk-test", transport: transport, environment: emptyEnvironment)
    }

    @Test func buildsTheRequestBody() async throws {
        let transport = ScriptedHTTPTransport(.init(body: Fixtures.openAIText))
        _ = try await run(Self.model(transport), Conversation.request)
        let expected = try JSONValue(
            parsing: #"""
                {"model":"gpt-4.1","stream":true,"stream_options":{"include_usage":true},
                 "max_completion_tokens":256,"temperature":0.5,"tool_choice":"auto",
                 "messages":[
                  {"role":"system","content":"You are terse."},
                  {"role":"user","content":"Weather in Paris and Rome?"},
                  {"role":"assistant","content":"Checking.","tool_calls":[
                    {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"Paris\"}"}},
                    {"id":"call_2","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"Rome\"}"}}]},
                  {"role":"tool","tool_call_id":"call_1","content":"{\"temp\":18}"},
                  {"role":"tool","tool_call_id":"call_2","content":"Error: service down"},
                  {"role":"user","content":"And tomorrow?"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","description":"Current weather",
                   "parameters":\#(Conversation.weatherSchema.jsonValue.canonicalString())}}]}
                """#)
        #expect(try sentBody(transport).canonicalString() == expected.canonicalString())
        let sent = transport.requests[0]
        #expect(sent.url == "https://api.openai.com/v1/chat/completions")
        #expect(sent.header("authorization") == "Bearer sk-test")
    }

    struct Preset: Sendable, CustomTestStringConvertible {
        var configuration: OpenAIChatModel.Configuration
        var url: String
        var variable: String
        var testDescription: String { configuration.provider }
    }

    static let presets: [Preset] = [
        Preset(configuration: .openAI, url: "https://api.openai.com/v1/chat/completions", variable: "OPENAI_API_KEY"),
        Preset(configuration: .groq, url: "https://api.groq.com/openai/v1/chat/completions", variable: "GROQ_API_KEY"),
        Preset(configuration: .mistral, url: "https://api.mistral.ai/v1/chat/completions", variable: "MISTRAL_API_KEY"),
        Preset(configuration: .together, url: "https://api.together.xyz/v1/chat/completions", variable: "TOGETHER_API_KEY"),
        Preset(
            configuration: .atlasCloud, url: "https://api.atlascloud.ai/v1/chat/completions",
            variable: "ATLASCLOUD_API_KEY"),
        Preset(configuration: .miniMax, url: "https://api.minimax.io/v1/chat/completions", variable: "MINIMAX_API_KEY"),
    ]

    @Test(arguments: presets)
    func presetsReadTheirKeyAndURL(_ preset: Preset) async throws {
        let transport = ScriptedHTTPTransport(.init(body: Fixtures.openAIText))
        let model = OpenAIChatModel(
            preset.configuration, transport: transport, environment: [preset.variable: "key-\(preset.variable)"])
        #expect(model.info.provider == preset.configuration.provider)
        #expect(model.info.contextWindow > 0)
        let response = try await model.respond(to: ModelRequest(model: "", messages: [.user("hi")]))
        #expect(response.message.text == "Hello there!")
        #expect(transport.requests[0].url == preset.url)
        #expect(transport.requests[0].header("Authorization") == "Bearer key-\(preset.variable)")
        let body = try sentBody(transport)
        #expect(body["model"] == .string(preset.configuration.defaultModel))
    }

    @Test func overridesBaseURLModelAndKey() async throws {
        let transport = ScriptedHTTPTransport(.init(body: Fixtures.openAIText))
        let model = OpenAIChatModel(
            .groq, model: "m", apiKey: "k", baseURL: "http://localhost:8080/v1/", contextWindow: 1000,
            transport: transport, environment: ["GROQ_API_KEY": "env"])
        #expect(model.info == ModelInfo(provider: "groq", name: "m", contextWindow: 1000))
        _ = try await model.respond(to: ModelRequest(model: "", messages: [.user("hi")]))
        #expect(transport.requests[0].url == "http://localhost:8080/v1/chat/completions")
        #expect(transport.requests[0].header("Authorization") == "Bearer k")
        #expect(try sentBody(transport)["model"] == "m")
    }

    @Test func missingKeyIsAnAuthenticationError() async {
        let model = OpenAIChatModel(.openAI, transport: ScriptedHTTPTransport(), environment: emptyEnvironment)
        #expect(await modelError(model, Conversation.request)?.code == .authentication)
    }

    @Test func foldsAStreamedAnswer() async throws {
        let transport = ScriptedHTTPTransport(.init(body: Fixtures.openAIText))
        let (_, response) = try await run(Self.model(transport), Conversation.request)
        #expect(response == ModelResponse(message: .assistant("Hello there!"), usage: Usage(inputTokens: 9, outputTokens: 3), stopReason: .endTurn))
    }

    static let toolCallResponse = ModelResponse(
        message: Message(
            role: .assistant,
            parts: [
                .toolCall(ToolCall(id: "call_DdmO9pD3xa9XTPNJ32zg2hcA", name: "get_weather", arguments: ["location": "Paris, France"])),
                .toolCall(ToolCall(id: "call_2", name: "get_weather", arguments: ["location": "Rome"])),
            ]),
        usage: Usage(inputTokens: 82, outputTokens: 17), stopReason: .toolUse)

    @Test func foldsAStreamedToolCallSplitAtEveryOffset() async throws {
        let bytes = Array(Fixtures.openAIToolCall.utf8)
        let whole = try await run(Self.model(ScriptedHTTPTransport(.init(chunks: [bytes]))), Conversation.request)
        #expect(whole.response == Self.toolCallResponse)
        #expect(whole.events.first == .toolCallStart(index: 0, id: "call_DdmO9pD3xa9XTPNJ32zg2hcA", name: "get_weather"))
        for offset in stride(from: 0, through: bytes.count, by: 1) {
            let transport = ScriptedHTTPTransport(.init(chunks: split(bytes, at: [offset])))
            let events = try await run(Self.model(transport), Conversation.request).events
            if events != whole.events {
                Issue.record("split at \(offset) gives different events")
                return
            }
        }
    }

    @Test func reasoningDeltas() async throws {
        let (events, response) = try await run(
            Self.model(ScriptedHTTPTransport(.init(body: Fixtures.openAIReasoning))), Conversation.request)
        #expect(events.prefix(2) == [.reasoningDelta("Think"), .reasoningDelta("ing.")])
        #expect(response.message.text == "42")
        #expect(response.usage == Usage(inputTokens: 5, outputTokens: 7))
    }

    @Test func ignoresUnknownEventsAndComments() async throws {
        let noisy = ": OPENROUTER PROCESSING\n\nevent: keepalive\ndata: {\"object\":\"something.new\"}\n\n"
            + "data: {\"object\":\"something.new\",\"choices\":[]}\n\n" + Fixtures.openAIText
        let (_, response) = try await run(Self.model(ScriptedHTTPTransport(.init(body: noisy))), Conversation.request)
        #expect(response.message.text == "Hello there!")
    }

    @Test func midStreamErrorEvent() async {
        let body = String(Fixtures.openAIText.prefix(400)).components(separatedBy: "\n\n")[0]
            + "\n\ndata: {\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\",\"code\":null}}\n\n"
        let error = await modelError(Self.model(ScriptedHTTPTransport(.init(body: body))), Conversation.request)
        #expect(error?.code == .overloaded)
        #expect(error?.providerType == "server_error")
    }

    /// Cut before its finish_reason, mid-chunk or between chunks, the stream is truncated.
    @Test(arguments: ["\"finish_reason\":\"stop\"", "\"content\":\" there!\"", "data: {\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,\"model\":\"gpt-4o-mini\",\"system_fingerprint\":\"fp_44709d6fcb\",\"choices\":[{\"index\":0,\"delta\":{},"])
    func truncatedStream(_ cutBefore: String) async throws {
        let text = Fixtures.openAIText
        let cut = try #require(text.range(of: cutBefore))
        let error = await modelError(
            Self.model(ScriptedHTTPTransport(.init(body: String(text[..<cut.lowerBound])))), Conversation.request)
        #expect(error?.code == .truncated, "\(String(describing: error))")
    }

    /// After its finish_reason a body that ends without `data: [DONE]` (or without the usage chunk) is a
    /// complete answer, as the SDK reads it; the usage is what arrived.
    @Test(arguments: [("data: [DONE]", 9), ("data: {\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,\"model\":\"gpt-4o-mini\",\"system_fingerprint\":\"fp_44709d6fcb\",\"choices\":[],", 0)])
    func aBodyEndingAfterItsFinishReasonIsComplete(cutBefore: String, inputTokens: Int) async throws {
        let text = Fixtures.openAIText
        let cut = try #require(text.range(of: cutBefore))
        let (_, response) = try await run(Self.model(ScriptedHTTPTransport(.init(body: String(text[..<cut.lowerBound])))), Conversation.request)
        #expect(response.stopReason == .endTurn)
        #expect(response.message.text == "Hello there!")
        #expect(response.usage.inputTokens == inputTokens)
    }

    @Test func interruptedBodyIsAnError() async {
        let transport = ScriptedHTTPTransport(
            .init(chunks: [Array(Fixtures.openAIText.utf8.prefix(300))], failure: HTTPError(.interrupted, "reset")))
        #expect(await modelError(Self.model(transport), Conversation.request)?.code == .transport)
    }

    @Test func rateLimitedWithRetryAfter() async {
        let transport = ScriptedHTTPTransport(
            .init(
                status: 429, headers: [("retry-after", "20")],
                body: #"{"error":{"message":"Rate limit reached for gpt-4.1","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#))
        let error = await modelError(Self.model(transport), Conversation.request)
        #expect(error?.code == .rateLimited)
        #expect(error?.status == 429)
        #expect(error?.retryAfter == .seconds(20))
        #expect(error?.message == "Rate limit reached for gpt-4.1")
        #expect(error?.isRetryable == true)
    }

    @Test func contextLengthExceeded() async {
        let transport = ScriptedHTTPTransport(
            .init(
                status: 400,
                body: #"{"error":{"message":"This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#))
        let error = await modelError(Self.model(transport), Conversation.request)
        #expect(error?.code == .contextLengthExceeded)
    }

    /// The adapter is stateless: each call sends the whole history it is given, including the previous answer.
    @Test func sendsTheFullHistoryEveryCall() async throws {
        let transport = ScriptedHTTPTransport(.init(body: Fixtures.openAIToolCall), .init(body: Fixtures.openAIText))
        let model = Self.model(transport)
        var request = ModelRequest(model: "", system: "S", messages: [.user("Weather?")], tools: Conversation.tools)
        let first = try await model.respond(to: request)
        request.messages.append(first.message)
        request.messages.append(
            Message(role: .tool, parts: first.message.toolCalls.map { .toolResult(ToolResultPart(callID: $0.id, content: "sunny")) }))
        _ = try await model.respond(to: request)
        let messages = try #require(try sentBody(transport, 1)["messages"]?.arrayValue)
        #expect(messages.map { $0["role"]?.stringValue } == ["system", "user", "assistant", "tool", "tool"])
        #expect(messages[2]["tool_calls"]?[0]?["id"] == "call_DdmO9pD3xa9XTPNJ32zg2hcA")
        #expect(messages[4]["tool_call_id"] == "call_2")
        #expect(try sentBody(transport, 0)["messages"]?.arrayValue?.count == 2)
    }
}
