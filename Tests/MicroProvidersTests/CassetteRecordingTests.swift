import Foundation
import Micro
import MicroProviders
import Testing

@Suite struct CassetteRecordingTests {
    static func streaming(_ request: HTTPRequest) -> ScriptedTransport.Reply {
        ScriptedTransport.Reply(
            headers: [("content-type", "text/event-stream"), ("x-request-id", "req_1")],
            chunks: [(120, "data: {\"delta\":\"Hel\"}\n\n"), (30, "data: {\"delta\":\"lo\"}\n\n"), (50, "data: [DONE]\n\n")])
    }

    @Test func roundTripRecordFileReplay() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("Recordings/chat.json")
        let clock = VirtualClock()
        let live = ScriptedTransport(clock: clock, Self.streaming)
        let recorder = try RecordingTransport(
            live: live, path: path, mode: .all, metadata: Cassette.Metadata(provider: "openai", model: "gpt-test"),
            environment: .simulated(clock: clock))
        let liveResponse = try await recorder.send(chatRequest("hi"))
        let liveChunks = try await liveResponse.chunkTexts()
        #expect(liveChunks.count == 3)

        let loaded = try Cassette.load(from: path)
        #expect(loaded.metadata.provider == "openai")
        #expect(loaded.metadata.recordedAt == "2026-01-01T00:00:00.200Z")
        #expect(loaded.interactions[0].response?.chunks.map(\.offsetMs) == [120, 150, 200])
        #expect(loaded == recorder.cassette)

        let replay = try CassetteTransport(contentsOf: path)
        let replayed = try await replay.send(chatRequest("hi"))
        #expect(replayed.status == liveResponse.status)
        #expect(replayed.headers.map { [$0.name, $0.value] } == liveResponse.headers.map { [$0.name, $0.value] })
        #expect(try await replayed.chunkTexts() == liveChunks)
        #expect(replay.unusedInteractions.isEmpty)
    }

    @Test func recordsErrorStatusesAndTransportFailures() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("c.json")
        let live = ScriptedTransport { request in
            switch String(decoding: request.body, as: UTF8.self) {
            case let body where body.contains("limit"):
                ScriptedTransport.Reply(status: 429, headers: [("retry-after", "7")], chunks: [(0, "{\"error\":\"rate\"}")])
            case let body where body.contains("timeout"):
                ScriptedTransport.Reply(headError: HTTPError(.timedOut, "no answer"))
            default:
                ScriptedTransport.Reply(chunks: [(10, "par")], bodyError: HTTPError(.interrupted, "reset"))
            }
        }
        let recorder = try RecordingTransport(live: live, path: path, mode: .all, environment: .simulated())
        let limit = try await recorder.send(chatRequest("limit"))
        #expect(limit.status == 429)
        #expect(try await limit.chunkTexts() == ["{\"error\":\"rate\"}"])
        await #expect(throws: HTTPError.self) { try await recorder.send(chatRequest("timeout")) }
        let broken = try await recorder.send(chatRequest("break"))
        await #expect(throws: HTTPError.self) { _ = try await broken.chunkTexts() }

        let loaded = try Cassette.load(from: path)
        #expect(loaded.interactions.map { $0.response?.status } == [429, nil, 200])
        #expect(loaded.interactions.map { $0.error?.code } == [nil, "timed_out", "interrupted"])

        let replay = CassetteTransport(cassette: loaded)
        let limited = try await replay.send(chatRequest("limit"))
        #expect(limited.status == 429)
        #expect(limited.header("retry-after") == "7")
        let error = await #expect(throws: HTTPError.self) { try await replay.send(chatRequest("timeout")) }
        #expect(error?.code == .timedOut)
    }

    @Test func droppedBodyIsRecordedAsCancelled() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("c.json")
        let recorder = try RecordingTransport(live: ScriptedTransport(Self.streaming), path: path, mode: .all, environment: .simulated())
        do {
            let response = try await recorder.send(chatRequest("hi"))
            for try await _ in response.body { break }
        }
        let loaded = try Cassette.load(from: path)
        #expect(loaded.interactions.first?.response?.chunks.count == 1)
        #expect(loaded.interactions.first?.error?.code == "cancelled")
    }

    /// Writes a cassette answering `chatRequest("a")` with "recorded".
    static func existing(_ dir: TemporaryDirectory) throws -> String {
        let path = dir.file("c.json")
        try cassette([(chatRequest("a"), "recorded")]).write(to: path)
        return path
    }

    static let liveReply: @Sendable (HTTPRequest) -> ScriptedTransport.Reply = { _ in
        ScriptedTransport.Reply(chunks: [(0, "live")])
    }

    @Test func modeNoneReplaysStrictly() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let live = ScriptedTransport(Self.liveReply)
        let missing = #expect(throws: CassetteError.self) {
            try RecordingTransport(live: live, path: dir.file("none.json"), mode: .none)
        }
        #expect(missing?.code == .fileNotFound)

        let transport = try RecordingTransport(live: live, path: try Self.existing(dir), mode: .none)
        #expect(try await transport.send(chatRequest("a")).chunkTexts() == ["recorded"])
        let miss = await #expect(throws: CassetteError.self) { try await transport.send(chatRequest("b")) }
        #expect(miss?.code == .noMatch)
        #expect(live.requests.isEmpty)
        #expect(!transport.isRecording)
    }

    @Test func modeOnceRecordsThenReplays() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("once.json")
        let live = ScriptedTransport(Self.liveReply)
        let first = try RecordingTransport(live: live, path: path, mode: .once, environment: .simulated())
        #expect(try await first.send(chatRequest("a")).chunkTexts() == ["live"])
        #expect(live.requests.count == 1)

        let second = try RecordingTransport(live: live, path: path, mode: .once, environment: .simulated())
        #expect(try await second.send(chatRequest("a")).chunkTexts() == ["live"])
        await #expect(throws: CassetteError.self) { try await second.send(chatRequest("b")) }
        #expect(live.requests.count == 1)
    }

    @Test func modeNewEpisodesReplaysHitsAndAppendsMisses() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = try Self.existing(dir)
        let live = ScriptedTransport(Self.liveReply)
        let transport = try RecordingTransport(live: live, path: path, mode: .newEpisodes, environment: .simulated())
        #expect(try await transport.send(chatRequest("a")).chunkTexts() == ["recorded"])
        #expect(try await transport.send(chatRequest("b")).chunkTexts() == ["live"])
        #expect(try await transport.send(chatRequest("a")).chunkTexts() == ["live"])  // a second "a" was never recorded
        #expect(live.requests.count == 2)
        let loaded = try Cassette.load(from: path)
        #expect(loaded.interactions.map { $0.response?.chunks.first?.data } == [.text("recorded"), .text("live"), .text("live")])
        #expect(loaded.metadata.provider == "example")
    }

    @Test func modeAllReRecordsEverything() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = try Self.existing(dir)
        let live = ScriptedTransport(Self.liveReply)
        let transport = try RecordingTransport(live: live, path: path, mode: .all, environment: .simulated())
        #expect(try await transport.send(chatRequest("a")).chunkTexts() == ["live"])
        #expect(live.requests.count == 1)
        let loaded = try Cassette.load(from: path)
        #expect(loaded.interactions.count == 1)
        #expect(loaded.interactions[0].response?.chunks.first?.data == .text("live"))
        #expect(loaded.metadata.source == .live)
    }
}

@Suite struct RecordedMetadataTests {
    @Test(arguments: [
        (String?("http://127.0.0.1:8090/v1"), Cassette.Metadata.Source.documentedExample),
        ("http://localhost/v1", .documentedExample),
        ("https://api.openai.com/v1", .live),
        (nil, .live),
    ])
    func aLoopbackUpstreamIsADocumentedExampleNamingTheRecorder(upstream: String?, source: Cassette.Metadata.Source) {
        let metadata = Cassette.Metadata.recorded(by: "micro replay serve", upstream: upstream, provider: "OpenAI", model: "gpt-4o")
        #expect(metadata.source == source)
        #expect(metadata.provider == "openai")
        #expect(metadata.model == "gpt-4o")
        #expect((metadata.notes?.contains("recorded by micro replay serve against a loopback stand-in") ?? false) == (source == .documentedExample))
    }
}
