import Micro
import MicroAgent
import Testing

@testable import MicroProviders

@Suite struct OllamaModelTests {
    static func model(_ transport: ScriptedHTTPTransport) -> OllamaModel {
        OllamaModel(transport: transport, environment: emptyEnvironment)
    }

    @Test func buildsTheRequestBody() async throws {
        let transport = ScriptedHTTPTransport(.init(body: Fixtures.ollamaText))
        _ = try await run(Self.model(transport), Conversation.request)
        let expected = try JSONValue(
            parsing: #"""
                {"model":"llama3.1","stream":true,"options":{"num_ctx":32768,"num_predict":256,"temperature":0.5},
                 "tools":[{"type":"function","function":{"name":"get_weather","description":"Current weather",
                   "parameters":\#(Conversation.weatherSchema.jsonValue.canonicalString())}}],
                 "messages":[
                  {"role":"system","content":"You are terse."},
                  {"role":"user","content":"Weather in Paris and Rome?"},
                  {"role":"assistant","content":"Checking.","tool_calls":[
                    {"function":{"name":"get_weather","arguments":{"location":"Paris"}}},
                    {"function":{"name":"get_weather","arguments":{"location":"Rome"}}}]},
                  {"role":"tool","tool_name":"get_weather","content":"{\"temp\":18}"},
                  {"role":"tool","tool_name":"get_weather","content":"Error: service down"},
                  {"role":"user","content":"And tomorrow?"}]}
                """#)
        #expect(try sentBody(transport).canonicalString() == expected.canonicalString())
        #expect(transport.requests[0].url == "http://localhost:11434/api/chat")
        #expect(transport.requests[0].header("Authorization") == nil)
    }

    @Test func foldsAStreamedAnswer() async throws {
        let (_, response) = try await run(
            Self.model(ScriptedHTTPTransport(.init(body: Fixtures.ollamaText))), Conversation.request)
        #expect(response == ModelResponse(message: .assistant("The sky"), usage: Usage(inputTokens: 26, outputTokens: 282), stopReason: .endTurn))
    }

    @Test func foldsAStreamedToolCallSplitAtEveryOffset() async throws {
        let bytes = Array(Fixtures.ollamaToolCall.utf8)
        let whole = try await run(Self.model(ScriptedHTTPTransport(.init(chunks: [bytes]))), Conversation.request)
        #expect(
            whole.response
                == ModelResponse(
                    message: Message(
                        role: .assistant,
                        parts: [.toolCall(ToolCall(id: "ollama_call_0", name: "get_weather", arguments: ["location": "Paris"]))]),
                    usage: Usage(inputTokens: 90, outputTokens: 20), stopReason: .toolUse))
        #expect(whole.events.first == .reasoningDelta("Need weather."))
        for offset in stride(from: 0, through: bytes.count, by: 2) {
            let events = try await run(
                Self.model(ScriptedHTTPTransport(.init(chunks: split(bytes, at: [offset])))), Conversation.request
            ).events
            if events != whole.events {
                Issue.record("split at \(offset) gives different events")
                return
            }
        }
    }

    @Test func errorLine() async {
        let body = #"{"error":"model 'nope' not found"}"# + "\n"
        let error = await modelError(Self.model(ScriptedHTTPTransport(.init(body: body))), Conversation.request)
        #expect(error?.message == "model 'nope' not found")
    }

    @Test func badJSONLineIsMalformed() async {
        let body = Fixtures.ollamaText.replacingOccurrences(of: "\" sky\"", with: "\" sky")
        let error = await modelError(Self.model(ScriptedHTTPTransport(.init(body: body))), Conversation.request)
        #expect(error?.code == .malformedResponse)
        #expect(error?.message.contains("line 2") == true)
    }

    @Test func truncatedStream() async {
        let body = Fixtures.ollamaText.split(separator: "\n").prefix(2).joined(separator: "\n") + "\n"
        #expect(await modelError(Self.model(ScriptedHTTPTransport(.init(body: body))), Conversation.request)?.code == .truncated)
    }

    @Test func httpNotFound() async {
        let transport = ScriptedHTTPTransport(.init(status: 404, body: #"{"error":"model \"x\" not found, try pulling it first"}"#))
        let error = await modelError(Self.model(transport), Conversation.request)
        #expect(error?.code == .invalidRequest)
        #expect(error?.status == 404)
    }

    @Test func sendsTheFullHistoryEveryCall() async throws {
        let transport = ScriptedHTTPTransport(.init(body: Fixtures.ollamaToolCall), .init(body: Fixtures.ollamaText))
        let model = Self.model(transport)
        var request = ModelRequest(model: "", system: "S", messages: [.user("Weather?")], tools: Conversation.tools)
        let first = try await model.respond(to: request)
        request.messages.append(first.message)
        request.messages.append(
            Message(role: .tool, parts: first.message.toolCalls.map { .toolResult(ToolResultPart(callID: $0.id, content: "sunny")) }))
        _ = try await model.respond(to: request)
        let messages = try #require(try sentBody(transport, 1)["messages"]?.arrayValue)
        #expect(messages.map { $0["role"]?.stringValue } == ["system", "user", "assistant", "tool"])
        #expect(messages[3]["tool_name"] == "get_weather")
    }
}

extension OllamaModelTests {
    @Test func ignoresUnknownFieldsAndBlankLines() async throws {
        let body = "\n{\"model\":\"llama3.1\",\"future\":{\"x\":1}}\n\r\n" + Fixtures.ollamaText
        let (_, response) = try await run(Self.model(ScriptedHTTPTransport(.init(body: body))), Conversation.request)
        #expect(response.message.text == "The sky")
    }
}
