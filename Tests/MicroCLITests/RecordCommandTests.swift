import Foundation
import Hummingbird
import Logging
import Micro
import MicroAgent
import MicroCLI
import MicroProviders
import MicroReplay
import Testing

/// `micro record` in-process against a stand-in started by the test, and a record → replay round trip.
@Suite struct RecordCommandTests {
    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("micro-record-\(UInt64.random(in: 0...UInt64.max)).json").path
    }

    func record(_ provider: String, base: String, _ extra: [String], out: String) async -> (code: Int32, out: String, err: String) {
        await runMicro(["record", "--provider", provider, "--base-url", base, "--out", out] + extra)
    }

    @Test func jsonOutputHasTheLastResponseAndMaxStepsOneRecordsExactlyOneCall() async throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await withStandIn { port in
            await self.record(
                "anthropic", base: "http://127.0.0.1:\(port)/v1",
                ["--tools", "weather", "--max-steps", "1", "--prompt", "Weather in Paris?", "--json"], out: path)
        }
        #expect(result.code == 0, "\(result.err)")
        let json = try JSONValue(parsing: result.out)
        #expect(json.objectValue.map { Set($0.keys) } == ["text", "toolCalls", "usage", "stopReason"])
        #expect(json["stopReason"]?.stringValue == "tool_use")
        #expect(json["text"]?.stringValue == "Okay, let's check the weather for San Francisco, CA:")
        #expect(json["toolCalls"]?[0]?["name"]?.stringValue == "weather_forecast")
        #expect(json["toolCalls"]?[0]?["arguments"] == ["location": "San Francisco, CA", "unit": "fahrenheit"])
        #expect(json["usage"]?["inputTokens"]?.intValue == 472)

        let cassette = try Cassette.load(from: path)
        #expect(cassette.interactions.count == 1)
        #expect(cassette.metadata.source == .documentedExample)
        #expect(cassette.metadata.notes?.contains("stand-in") == true)
        let offered = try JSONValue(parsing: cassette.interactions[0].request.body?.bytes ?? [])["tools"]?.arrayValue ?? []
        #expect(offered.compactMap { $0["name"]?.stringValue } == ["weather_forecast"])
    }

    @Test func withoutToolsItPrintsTheTextAnswer() async throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await withStandIn { port in
            await self.record("gemini", base: "http://127.0.0.1:\(port)/v1beta", ["--prompt", "Say hello."], out: path)
        }
        #expect(result.code == 0, "\(result.err)")
        #expect(result.out.hasPrefix("Hello there!\n"))
        #expect(try Cassette.load(from: path).interactions.count == 1)
    }

    @Test func aRateLimitIsRecordedAndReportedWithExitCode1() async throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await withStandIn { port in
            await self.record("openai", base: "http://127.0.0.1:\(port)/v1", ["--prompt", "Hit the rate limit.", "--max-attempts", "1"], out: path)
        }
        #expect(result.code == 1)
        #expect(result.err.contains("rate_limited"))
        let cassette = try Cassette.load(from: path)
        #expect(cassette.interactions.count == 1)
        #expect(cassette.interactions.first?.response?.status == 429)
    }

    @Test func aRecordingReplaysThroughTheReplayServerToTheSameOutputAndNeutralEvents() async throws {
        let recorded = temporaryPath()
        let rerecorded = temporaryPath()
        defer {
            try? FileManager.default.removeItem(atPath: recorded)
            try? FileManager.default.removeItem(atPath: rerecorded)
        }
        let arguments = ["--tools", "weather", "--max-steps", "1", "--prompt", "Weather in Paris?", "--json"]
        let request = ModelRequest(
            model: "gpt-4.1", messages: [.user("Weather in Paris?")],
            tools: [ToolSpec(name: "weather_forecast", description: "Forecast.", inputSchema: .object(properties: [:]))])
        let (live, liveEvents) = try await withStandIn { port in
            let result = await self.record("openai", base: "http://127.0.0.1:\(port)/v1", arguments, out: recorded)
            let model = OpenAIChatModel(apiKey: "k", baseURL: "http://127.0.0.1:\(port)/v1", transport: CurlTransport())
            return (result, try await Self.events(model, request))
        }
        #expect(live.code == 0, "\(live.err)")

        let server = ReplayServer(transport: try CassetteTransport(contentsOf: recorded), logger: quietLogger)
        let replayed = try await withLoopbackServer({ server.application(onRunning: $0) }) { port in
            await self.record("openai", base: "http://127.0.0.1:\(port)/v1", arguments, out: rerecorded)
        }
        #expect(replayed.code == 0, "\(replayed.err)")
        #expect(replayed.out == live.out)

        let cassette = try CassetteTransport(contentsOf: recorded, options: CassetteTransport.Options(match: .path))
        let replayedEvents = try await Self.events(OpenAIChatModel(apiKey: "k", transport: cassette), request)
        #expect(replayedEvents == liveEvents)
        #expect(liveEvents.contains { if case .finish = $0 { true } else { false } })
    }

    static func events(_ model: any Model, _ request: ModelRequest) async throws -> [ModelEvent] {
        var events: [ModelEvent] = []
        for try await event in model.stream(request) { events.append(event) }
        return events
    }

    func withStandIn<R: Sendable>(_ body: @escaping @Sendable (Int) async throws -> R) async throws -> R {
        let server = StandInServer(logger: quietLogger)
        return try await withLoopbackServer({ server.application(onRunning: $0) }, body)
    }
}

/// Servers in tests only report critical problems.
let quietLogger = Logger.quiet("test-server")
