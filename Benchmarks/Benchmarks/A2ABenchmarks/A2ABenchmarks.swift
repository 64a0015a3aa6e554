import Benchmark
import Foundation
import Micro
import MicroA2A
import MicroAgent
import MicroProviders

// A2A over loopback: SendMessage to an `A2AServer` whose agent has a scripted model (one answer, no tools),
// from 8 concurrent clients on one CurlTransport, over each binding. Each message is a whole task: request
// parsed, task stored, the run driven in the server's run loop (four checkpoints), the answer stored as an
// artifact, the task returned — and only a task returned completed counts (anything else stops the benchmark).
// Run: `swift package --allow-writing-to-package-directory benchmark --target A2ABenchmarks`.

let benchmarks: @Sendable () -> Void = {
  for binding in A2ABench.Binding.allCases {
    Benchmark(
        "A2A SendMessage over loopback (\(binding.rawValue)), scripted agent, 8 concurrent clients",
        configuration: .init(
            metrics: [.wallClock, .throughput], timeUnits: .microseconds, warmupIterations: 1, scalingFactor: .kilo,
            maxDuration: .seconds(5), maxIterations: 20)
    ) { benchmark in
        let count = benchmark.scaledIterations.count
        let server = A2AServer(runner: A2ABench.runner(), agent: "echo")
        let (ports, bound) = AsyncStream.makeStream(of: Int.self)
        let application = server.application { port in bound.yield(port) }
        try await withThrowingTaskGroup(of: Void.self) { serving in
            serving.addTask { try await application.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { return }
            let url = "http://127.0.0.1:\(port)"
            let transport = CurlTransport()
            let body = binding.body
            // One warm call so connections and the run loop are up before measuring.
            try await A2ABench.send(transport, url, binding, body)
            benchmark.startMeasurement()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<A2ABench.clients {
                    group.addTask {
                        for _ in stride(from: worker, to: count, by: A2ABench.clients) { try await A2ABench.send(transport, url, binding, body) }
                    }
                }
                try await group.waitForAll()
            }
            benchmark.stopMeasurement()
            serving.cancelAll()
        }
    }
  }
}

enum A2ABench {
    static let clients = 8

    static func runner() -> AgentRunner {
        let environment = Environment.live
        let agent = Agent(
            name: "echo", instructions: "Answer.", model: ScriptedModel([.answer("done")], selection: .byAssistantTurns),
            tools: .services([]))
        return AgentRunner(
            runtime: Runtime.inMemory(environment: environment), checkpointer: InMemoryCheckpointer(), agents: [agent],
            owner: "bench")
    }

    enum Binding: String, CaseIterable, Sendable {
        case jsonRPC = "JSON-RPC"
        case httpJSON = "HTTP+JSON"

        /// The request body; the message id is replaced per call.
        var body: String {
            let message = #"{"message":{"messageId":"MSGID","parts":[{"text":"hello"}],"role":"ROLE_USER"}}"#
            return self == .jsonRPC ? #"{"id":1,"jsonrpc":"2.0","method":"SendMessage","params":"# + message + "}" : message
        }

        var path: String { self == .jsonRPC ? "/" : "/message:send" }
    }

    static let ids = IDGenerator.random

    /// Sends one message and checks that its task came back completed.
    nonisolated static func send(_ transport: CurlTransport, _ url: String, _ binding: Binding, _ body: String) async throws {
        let request = HTTPRequest(
            method: "POST", url: url + binding.path, headers: [("Content-Type", "application/json"), ("A2A-Version", "1.0")],
            body: Array(body.replacingOccurrences(of: "MSGID", with: ids.next("m")).utf8))
        let response = try await transport.send(request)
        let bytes = try await response.collectBody()
        let result = try? JSONValue(parsing: bytes)
        let task = binding == .jsonRPC ? result?["result"]?["task"] : result?["task"]
        guard response.status == 200, task?["status"]?["state"] == "TASK_STATE_COMPLETED" else {
            fatalError("SendMessage did not complete its task: \(String(decoding: bytes, as: UTF8.self))")
        }
    }
}
