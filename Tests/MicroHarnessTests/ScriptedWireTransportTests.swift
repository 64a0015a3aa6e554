import Foundation
import Micro
import MicroAgent
@testable import MicroHarness
import MicroProviders
import Testing

/// Scripted turns served to external agents as wire bytes: what our own adapters read back from those bytes
/// is the turn that was scripted, in both dialects, streamed or not.
@Suite struct ScriptedWireTransportTests {
    static let turns: [ScriptedModel.Turn] = [
        ScriptedModel.Turn(
            text: "Looking it up.",
            toolCalls: [
                ToolCall(id: "c1", name: "orders_lookup", arguments: ["id": "42"]),
                ToolCall(id: "c2", name: "notifier_send", arguments: ["to": "ada", "n": 2]),
            ], usage: Usage(inputTokens: 30, outputTokens: 7)),
        ScriptedModel.Turn(text: "Done.", expecting: "shipped"),
    ]

    static func request(_ dialect: ScriptedWireTransport.Dialect, stream: Bool, messages: [JSONValue]) -> HTTPRequest {
        switch dialect {
        case .gemini:
            let contents = messages.map { message -> JSONValue in
                ["role": message["role"] == "assistant" ? "model" : "user", "parts": [["text": message["content"] ?? ""]]]
            }
            let method = stream ? "streamGenerateContent?alt=sse" : "generateContent"
            return HTTPRequest(url: "http://127.0.0.1/v1beta/models/m:\(method)", body: JSONValue.object(["contents": .array(contents)]).canonicalBytes())
        case .ollama:
            let body: JSONValue = ["model": "m", "stream": .bool(stream), "messages": .array(messages)]
            return HTTPRequest(url: "http://127.0.0.1/api/chat", body: body.canonicalBytes())
        case .openAI, .anthropic:
            let body: JSONValue = ["model": "m", "stream": .bool(stream), "messages": .array(messages), "max_tokens": 100]
            let path = dialect == .openAI ? "/v1/chat/completions" : "/v1/messages"
            return HTTPRequest(url: "http://127.0.0.1\(path)", body: body.canonicalBytes())
        }
    }

    static let contentTypes: [ScriptedWireTransport.Dialect: String] = [.openAI: "text/event-stream", .anthropic: "text/event-stream", .gemini: "text/event-stream", .ollama: "application/x-ndjson"]

    @Test(arguments: [ScriptedWireTransport.Dialect.openAI, .anthropic, .gemini, .ollama], [true, false])
    func ourAdaptersReadBackTheScriptedTurn(dialect: ScriptedWireTransport.Dialect, stream: Bool) async throws {
        let transport = ScriptedWireTransport(turns: Self.turns, dialect: dialect, model: "scripted")
        let response = try await transport.send(Self.request(dialect, stream: stream, messages: [["role": "user", "content": "hi"]]))
        #expect(response.status == 200)
        #expect(response.header("content-type") == (stream ? Self.contentTypes[dialect] : "application/json"))
        let body = try await response.collectBody()
        let summary = try #require(await EdgeTransport.summary(body, provider: dialect.rawValue))
        #expect(summary.message.text == "Looking it up.")
        // Gemini and Ollama carry no call IDs: the adapter makes its own.
        #expect(summary.message.toolCalls.map { [$0.name: $0.arguments] } == Self.turns[0].toolCalls.map { [$0.name: $0.arguments] })
        if dialect == .openAI || dialect == .anthropic { #expect(summary.message.toolCalls == Self.turns[0].toolCalls) }
        #expect(summary.usage == Usage(inputTokens: 30, outputTokens: 7))
        #expect(summary.stopReason == .toolUse)
    }

    @Test(arguments: [ScriptedWireTransport.Dialect.gemini, .ollama])
    func theTurnFollowsTheModelMessagesInGeminiAndOllamaRequests(dialect: ScriptedWireTransport.Dialect) async throws {
        let transport = ScriptedWireTransport(turns: Self.turns, dialect: dialect, model: "scripted")
        let second = try await transport.send(Self.request(dialect, stream: true, messages: [
            ["role": "user", "content": "hi"], ["role": "assistant", "content": "Looking it up."], ["role": "user", "content": "it shipped"],
        ]))
        let summary = try #require(await EdgeTransport.summary(try await second.collectBody(), provider: dialect.rawValue))
        #expect(summary.message.text == "Done.")
        let mismatch = try await transport.send(Self.request(dialect, stream: true, messages: [
            ["role": "user", "content": "hi"], ["role": "assistant", "content": "Looking it up."], ["role": "user", "content": "lost"],
        ]))
        #expect(mismatch.status == 400)
    }

    @Test func theTurnFollowsTheAssistantMessagesInTheRequest() async throws {
        let transport = ScriptedWireTransport(turns: Self.turns, dialect: .openAI, model: "scripted")
        let second = try await transport.send(Self.request(.openAI, stream: false, messages: [
            ["role": "user", "content": "hi"], ["role": "assistant", "content": "Looking it up."],
            ["role": "tool", "tool_call_id": "c1", "content": "{\"status\":\"shipped\"}"],
        ]))
        #expect(try JSONValue(parsing: try await second.collectBody())["choices"]?[0]?["message"]?["content"] == "Done.")
    }

    @Test func anUnexpectedLastMessageOrAnExhaustedScriptIsAClearError() async throws {
        let transport = ScriptedWireTransport(turns: Self.turns, dialect: .anthropic, model: "scripted")
        let mismatch = try await transport.send(Self.request(.anthropic, stream: true, messages: [
            ["role": "user", "content": "hi"], ["role": "assistant", "content": [["type": "text", "text": "x"]]],
            ["role": "user", "content": [["type": "tool_result", "tool_use_id": "c1", "content": "not found"]]],
        ]))
        #expect(mismatch.status == 400)
        let text = String(decoding: try await mismatch.collectBody(), as: UTF8.self)
        #expect(text.contains("scripted answer 2 expects the last message to contain \\\"shipped\\\"; it was: not found"), "\(text)")
        let exhausted = try await transport.send(Self.request(.anthropic, stream: true, messages: Array(
            repeating: ["role": "assistant", "content": "x"], count: 2)))
        #expect(exhausted.status == 404)
        #expect(String(decoding: try await exhausted.collectBody(), as: UTF8.self).contains("script_exhausted"))
        let garbage = try await transport.send(HTTPRequest(url: "http://127.0.0.1/v1/messages", body: Array("not json".utf8)))
        #expect(garbage.status == 400)
    }
}
