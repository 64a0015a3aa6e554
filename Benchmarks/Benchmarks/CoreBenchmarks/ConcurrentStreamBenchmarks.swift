import Benchmark
import Logging
import MicroProviders
import MicroReplay

// The wire under load: 64 streamed responses at once through one CurlTransport, from a loopback server.

func registerConcurrentStreamBenchmarks() {
    Benchmark(
        "64 concurrent streams: CurlTransport against the loopback stand-in (Anthropic SSE, ~1.5 KB each)",
        configuration: .init(
            metrics: [.wallClock, .throughput, .cpuTotal], timeUnits: .milliseconds, warmupIterations: 2,
            maxDuration: .seconds(3))
    ) { benchmark in
        let transport = CurlTransport()
        try await withThrowingTaskGroup(of: Void.self) { server in
            let (ports, bound) = AsyncStream.makeStream(of: Int.self)
            let application = StandInServer(logger: .quiet("benchmark-standin")).application { bound.yield($0) }
            server.addTask { try await application.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { return }
            let request = ConcurrentStreams.request(port: port)
            _ = try await ConcurrentStreams.run(transport, request, streams: 64)  // warm the connection pool
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try await ConcurrentStreams.run(transport, request, streams: 64))
            }
            benchmark.stopMeasurement()
            server.cancelAll()
        }
    }
}

enum ConcurrentStreams {
    static func request(port: Int) -> HTTPRequest {
        HTTPRequest(
            url: "http://127.0.0.1:\(port)/v1/messages",
            headers: [("content-type", "application/json"), ("accept", "text/event-stream")],
            body: Array(#"{"max_tokens":64,"messages":[{"content":"Hello","role":"user"}],"model":"m","stream":true}"#.utf8))
    }

    /// Sends `streams` requests at once and reads every body chunk by chunk; returns the bytes received.
    nonisolated static func run(_ transport: CurlTransport, _ request: HTTPRequest, streams: Int) async throws -> Int {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<streams {
                group.addTask {
                    let response = try await transport.send(request)
                    guard response.status == 200 else { throw HTTPError(.transport, "status \(response.status)") }
                    var bytes = 0
                    for try await chunk in response.body { bytes += chunk.count }
                    return bytes
                }
            }
            return try await group.reduce(0, +)
        }
    }
}
