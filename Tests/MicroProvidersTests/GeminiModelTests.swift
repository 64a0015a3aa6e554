import Micro
import MicroAgent
import Testing

@testable import MicroProviders

@Suite struct GeminiModelTests {
    static func model(_ transport: ScriptedHTTPTransport) -> GeminiModel {
        GeminiModel(apiKey: "g-key", transport: transport, environment: emptyEnvironment)
    }

    @Test func buildsTheRequestBody() async throws {
        let transport = ScriptedHTTPTransport(.init(body: Fixtures.geminiText))
        _ = try await run(Self.model(transport), Conversation.request)
        let expected = try JSONValue(
            parsing: #"""
                {"systemInstruction":{"parts":[{"text":"You are terse."}]},
                 "generationConfig":{"maxOutputTokens":256,"temperature":0.5},
                 "toolConfig":{"functionCallingConfig":{"mode":"AUTO"}},
                 "tools":[{"functionDeclarations":[{"name":"get_weather","description":"Current weather",
                   "parameters":{"type":"object","required":["location"],"properties":{
                     "location":{"type":"string","description":"City"},
                     "unit":{"type":"string","nullable":true,"enum":["celsius","fahrenheit"]}}}}]}],
                 "contents":[
                  {"role":"user","parts":[{"text":"Weather in Paris and Rome?"}]},
                  {"role":"model","parts":[{"text":"Checking."},
                    {"functionCall":{"name":"get_weather","args":{"location":"Paris"}}},
                    {"functionCall":{"name":"get_weather","args":{"location":"Rome"}}}]},
                  {"role":"user","parts":[
                    {"functionResponse":{"name":"get_weather","response":{"temp":18}}},
                    {"functionResponse":{"name":"get_weather","response":{"error":"service down"}}},
                    {"text":"And tomorrow?"}]}]}
                """#)
        #expect(try sentBody(transport).canonicalString() == expected.canonicalString())
        let sent = transport.requests[0]
        #expect(
            sent.url
                == "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse")
        #expect(sent.header("x-goog-api-key") == "g-key")
    }

    @Test func convertsSchemas() throws {
        let schema = try JSONValue(
            parsing: #"""
                {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","additionalProperties":false,
                 "$defs":{"Point":{"type":"object","properties":{"x":{"type":"number"}},"additionalProperties":false}},
                 "properties":{"a":{"$ref":"#/$defs/Point"},"b":{"type":["integer","string","null"]},
                   "c":{"oneOf":[{"type":"string"},{"type":"integer"}]},"d":{"const":"fixed"},
                   "e":{"type":"array","items":{"$ref":"#/$defs/Point","description":"p"}},
                   "f":{"allOf":[{"type":"string"}],"description":"one"}}}
                """#)
        let expected = try JSONValue(
            parsing: #"""
                {"type":"object","properties":{
                  "a":{"type":"object","properties":{"x":{"type":"number"}}},
                  "b":{"nullable":true,"anyOf":[{"type":"integer"},{"type":"string"}]},
                  "c":{"anyOf":[{"type":"string"},{"type":"integer"}]},
                  "d":{"enum":["fixed"]},
                  "e":{"type":"array","items":{"type":"object","description":"p","properties":{"x":{"type":"number"}}}},
                  "f":{"type":"string","description":"one"}}}
                """#)
        #expect(GeminiSchema.convert(schema).canonicalString() == expected.canonicalString())
    }

    @Test func recursiveReferencesStop() {
        let schema: JSONValue = ["$defs": ["Node": ["type": "object", "properties": ["next": ["$ref": "#/$defs/Node"]]]], "$ref": "#/$defs/Node"]
        let converted = GeminiSchema.convert(schema)
        #expect(converted["type"] == "object")
    }

    @Test func foldsAStreamedAnswer() async throws {
        let (_, response) = try await run(
            Self.model(ScriptedHTTPTransport(.init(body: Fixtures.geminiText))), Conversation.request)
        #expect(response == ModelResponse(message: .assistant("Hello there!"), usage: Usage(inputTokens: 8, outputTokens: 3), stopReason: .endTurn))
    }

    @Test func foldsAStreamedToolCallSplitAtEveryOffset() async throws {
        let bytes = Array(Fixtures.geminiToolCall.utf8)
        let whole = try await run(Self.model(ScriptedHTTPTransport(.init(chunks: [bytes]))), Conversation.request)
        #expect(
            whole.response
                == ModelResponse(
                    message: Message(
                        role: .assistant,
                        parts: [
                            .toolCall(ToolCall(id: "gemini_call_0", name: "get_weather", arguments: ["location": "Paris"])),
                            .toolCall(ToolCall(id: "gemini_call_1", name: "get_weather", arguments: ["location": "Rome"])),
                        ]),
                    usage: Usage(inputTokens: 70, outputTokens: 25), stopReason: .toolUse))
        #expect(whole.events.first == .reasoningDelta("Thinking about it."))
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

    /// A function call's thought signature (Gemini thinking models) is kept on the call and sent back on the
    /// same `functionCall` part, as the API requires for the next turn.
    @Test func thoughtSignatureRoundTripsOnTheCall() async throws {
        let signed = #"""
            data: {"candidates": [{"content": {"parts": [{"functionCall": {"name": "get_weather","args": {"location": "Paris"}},"thoughtSignature": "CiQB0e2Kb7Bq3vGp9lWd"}],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 30,"candidatesTokenCount": 5,"thoughtsTokenCount": 40,"totalTokenCount": 75}}


            """#
        let transport = ScriptedHTTPTransport(.init(body: signed), .init(body: Fixtures.geminiText))
        let model = Self.model(transport)
        var request = ModelRequest(model: "", messages: [.user("Weather in Paris?")], tools: Conversation.tools)
        let first = try await model.respond(to: request)
        let call = try #require(first.message.toolCalls.first)
        #expect(call.signature == "CiQB0e2Kb7Bq3vGp9lWd")
        request.messages.append(first.message)
        request.messages.append(Message(role: .tool, parts: [.toolResult(ToolResultPart(callID: call.id, content: "sunny"))]))
        _ = try await model.respond(to: request)
        let contents = try #require(try sentBody(transport, 1)["contents"]?.arrayValue)
        #expect(
            contents[1]
                == ["role": "model", "parts": [["functionCall": ["name": "get_weather", "args": ["location": "Paris"]], "thoughtSignature": "CiQB0e2Kb7Bq3vGp9lWd"]]])
    }

    @Test func ignoresUnknownEvents() async throws {
        let body = "event: future\ndata: {\"x\":1}\n\ndata: {\"somethingNew\":true}\n\n" + Fixtures.geminiText
        let (_, response) = try await run(Self.model(ScriptedHTTPTransport(.init(body: body))), Conversation.request)
        #expect(response.message.text == "Hello there!")
    }

    @Test func midStreamError() async {
        let body = String(Fixtures.geminiText.split(separator: "\n\n")[0]) + "\n\n"
            + #"data: {"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}"#
            + "\n\n"
        let error = await modelError(Self.model(ScriptedHTTPTransport(.init(body: body))), Conversation.request)
        #expect(error?.code == .overloaded)
        #expect(error?.providerType == "UNAVAILABLE")
    }

    @Test func truncatedStream() async {
        let body = String(Fixtures.geminiText.split(separator: "\n\n")[0]) + "\n\n"
        #expect(await modelError(Self.model(ScriptedHTTPTransport(.init(body: body))), Conversation.request)?.code == .truncated)
    }

    @Test func rateLimitedWithRetryInfo() async {
        let transport = ScriptedHTTPTransport(
            .init(
                status: 429,
                body: #"""
                    {"error":{"code":429,"message":"You exceeded your current quota.","status":"RESOURCE_EXHAUSTED",
                     "details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[]},
                                {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"37s"}]}}
                    """#))
        let error = await modelError(Self.model(transport), Conversation.request)
        #expect(error?.code == .rateLimited)
        #expect(error?.retryAfter == .seconds(37))
        #expect(error?.providerType == "RESOURCE_EXHAUSTED")
    }

    @Test func tooManyInputTokens() async {
        let transport = ScriptedHTTPTransport(
            .init(
                status: 400,
                body: #"{"error":{"code":400,"message":"The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).","status":"INVALID_ARGUMENT"}}"#))
        #expect(await modelError(Self.model(transport), Conversation.request)?.code == .contextLengthExceeded)
    }

    @Test func sendsTheFullHistoryEveryCall() async throws {
        let transport = ScriptedHTTPTransport(.init(body: Fixtures.geminiToolCall), .init(body: Fixtures.geminiText))
        let model = Self.model(transport)
        var request = ModelRequest(model: "", system: "S", messages: [.user("Weather?")], tools: Conversation.tools)
        let first = try await model.respond(to: request)
        request.messages.append(first.message)
        request.messages.append(
            Message(role: .tool, parts: first.message.toolCalls.map { .toolResult(ToolResultPart(callID: $0.id, content: "sunny")) }))
        _ = try await model.respond(to: request)
        let contents = try #require(try sentBody(transport, 1)["contents"]?.arrayValue)
        #expect(contents.map { $0["role"]?.stringValue } == ["user", "model", "user"])
        #expect(contents[2]["parts"]?[1]?["functionResponse"] == ["name": "get_weather", "response": ["result": "sunny"]])
    }
}
