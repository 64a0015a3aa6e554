import Micro
import MicroAgent
import MicroProviders
import Testing

/// Drift is judged by shape (fields and their types, events, stop reason, tool calls), never by words.
@Suite struct CassetteDriftTests {
    static let recorded = """
        data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c1","function":{"name":"get_weather","arguments":"{\\"location\\":\\"Paris\\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":3,"completion_tokens":4}}

        data: [DONE]


        """

    @Test func otherWordsInTheSameShapeAreNoDrift() async {
        let live = Self.recorded.replacingOccurrences(of: "Paris", with: "Rome").replacingOccurrences(of: "\"c1\"", with: "\"c9\"")
        #expect(await CassetteDrift.compare(recorded: (200, Array(Self.recorded.utf8)), live: (200, Array(live.utf8)), provider: "openai").isEmpty)
    }

    @Test func newAndMissingFieldsStopReasonsAndToolCallsAreDrift() async {
        let live = """
            data: {"choices":[{"index":0,"delta":{"content":"It is sunny.","refusal":null},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":4,"prompt_tokens_details":{"cached_tokens":0}}}

            data: [DONE]


            """
        let changes = await CassetteDrift.compare(recorded: (200, Array(Self.recorded.utf8)), live: (200, Array(live.utf8)), provider: "openai")
        #expect(changes.contains { $0.hasPrefix("new fields: ") && $0.contains("$.usage.prompt_tokens_details.cached_tokens: number") && $0.contains("$.choices[].delta.refusal: null") }, "\(changes)")
        #expect(changes.contains { $0.hasPrefix("missing fields: ") && $0.contains("$.choices[].delta.tool_calls: array") }, "\(changes)")
        #expect(changes.contains("stop reason tool_use → end_turn"))
        #expect(changes.contains("tool calls get_weather(location) → none"))
    }

    @Test func aChangedStatusOrAnSSEEventIsDrift() async {
        let anthropic = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
        let renamed = "event: message_end\ndata: {\"type\":\"message_stop\"}\n\n"
        let changes = await CassetteDrift.compare(recorded: (200, Array(anthropic.utf8)), live: (429, Array(renamed.utf8)), provider: nil)
        #expect(changes == ["status 200 → 429", "new fields: event message_end", "missing fields: event message_stop"])
    }

    @Test func ndjsonBodiesHaveAShapeToo() {
        let body = Array("{\"message\":{\"content\":\"a\"},\"done\":false}\n{\"done\":true,\"eval_count\":3}\n".utf8)
        #expect(CassetteDrift.shape(of: body) == [
            "$: object", "$.message: object", "$.message.content: string", "$.done: boolean", "$.eval_count: number",
        ])
    }
}
