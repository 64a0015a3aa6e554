import Benchmark
import Micro
import MicroExamples
import MicroMCP
import MicroProviders
import MicroReplay

// MCP `tools/call` throughput over loopback Streamable HTTP: our client (libcurl) against our server
// (Hummingbird), both in this process, on the bundled travel services.

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput], timeUnits: .microseconds, warmupIterations: 1, scalingFactor: .kilo,
        maxDuration: .seconds(10), maxIterations: 20)

    for (era, mode) in [("2025-11-25 session", MCPClient.Mode.legacy), ("2026-07-28 stateless", .modern)] {
        Benchmark("MCP tools/call over loopback HTTP, 16 concurrent callers (\(era))") { benchmark in
            try await callOverHTTP(benchmark, mode: mode, width: 16)
        }
    }
}

/// One sample: starts a server (not measured), then measures `scaledIterations` calls made by `width`
/// concurrent callers sharing one client.
func callOverHTTP(_ benchmark: Benchmark, mode: MCPClient.Mode, width: Int) async throws {
    let runtime = Runtime.inMemory()
    try await TravelServices.serve(on: runtime)
    let http = MCPHTTPServer(server: MCPServer(runtime: runtime), logger: .quiet("mcp-bench"))
    let total = benchmark.scaledIterations.count
    // The benchmark measures inside the server's scope; package-benchmark's `Benchmark` is not Sendable, and
    // only this sample's task uses it.
    nonisolated(unsafe) let benchmark = benchmark
    try await withLoopbackServer({ http.application(onRunning: $0) }) { port in
        let client = MCPClient(transport: MCPHTTPClientTransport(url: "http://127.0.0.1:\(port)/mcp"), mode: mode)
        try await client.connect()
        let arguments: JSONValue = ["city": "Lisbon", "from": "2026-05-01", "days": 1]
        _ = try await client.callTool("weather_forecast", arguments: arguments)  // fills the tool cache
        benchmark.startMeasurement()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<width {
                group.addTask {
                    for _ in stride(from: worker, to: total, by: width) {
                        let result = try await client.callTool("weather_forecast", arguments: arguments)
                        precondition(!result.isError)
                    }
                }
            }
            try await group.waitForAll()
        }
        benchmark.stopMeasurement()
        await client.close()
    }
}
