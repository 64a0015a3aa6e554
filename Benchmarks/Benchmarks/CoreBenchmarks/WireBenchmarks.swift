import Benchmark
import Micro
import MicroAgent
import MicroProviders

// The wire: SSE parsing throughput and replaying a recorded streamed response through an adapter.

func registerWireBenchmarks() {
    let sse = WireShared.sse

    Benchmark(
        "SSE parsing (1 MiB of OpenAI-style deltas in 16 KiB chunks)",
        configuration: .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(3))
    ) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(parseSSE(sse)) }
    }

    Benchmark(
        "Replay of a 2 KB streamed Anthropic response (cassette transport + adapter)",
        configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal], scalingFactor: .kilo)
    ) { benchmark in
        try await replays(count: benchmark.scaledIterations.count)
    }
}

nonisolated func parseSSE(_ chunks: [[UInt8]]) -> Int {
    var parser = SSEParser()
    var events = 0
    for chunk in chunks { try! parser.parse(chunk) { _ in events += 1 } }
    return events
}

nonisolated func replays(count: Int) async throws {
    let request = WireShared.request
    for _ in 0..<count {
        let transport = CassetteTransport(cassette: WireShared.cassette)
        let model = AnthropicModel(model: "claude-opus-4-1", apiKey: "k", transport: transport, environment: [:])
        blackHole(try await model.respond(to: request))
    }
}

enum WireShared {
    /// About 1 MiB of `data: {...}` chunk events, cut into 16 KiB network chunks.
    static let sse: [[UInt8]] = {
        var text = ""
        var index = 0
        while text.utf8.count < 1 << 20 {
            text += #"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"token \#(index) "},"finish_reason":null}]}"# + "\n\n"
            index += 1
        }
        let bytes = Array(text.utf8)
        return stride(from: 0, to: bytes.count, by: 16 << 10).map { Array(bytes[$0..<min($0 + (16 << 10), bytes.count)]) }
    }()

    static let request = ModelRequest(model: "claude-opus-4-1", messages: [.user("Tell me a story.")])

    /// One recorded interaction: the request the adapter sends for ``request`` and a ~2 KB streamed answer.
    static let cassette: Cassette = {
        var events = [
            #"event: message_start"# + "\n" + #"data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-opus-4-1","content":[],"stop_reason":null,"usage":{"input_tokens":12,"output_tokens":1}}}"#,
            #"event: content_block_start"# + "\n" + #"data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
        ]
        for index in 0..<14 {
            events.append(#"event: content_block_delta"# + "\n" + #"data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Once upon a time, part \#(index), "}}"#)
        }
        events += [
            #"event: content_block_stop"# + "\n" + #"data: {"type":"content_block_stop","index":0}"#,
            #"event: message_delta"# + "\n" + #"data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":120}}"#,
            #"event: message_stop"# + "\n" + #"data: {"type":"message_stop"}"#,
        ]
        let chunks = events.enumerated().map { offset, event in
            Cassette.Chunk(offsetMs: Int64(offset), data: Cassette.Body(bytes: Array((event + "\n\n").utf8)))
        }
        let body = try! JSONValue(parsing: #"{"max_tokens":8192,"messages":[{"content":[{"text":"Tell me a story.","type":"text"}],"role":"user"}],"model":"claude-opus-4-1","stream":true}"#)
        return Cassette(interactions: [
            Cassette.Interaction(
                request: Cassette.Request(method: "POST", url: "https://api.anthropic.com/v1/messages", body: .json(body)),
                response: Cassette.Response(status: 200, headers: [Cassette.Header(name: "content-type", value: "text/event-stream")], chunks: chunks))
        ])
    }()
}
