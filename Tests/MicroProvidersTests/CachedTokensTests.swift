import Micro
import MicroAgent
import Testing

@testable import MicroProviders

/// Each adapter reads the part of the input its provider served from the prompt cache, kept apart from (and
/// inside) the input tokens, so that costs can bill it at the cached rate.
@Suite struct CachedTokensTests {
    @Test func openAIPromptTokensDetails() async throws {
        let body = #"""
            data: {"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}

            data: {"id":"x","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":1200,"completion_tokens":7,"prompt_tokens_details":{"cached_tokens":1024}}}

            data: [DONE]


            """#
        let model = OpenAIChatModel(.openAI, apiKey: "sk", transport: ScriptedHTTPTransport(.init(body: body)), environment: emptyEnvironment)
        let response = try await model.respond(to: ModelRequest(model: "", messages: [.user("hi")]))
        #expect(response.usage == Usage(inputTokens: 1200, outputTokens: 7, cachedInputTokens: 1024))
    }

    @Test func geminiCachedContentTokenCount() async throws {
        let body = #"""
            data: {"candidates":[{"content":{"parts":[{"text":"hi"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":900,"cachedContentTokenCount":512,"candidatesTokenCount":3,"totalTokenCount":903}}


            """#
        let model = GeminiModel(apiKey: "g", transport: ScriptedHTTPTransport(.init(body: body)), environment: emptyEnvironment)
        let response = try await model.respond(to: ModelRequest(model: "", messages: [.user("hi")]))
        #expect(response.usage == Usage(inputTokens: 900, outputTokens: 3, cachedInputTokens: 512))
    }

    @Test func uncachedUsageKeepsItsEncodedShape() throws {
        let plain = try JSONValueEncoder().encode(Usage(inputTokens: 3, outputTokens: 4))
        #expect(plain == ["inputTokens": 3, "outputTokens": 4])
        let cached = Usage(inputTokens: 30, outputTokens: 4, cachedInputTokens: 20)
        #expect(try JSONValueEncoder().encode(cached) == ["inputTokens": 30, "outputTokens": 4, "cachedInputTokens": 20])
        #expect(try JSONValueDecoder().decode(Usage.self, from: JSONValueEncoder().encode(cached)) == cached)
        #expect(Usage(json: cached.jsonValue) == cached)
        #expect(cached + cached == Usage(inputTokens: 60, outputTokens: 8, cachedInputTokens: 40))
    }
}
