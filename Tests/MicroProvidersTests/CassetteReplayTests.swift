import Foundation
import Micro
import MicroProviders
import Testing

@Suite struct CassetteReplayTests {
    @Test func matchesIgnoringFieldsKeyOrderQueryOrderAndSecretParameters() async throws {
        let recorded = HTTPRequest(
            url: "https://api.example.com/v1/chat?b=2&a=1&key=<redacted>",
            body: Array(#"{"model":"m","stream_options":{"include_usage":true},"metadata":{"user_id":"u1","tag":"t"}}"#.utf8))
        let transport = CassetteTransport(
            cassette: cassette([(recorded, "ok")]),
            options: CassetteTransport.Options(ignoredFields: ["stream_options", "metadata.user_id"]))
        let live = HTTPRequest(
            url: "https://other-host.example/v1/chat?a=1&key=REAL-KEY&b=2",
            body: Array(#"{ "metadata": {"tag": "t", "user_id": "u2"}, "model": "m" }"#.utf8))
        let response = try await transport.send(live)
        #expect(try await response.chunkTexts() == ["ok"])

        let different = HTTPRequest(url: live.url, body: Array(#"{"metadata":{"tag":"x"},"model":"m"}"#.utf8))
        let error = await #expect(throws: CassetteError.self) { try await transport.send(different) }
        #expect(error?.code == .noMatch)
        #expect(error?.message.contains(#"first difference: body $.metadata.tag: recorded "t", request "x""#) == true)
    }

    @Test func liveBodyWithASecretMatchesItsRedactedRecording() async throws {
        let key = "sk-ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        let live = HTTPRequest(url: "https://h/v1/files", body: Array(#"{"key":"\#(key)","n":1}"#.utf8))
        let recorded = HTTPRequest(url: live.url, body: Redactor.standard.redact(bytes: live.body))
        #expect(!String(decoding: recorded.body, as: UTF8.self).contains(key))
        let transport = CassetteTransport(cassette: cassette([(recorded, "ok")]))
        #expect(try await transport.send(live).chunkTexts() == ["ok"])
    }

    @Test func repeatedIdenticalRequestsReplayInOrder() async throws {
        let request = chatRequest("hi")
        let transport = CassetteTransport(cassette: cassette([(request, "first"), (chatRequest("other"), "x"), (request, "second")]))
        #expect(try await transport.send(request).chunkTexts() == ["first"])
        #expect(try await transport.send(request).chunkTexts() == ["second"])
        let error = await #expect(throws: CassetteError.self) { try await transport.send(request) }
        #expect(error?.message.contains("#0, #2") == true)
        #expect(error?.message.contains("this is request 3 of its kind") == true)
    }

    /// With repeats allowed, a request whose recordings are used up gets the last of them again; without,
    /// it is a `no_match` naming how many there were.
    @Test(arguments: [false, true])
    func aRequestBeyondItsRecordingsRepeatsTheLastOnlyWhenAllowed(allowRepeats: Bool) async throws {
        let request = HTTPRequest(url: "https://h/v1/chat", body: Array(#"{"n":1}"#.utf8))
        let transport = CassetteTransport(
            cassette: cassette([(request, "first"), (request, "second")]), options: CassetteTransport.Options(allowRepeats: allowRepeats))
        #expect(try await transport.send(request).chunkTexts() == ["first"])
        #expect(try await transport.send(request).chunkTexts() == ["second"])
        if allowRepeats {
            #expect(try await transport.send(request).chunkTexts() == ["second"])
            #expect(try await transport.send(request).chunkTexts() == ["second"])
            #expect(transport.unusedInteractions.isEmpty)
        } else {
            let error = await #expect(throws: CassetteError.self) { try await transport.send(request) }
            #expect(error?.message.contains("were already replayed") == true)
        }
    }

    @Test func missNamesNearestAndFirstDifference() async throws {
        let transport = CassetteTransport(
            cassette: cassette([(chatRequest("weather in Paris", model: "other"), "a"), (chatRequest("hi"), "b")]),
            file: "Recordings/chat.json")
        let error = await #expect(throws: CassetteError.self) { try await transport.send(chatRequest("hello")) }
        let message = try #require(error?.message)
        #expect(message.contains("no recorded interaction matches POST /v1/chat/completions"))
        #expect(message.contains("nearest recorded: #1 POST /v1/chat/completions"))
        #expect(message.contains(#"first difference: body $.messages[0].content: recorded "hi", request "hello""#))
        #expect(error?.description.hasPrefix("Recordings/chat.json") == true)

        let pathError = await #expect(throws: CassetteError.self) {
            try await transport.send(HTTPRequest(method: "GET", url: "https://api.example.com/v1/models"))
        }
        #expect(pathError?.message.contains("first difference: method: recorded POST, request GET") == true)
    }

    @Test func pathModeReplaysInRecordedOrderWhateverTheBody() async throws {
        let transport = CassetteTransport(
            cassette: cassette([(chatRequest("one"), "1"), (chatRequest("two"), "2")]),
            options: CassetteTransport.Options(match: .path))
        #expect(try await transport.send(chatRequest("anything")).chunkTexts() == ["1"])
        #expect(try await transport.send(chatRequest("else")).chunkTexts() == ["2"])
        await #expect(throws: CassetteError.self) { try await transport.send(chatRequest("third")) }
    }

    @Test func reportsUnusedInteractions() async throws {
        let c = cassette([(chatRequest("a"), "A"), (chatRequest("b"), "B"), (chatRequest("c"), "C")])
        let lenient = CassetteTransport(cassette: c)
        _ = try await lenient.send(chatRequest("b"))
        #expect(lenient.unusedInteractions == [0, 2])
        #expect(lenient.unusedReport == "#0 POST https://api.example.com/v1/chat/completions\n#2 POST https://api.example.com/v1/chat/completions")
        try lenient.finish()

        let strict = CassetteTransport(cassette: c, options: CassetteTransport.Options(failOnUnused: true))
        _ = try await strict.send(chatRequest("a"))
        let error = #expect(throws: CassetteError.self) { try strict.finish() }
        #expect(error?.code == .unusedInteractions)
        for request in [chatRequest("b"), chatRequest("c")] { _ = try await strict.send(request) }
        try strict.finish()
    }

    @Test func replaysRecordedErrors() async throws {
        var c = cassette([(chatRequest("a"), "unused")])
        c.interactions[0].response = nil
        c.interactions[0].error = Cassette.Failure(code: "timed_out", message: "after 30 s")
        c.interactions.append(
            Cassette.Interaction(
                request: Cassette.Request(method: "POST", url: "https://api.example.com/v1/chat/completions", body: Cassette.Body(bytes: chatRequest("b").body)),
                response: Cassette.Response(status: 200, chunks: [Cassette.Chunk(offsetMs: 1, data: .text("part"))]),
                error: Cassette.Failure(code: "interrupted", message: "reset")))
        let transport = CassetteTransport(cassette: c)
        let head = await #expect(throws: HTTPError.self) { try await transport.send(chatRequest("a")) }
        #expect(head == HTTPError(.timedOut, "after 30 s"))
        let response = try await transport.send(chatRequest("b"))
        var chunks: [String] = []
        let body = await #expect(throws: HTTPError.self) {
            for try await chunk in response.body { chunks.append(String(decoding: chunk, as: UTF8.self)) }
        }
        #expect(chunks == ["part"])
        #expect(body?.code == .interrupted)
    }

    static func timed() -> Cassette {
        var c = cassette([(chatRequest("a"), "")])
        c.interactions[0].response?.chunks = [100, 300, 600].map { Cassette.Chunk(offsetMs: $0, data: .text("t\($0)")) }
        return c
    }

    @Test func speedFactorReplaysTimingOnTheVirtualClock() async throws {
        let clock = VirtualClock()
        let transport = CassetteTransport(
            cassette: Self.timed(), options: CassetteTransport.Options(speed: 2), environment: .simulated(clock: clock))
        let response = try await transport.send(chatRequest("a"))
        var offsets: [Duration] = []
        for try await _ in response.body { offsets.append(clock.now.offset) }
        #expect(offsets == [.milliseconds(50), .milliseconds(150), .milliseconds(300)])
    }

    @Test func replayIsInstantByDefault() async throws {
        let clock = VirtualClock()
        let transport = CassetteTransport(cassette: Self.timed(), environment: .simulated(clock: clock))
        #expect(try await transport.send(chatRequest("a")).chunkTexts() == ["t100", "t300", "t600"])
        #expect(clock.now.offset == .zero)
    }
}
