import Benchmark
import Foundation
import Micro
import MicroAgent
import MicroProviders

// Recording at length, and replay through each wire format's adapter.

func registerRecordingBenchmarks() {
    // The same per-call cost at 1,000 and at 4,000 interactions is what O(1) appends mean.
    for interactions in [1_000, 4_000] {
        Benchmark(
            "Recording \(interactions.formatted()) interactions through RecordingTransport (2 KB streamed answers, cassette on disk), per batch",
            configuration: .init(
                metrics: [.wallClock, .throughput], timeUnits: .milliseconds, warmupIterations: 1, maxDuration: .seconds(10), maxIterations: 20)
        ) { benchmark in
            for _ in benchmark.scaledIterations { try await recordSession(interactions: interactions) }
        }
    }

    for (provider, path, body) in RecordingShared.streams {
        Benchmark(
            "Replay of a streamed \(provider) response (cassette transport + adapter + fold)",
            configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal], scalingFactor: .kilo)
        ) { benchmark in
            try await replays(provider: provider, path: path, body: body, count: benchmark.scaledIterations.count)
        }
    }
}

/// Records `interactions` calls with different bodies into a new cassette file, and finishes it.
nonisolated func recordSession(interactions: Int) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("micro-bench-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let recorder = try RecordingTransport(
        live: FixedBodyTransport(body: RecordingShared.answer), path: directory.appendingPathComponent("session.json").path, mode: .all)
    for index in 0..<interactions {
        let request = HTTPRequest(
            url: "https://api.anthropic.com/v1/messages", headers: [("content-type", "application/json")],
            body: Array(#"{"max_tokens":64,"messages":[{"content":"Question \#(index)","role":"user"}],"model":"m","stream":true}"#.utf8))
        let response = try await recorder.send(request)
        for try await chunk in response.body { blackHole(chunk) }
    }
    try recorder.finish()
}

nonisolated func replays(provider: String, path: String, body: String, count: Int) async throws {
    let cassette = Cassette(interactions: [
        Cassette.Interaction(
            request: Cassette.Request(method: "POST", url: "https://example.invalid" + path),
            response: Cassette.Response(
                status: 200, headers: [Cassette.Header(name: "content-type", value: "text/event-stream")],
                chunks: [Cassette.Chunk(offsetMs: 0, data: Cassette.Body(bytes: Array(body.utf8)))]))
    ])
    let request = ModelRequest(model: "m", messages: [.user("Tell me a story.")])
    let keys = ["ANTHROPIC_API_KEY": "k", "OPENAI_API_KEY": "k", "GEMINI_API_KEY": "k"]
    for _ in 0..<count {
        let transport = CassetteTransport(cassette: cassette, options: CassetteTransport.Options(match: .path))
        let model = try ProviderCatalog.model(provider, transport: transport, environment: keys)
        blackHole(try await model.respond(to: request))
    }
}

enum RecordingShared {
    /// A ~2 KB streamed Anthropic answer, as one body.
    static let answer: [UInt8] = WireShared.cassette.interactions[0].response!.chunks.flatMap(\.data.bytes)

    /// About 2 KB of streamed answer in each wire format (14 text deltas, then the end).
    static let streams: [(provider: String, path: String, body: String)] = {
        let parts = (0..<14).map { "Once upon a time, part \($0), " }
        let anthropic = String(decoding: answer, as: UTF8.self)
        var openAI = parts.map { #"data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"\#($0)"},"finish_reason":null}]}"# + "\n\n" }.joined()
        openAI += #"data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":120}}"# + "\n\ndata: [DONE]\n\n"
        var gemini = parts.map { #"data: {"candidates":[{"content":{"role":"model","parts":[{"text":"\#($0)"}]},"index":0}],"usageMetadata":{"promptTokenCount":12,"totalTokenCount":12}}"# + "\r\n\r\n" }.joined()
        gemini += #"data: {"candidates":[{"content":{"role":"model","parts":[{"text":"The end."}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":120,"totalTokenCount":132}}"# + "\r\n\r\n"
        var ollama = parts.map { #"{"model":"m","created_at":"2026-01-01T00:00:00Z","message":{"role":"assistant","content":"\#($0)"},"done":false}"# + "\n" }.joined()
        ollama += #"{"model":"m","created_at":"2026-01-01T00:00:00Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":12,"eval_count":120}"# + "\n"
        return [
            ("anthropic", "/v1/messages", anthropic), ("openai", "/v1/chat/completions", openAI),
            ("gemini", "/v1beta/models/m:streamGenerateContent", gemini), ("ollama", "/api/chat", ollama),
        ]
    }()
}
