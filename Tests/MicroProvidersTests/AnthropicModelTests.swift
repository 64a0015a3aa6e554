import Micro
import MicroAgent
import Testing

@testable import MicroProviders

@Suite struct AnthropicModelTests {
    static func model(_ transport: ScriptedHTTPTransport) -> AnthropicModel {
        AnthropicModel(apiKey: "sk-ant-test", transport: transport, environment: emptyEnvironment)
    }

    @Test func buildsTheRequestBody() async throws {
        let transport = ScriptedHTTPTransport(.init(body: Fixtures.anthropicText))
        _ = try await run(Self.model(transport), Conversation.request)
        let expected = try JSONValue(
            parsing: #"""
                {"model":"claude-sonnet-4-5","max_tokens":256,"temperature":0.5,"stream":true,
                 "system":"You are terse.",
                 "tool_choice":{"type":"auto"},
                 "tools":[{"name":"get_weather","description":"Current weather",
                           "input_schema":\#(Conversation.weatherSchema.jsonValue.canonicalString())}],
                 "messages":[
                  {"role":"user","content":[{"type":"text","text":"Weather in Paris and Rome?"}]},
                  {"role":"assistant","content":[{"type":"text","text":"Checking."},
                    {"type":"tool_use","id":"call_1","name":"get_weather","input":{"location":"Paris"}},
                    {"type":"tool_use","id":"call_2","name":"get_weather","input":{"location":"Rome"}}]},
                  {"role":"user","content":[
                    {"type":"tool_result","tool_use_id":"call_1","content":"{\"temp\":18}"},
                    {"type":"tool_result","tool_use_id":"call_2","content":"service down","is_error":true},
                    {"type":"text","text":"And tomorrow?"}]}]}
                """#)
        #expect(try sentBody(transport).canonicalString() == expected.canonicalString())
        let sent = transport.requests[0]
        #expect(sent.url == "https://api.anthropic.com/v1/messages")
        #expect(sent.header("x-api-key") == "sk-ant-test")
        #expect(sent.header("anthropic-version") == "2023-06-01")
    }

    @Test func keyFromEnvironmentAndOverrides() async throws {
        let transport = ScriptedHTTPTransport(.init(body: Fixtures.anthropicText))
        let model = AnthropicModel(
            model: "claude-haiku-4-5", baseURL: "http://proxy/v1", contextWindow: 1000, transport: transport,
            environment: ["ANTHROPIC_API_KEY": "env-key"])
        #expect(model.info == ModelInfo(provider: "anthropic", name: "claude-haiku-4-5", contextWindow: 1000))
        _ = try await model.respond(to: ModelRequest(model: "", messages: [.user("hi")]))
        #expect(transport.requests[0].url == "http://proxy/v1/messages")
        #expect(transport.requests[0].header("x-api-key") == "env-key")
        let body = try sentBody(transport)
        #expect(body["model"] == "claude-haiku-4-5")
        #expect(body["max_tokens"] == 8192)
        #expect(body["system"] == nil)
    }

    @Test func foldsAStreamedAnswer() async throws {
        let (_, response) = try await run(
            Self.model(ScriptedHTTPTransport(.init(body: Fixtures.anthropicText))), Conversation.request)
        #expect(response == ModelResponse(message: .assistant("Hello!"), usage: Usage(inputTokens: 25, outputTokens: 15), stopReason: .endTurn))
    }

    @Test func foldsAStreamedToolCallSplitAtEveryOffset() async throws {
        let bytes = Array(Fixtures.anthropicToolCall.utf8)
        let whole = try await run(Self.model(ScriptedHTTPTransport(.init(chunks: [bytes]))), Conversation.request)
        #expect(
            whole.response
                == ModelResponse(
                    message: Message(
                        role: .assistant,
                        parts: [
                            .text("Okay, let's check the weather for San Francisco, CA:"),
                            .toolCall(
                                ToolCall(
                                    id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", name: "get_weather",
                                    arguments: ["location": "San Francisco, CA", "unit": "fahrenheit"])),
                        ]),
                    usage: Usage(inputTokens: 472, outputTokens: 89), stopReason: .toolUse))
        #expect(whole.events.contains(.toolCallEnd(index: 0)))
        for offset in stride(from: 0, through: bytes.count, by: 3) {
            let events = try await run(
                Self.model(ScriptedHTTPTransport(.init(chunks: split(bytes, at: [offset])))), Conversation.request
            ).events
            if events != whole.events {
                Issue.record("split at \(offset) gives different events")
                return
            }
        }
    }

    @Test func thinkingBecomesReasoningAndCachedTokensCount() async throws {
        let (events, response) = try await run(
            Self.model(ScriptedHTTPTransport(.init(body: Fixtures.anthropicThinking))), Conversation.request)
        #expect(events.contains(.reasoningDelta("Let me think.")))
        #expect(response.message.text == "4")
        #expect(response.usage == Usage(inputTokens: 15, outputTokens: 20, cachedInputTokens: 5))
    }

    /// A tool-use turn after extended thinking goes back with its thinking blocks unchanged (signature and
    /// redacted data included, before the tool_use block), as the Messages API requires.
    @Test func thinkingBlocksRoundTripInHistory() async throws {
        let transport = ScriptedHTTPTransport(
            .init(body: Fixtures.anthropicThinkingToolUse), .init(body: Fixtures.anthropicText))
        let model = Self.model(transport)
        var request = ModelRequest(model: "", messages: [.user("Weather in Paris?")], tools: Conversation.tools)
        let first = try await model.respond(to: request)
        #expect(
            first.message.parts == [
                .reasoning(
                    ReasoningPart(
                        text: "The user wants the weather. I'll call get_weather.",
                        signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxDYjHmT5KLB8j8vlEiMNlN")),
                .reasoning(ReasoningPart(text: "", redactedData: "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP")),
                .toolCall(ToolCall(id: "toolu_01CswdEQBMshySk6Y9DFKrfq", name: "get_weather", arguments: ["location": "Paris"])),
            ])
        #expect(first.stopReason == .toolUse)
        request.messages.append(first.message)
        request.messages.append(
            Message(role: .tool, parts: [.toolResult(ToolResultPart(callID: "toolu_01CswdEQBMshySk6Y9DFKrfq", content: "sunny"))]))
        _ = try await model.respond(to: request)
        let messages = try #require(try sentBody(transport, 1)["messages"]?.arrayValue)
        let expected = try JSONValue(
            parsing: #"""
                [{"type":"thinking","thinking":"The user wants the weather. I'll call get_weather.","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxDYjHmT5KLB8j8vlEiMNlN"},
                 {"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP"},
                 {"type":"tool_use","id":"toolu_01CswdEQBMshySk6Y9DFKrfq","name":"get_weather","input":{"location":"Paris"}}]
                """#)
        #expect(messages.count == 3)
        #expect(messages[1]["content"] == expected)
        #expect(messages[2]["content"]?[0]?["type"] == "tool_result")
        // Unsigned reasoning (e.g. from another provider) is not sent as a thinking block.
        #expect(AnthropicModel.messages([Message(role: .assistant, parts: [.reasoning(ReasoningPart(text: "x")), .text("hi")])])
            == [["role": "assistant", "content": [["type": "text", "text": "hi"]]]])
    }

    @Test func midStreamErrorEvent() async {
        let error = await modelError(
            Self.model(ScriptedHTTPTransport(.init(body: Fixtures.anthropicMidStreamError))), Conversation.request)
        #expect(error?.code == .overloaded)
        #expect(error?.providerType == "overloaded_error")
        #expect(error?.message == "Overloaded")
    }

    @Test(arguments: ["event: message_stop", "event: message_delta", "event: content_block_stop"])
    func truncatedStream(_ cutBefore: String) async throws {
        let text = Fixtures.anthropicText
        let cut = try #require(text.range(of: cutBefore))
        let error = await modelError(
            Self.model(ScriptedHTTPTransport(.init(body: String(text[..<cut.lowerBound])))), Conversation.request)
        #expect(error?.code == .truncated)
    }

    @Test func overloaded529() async {
        let transport = ScriptedHTTPTransport(
            .init(status: 529, body: #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_1"}"#))
        let error = await modelError(Self.model(transport), Conversation.request)
        #expect(error?.code == .overloaded)
        #expect(error?.status == 529)
        #expect(error?.providerType == "overloaded_error")
    }

    @Test func rateLimitedWithRetryAfter() async {
        let transport = ScriptedHTTPTransport(
            .init(
                status: 429, headers: [("Retry-After", "7")],
                body: #"{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}"#))
        let error = await modelError(Self.model(transport), Conversation.request)
        #expect(error?.code == .rateLimited)
        #expect(error?.retryAfter == .seconds(7))
        #expect(error?.providerType == "rate_limit_error")
    }

    @Test func promptTooLong() async {
        let transport = ScriptedHTTPTransport(
            .init(
                status: 400,
                body: #"{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 208000 tokens > 200000 maximum"}}"#))
        #expect(await modelError(Self.model(transport), Conversation.request)?.code == .contextLengthExceeded)
    }

    @Test func sendsTheFullHistoryEveryCall() async throws {
        let transport = ScriptedHTTPTransport(.init(body: Fixtures.anthropicToolCall), .init(body: Fixtures.anthropicText))
        let model = Self.model(transport)
        var request = ModelRequest(model: "", system: "S", messages: [.user("Weather?")], tools: Conversation.tools)
        let first = try await model.respond(to: request)
        request.messages.append(first.message)
        request.messages.append(
            Message(role: .tool, parts: first.message.toolCalls.map { .toolResult(ToolResultPart(callID: $0.id, content: "sunny")) }))
        _ = try await model.respond(to: request)
        let messages = try #require(try sentBody(transport, 1)["messages"]?.arrayValue)
        #expect(messages.map { $0["role"]?.stringValue } == ["user", "assistant", "user"])
        #expect(messages[1]["content"]?[1]?["id"] == "toolu_01T1x1fJ34qAmk2tNTrN7Up6")
        #expect(messages[2]["content"]?[0]?["tool_use_id"] == "toolu_01T1x1fJ34qAmk2tNTrN7Up6")
        #expect(try sentBody(transport, 1)["system"] == "S")
    }
}
