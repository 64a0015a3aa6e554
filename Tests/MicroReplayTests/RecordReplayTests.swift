import Foundation
import Micro
import MicroAgent
import MicroProviders
import MicroReplay
import Testing

/// Record through our own transport against a loopback stand-in that emits Anthropic's documented wire
/// format, then replay: from the cassette file, and over HTTP through the replay server.
@Suite struct RecordReplayTests {
    let key = "sk-ant-api03-" + String(repeating: "S3cr3t", count: 6)

    func request() -> ModelRequest {
        ModelRequest(
            model: "claude-opus-4-1", system: "You check the weather.",
            messages: [.user("What is the weather in San Francisco?")],
            tools: [ToolSpec(name: "get_weather", description: "Weather by city.", inputSchema: .object(properties: ["location": .string], required: ["location"]))])
    }

    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("micro-replay-\(UInt64.random(in: 0...UInt64.max)).json").path
    }

    /// Records one live call; returns the folded response and the cassette's path.
    func record() async throws -> (ModelResponse, String) {
        let path = temporaryPath()
        let key = key
        let request = request()
        let live = try await withLoopbackServer(standInUpstream(path: "/v1/messages", sse: DocumentedExamples.anthropicToolCall)) { port in
            let recording = try RecordingTransport(
                live: CurlTransport(), path: path, mode: .all,
                metadata: Cassette.Metadata(provider: "anthropic", model: "claude-opus-4-1", source: .documentedExample))
            let model = AnthropicModel(
                model: "claude-opus-4-1", apiKey: key, baseURL: "http://127.0.0.1:\(port)/v1", transport: recording,
                environment: [:])
            let response = try await model.respond(to: request)
            try recording.finish()
            return response
        }
        return (live, path)
    }

    @Test func aRecordedSessionReplaysToIdenticalEventsWithNoKeyOnDisk() async throws {
        let (live, path) = try await record()
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(live.stopReason == .toolUse)
        #expect(live.message.toolCalls.first?.arguments == ["location": "San Francisco, CA", "unit": "fahrenheit"])

        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains("S3cr3t"))
        #expect(text.contains("documented-example"))

        let replay = try CassetteTransport(contentsOf: path)
        let model = AnthropicModel(model: "claude-opus-4-1", apiKey: "another-key", transport: replay, environment: [:])
        let replayed = try await model.respond(to: request())
        #expect(replayed == live)
        #expect(replay.unusedInteractions.isEmpty)
    }

    @Test func theReplayServerServesTheRecordingInTheProvidersWireFormat() async throws {
        let (live, path) = try await record()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let server = ReplayServer(transport: try CassetteTransport(contentsOf: path), logger: quietLogger)
        let request = request()
        let (replayed, missStatus, missBody) = try await withLoopbackServer({ server.application(onRunning: $0) }) { port in
            let model = AnthropicModel(
                model: "claude-opus-4-1", apiKey: "any", baseURL: "http://127.0.0.1:\(port)/v1", transport: CurlTransport(),
                environment: [:])
            let replayed = try await model.respond(to: request)
            let miss = try await CurlTransport().send(HTTPRequest(
                url: "http://127.0.0.1:\(port)/v1/messages", headers: [("content-type", "application/json")],
                body: Array(#"{"model":"other","messages":[]}"#.utf8)))
            return (replayed, miss.status, String(decoding: try await miss.collectBody(), as: UTF8.self))
        }
        #expect(replayed == live)
        #expect(missStatus == 404)
        #expect(missBody.contains("cassette_miss"))
    }
}
