import Micro
import MicroAgent
import Testing

@testable import MicroProviders

/// What the official SDKs make of the same bytes, our adapters make too: the edge cases of issue 11.
@Suite struct StreamFidelityTests {
    static func anthropic(_ body: String) -> AnthropicModel {
        AnthropicModel(apiKey: "k", transport: ScriptedHTTPTransport(.init(body: body)), environment: emptyEnvironment)
    }

    static func openAI(_ body: String) -> OpenAIChatModel {
        OpenAIChatModel(apiKey: "k", transport: ScriptedHTTPTransport(.init(body: body)), environment: emptyEnvironment)
    }

    /// Anthropic events, one `event:`/`data:` pair each, blank lines between.
    static func events(_ pairs: [(String, String)], terminated: Bool = true) -> String {
        pairs.map { "event: \($0.0)\ndata: \($0.1)" }.joined(separator: "\n\n") + (terminated ? "\n\n" : "")
    }

    static let start = ("message_start", #"{"type":"message_start","message":{"id":"m","type":"message","role":"assistant","content":[],"model":"c","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}}"#)
    static let text = [
        ("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#),
        ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}"#),
        ("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
    ]
    static func delta(_ json: String) -> (String, String) { ("message_delta", json) }
    static let stop = ("message_stop", #"{"type":"message_stop"}"#)

    @Test(arguments: ["", "\n", "\r"])
    func aLastEventWithNoBlankLineAfterItIsDispatched(ending: String) async throws {
        let body = Self.events([Self.start] + Self.text + [Self.delta(#"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":3}}"#), Self.stop], terminated: false) + ending
        let response = try await Self.anthropic(body).respond(to: ModelRequest(model: "", messages: [.user("hi")]))
        #expect(response.message.text == "Hi")
        #expect(response.stopReason == .endTurn)
    }

    @Test func aLastEventCutMidJSONIsATruncation() async {
        let body = Self.events([Self.start] + Self.text, terminated: true) + "event: message_delta\ndata: {\"type\":\"message_del"
        let error = await modelError(Self.anthropic(body), ModelRequest(model: "", messages: [.user("hi")]))
        #expect(error?.code == .truncated)
        #expect(error?.message.contains("in the middle of an event") == true, "\(String(describing: error))")
    }

    /// `message_delta` usage replaces each field it carries, 0 included; fields it lacks keep their start value.
    @Test(arguments: [
        (#"{"output_tokens":0}"#, Usage(inputTokens: 25, outputTokens: 0)),
        (#"{"output_tokens":7,"input_tokens":30}"#, Usage(inputTokens: 30, outputTokens: 7)),
        (#"{"output_tokens":7,"input_tokens":0,"cache_read_input_tokens":40}"#, Usage(inputTokens: 40, outputTokens: 7, cachedInputTokens: 40)),
    ])
    func deltaUsageOverridesByPresence(usage: String, expected: Usage) async throws {
        let body = Self.events([Self.start] + Self.text + [Self.delta(#"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":\#(usage)}"#), Self.stop])
        let response = try await Self.anthropic(body).respond(to: ModelRequest(model: "", messages: [.user("hi")]))
        #expect(response.usage == expected)
    }

    @Test func aRefusalKeepsItsStopDetails() async throws {
        let details = #"{"type":"refusal","category":"cyber","explanation":"I can't help with that."}"#
        let body = Self.events([Self.start] + Self.text + [Self.delta(#"{"type":"message_delta","delta":{"stop_reason":"refusal","stop_details":\#(details)},"usage":{"output_tokens":2}}"#), Self.stop])
        let response = try await Self.anthropic(body).respond(to: ModelRequest(model: "", messages: [.user("hi")]))
        #expect(response.stopReason == .contentFilter)
        #expect(response.stopDetails == (try JSONValue(parsing: details)))
    }

    /// `pause_turn` is its own stop; server-tool blocks and block types we do not know are skipped, their
    /// deltas too, and the text around them is kept.
    @Test func pauseTurnAndServerToolBlocks() async throws {
        let body = Self.events([
            Self.start,
            ("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{}}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"query\":\"x\"}"}}"#),
            ("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
            ("content_block_start", #"{"type":"content_block_start","index":1,"content_block":{"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[]}}"#),
            ("content_block_stop", #"{"type":"content_block_stop","index":1}"#),
            ("content_block_start", #"{"type":"content_block_start","index":2,"content_block":{"type":"text","text":""}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":2,"delta":{"type":"citations_delta","citation":{"type":"web_search_result_location"}}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":2,"delta":{"type":"text_delta","text":"Searching"}}"#),
            ("content_block_stop", #"{"type":"content_block_stop","index":2}"#),
            Self.delta(#"{"type":"message_delta","delta":{"stop_reason":"pause_turn"},"usage":{"output_tokens":9}}"#), Self.stop,
        ])
        let response = try await Self.anthropic(body).respond(to: ModelRequest(model: "", messages: [.user("hi")]))
        #expect(response.stopReason == .pauseTurn)
        #expect(response.message.text == "Searching")
        #expect(response.message.toolCalls.isEmpty)
    }

    /// The output limit in the middle of a tool call's arguments: the call comes back truncated, with what
    /// arrived of its arguments, not as a malformed response.
    @Test func maxTokensInsideAToolCallIsATruncatedCall() async throws {
        let body = Self.events([
            Self.start,
            ("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"write_file","input":{}}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"path\":\"a.txt\",\"text\":\"lo"}}"#),
            ("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
            Self.delta(#"{"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":4096}}"#), Self.stop,
        ])
        let response = try await Self.anthropic(body).respond(to: ModelRequest(model: "", messages: [.user("hi")]))
        #expect(response.stopReason == .maxTokens)
        #expect(response.message.toolCalls.isEmpty)
        #expect(response.truncatedToolCalls == [TruncatedToolCall(id: "toolu_1", name: "write_file", partialArguments: #"{"path":"a.txt","text":"lo"#)])
    }

    @Test func openAILengthInsideAToolCallIsATruncatedCall() async throws {
        let body = """
            data: {"choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"write_file","arguments":"{\\"path\\":"}}]},"finish_reason":null}]}

            data: {"choices":[{"index":0,"delta":{},"finish_reason":"length"}]}

            data: [DONE]


            """
        let response = try await Self.openAI(body).respond(to: ModelRequest(model: "", messages: [.user("hi")]))
        #expect(response.stopReason == .maxTokens)
        #expect(response.truncatedToolCalls.map(\.partialArguments) == [#"{"path":"#])
    }

    @Test func anOpenAIRefusalIsKeptAsStopDetails() async throws {
        let body = """
            data: {"choices":[{"index":0,"delta":{"role":"assistant","refusal":"I can't"},"finish_reason":null}]}

            data: {"choices":[{"index":0,"delta":{"refusal":" help with that."},"finish_reason":"stop"}]}

            data: [DONE]


            """
        let response = try await Self.openAI(body).respond(to: ModelRequest(model: "", messages: [.user("hi")]))
        #expect(response.stopDetails == ["type": "refusal", "refusal": "I can't help with that."])
    }

    /// An event over the parser's cap (16 MiB) fails the call with a typed error naming the cap, not an
    /// unbounded buffer.
    @Test func anEventOverTheCapIsAMalformedResponse() async {
        let body = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + String(repeating: "x", count: 17 << 20) + "\"}}]}\n\n"
        let error = await modelError(Self.openAI(body), ModelRequest(model: "", messages: [.user("hi")]))
        #expect(error?.code == .malformedResponse)
        #expect(error?.message.contains("larger than 16777216 bytes") == true, "\(String(describing: error?.message.prefix(200)))")
    }

    /// Arguments that are not JSON with any other stop reason are still a malformed response.
    @Test func brokenArgumentsWithoutTheLimitAreMalformed() async {
        let body = """
            data: {"choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":"{\\"a\\":"}}]},"finish_reason":"tool_calls"}]}

            data: [DONE]


            """
        #expect(await modelError(Self.openAI(body), ModelRequest(model: "", messages: [.user("hi")]))?.code == .malformedResponse)
    }
}
