import Foundation
import Micro
import MicroProviders
import Testing

@Suite struct CassetteRedactionTests {
    static let openAIKey = "sk-proj-ABCDEFGHIJKLMNOPQRSTUVWX1234"
    static let googleKey = "AIzaSyA1234567890abcdefghijklmnopqrstu"

    enum Placement: String, CaseIterable, Sendable {
        case authorizationHeader, xAPIKeyHeader, googHeader, customHeaderValue, queryKey, queryAccessToken, jsonBody, textBody
    }

    static func request(_ placement: Placement) -> HTTPRequest {
        var request = HTTPRequest(
            url: "https://api.example.com/v1/chat?alt=sse", headers: [("content-type", "application/json")],
            body: Array(#"{"model":"m"}"#.utf8))
        switch placement {
        case .authorizationHeader: request.headers.append(("Authorization", "Bearer \(openAIKey)"))
        case .xAPIKeyHeader: request.headers.append(("X-Api-Key", openAIKey))
        case .googHeader: request.headers.append(("x-goog-api-key", googleKey))
        case .customHeaderValue: request.headers.append(("X-Debug", "token=\(openAIKey)"))
        case .queryKey: request.url += "&key=\(googleKey)"
        case .queryAccessToken: request.url += "&access_token=opaque-token-123"
        case .jsonBody: request.body = Array(#"{"api_key":"\#(openAIKey)","model":"m"}"#.utf8)
        case .textBody: request.body = Array("key=\(googleKey)&x=1".utf8)
        }
        return request
    }

    static func secret(_ placement: Placement) -> String {
        switch placement {
        case .googHeader, .queryKey, .textBody: googleKey
        case .queryAccessToken: "opaque-token-123"
        default: openAIKey
        }
    }

    @Test(arguments: Placement.allCases)
    func noKeyEverLandsInTheFile(_ placement: Placement) async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("c.json")
        let secret = Self.secret(placement)
        let live = ScriptedTransport { _ in
            ScriptedTransport.Reply(
                headers: [("content-type", "application/json"), ("Set-Cookie", "session=abc123")],
                chunks: [(5, #"{"echo":"Bearer \#(Self.openAIKey)","#), (5, #""k":"\#(Self.googleKey)"}"#)])
        }
        let transport = try RecordingTransport(live: live, path: path, mode: .all, environment: .simulated())
        let response = try await transport.send(Self.request(placement))
        let seen = try await response.chunkTexts().joined()
        #expect(seen.contains(Self.openAIKey))  // the caller still gets the live bytes
        #expect(live.requests.first == Self.request(placement))  // and the live transport the real request

        let bytes = try #require(FileManager.default.contents(atPath: path))
        let text = String(decoding: bytes, as: UTF8.self)
        for needle in [secret, Self.openAIKey, Self.googleKey, "session=abc123", "opaque-token-123"] {
            #expect(bytes.range(of: Data(needle.utf8)) == nil, "\(needle) leaked into the cassette")
        }
        #expect(text.contains("<redacted>"))
    }

    /// A key split across two streamed chunks, at every offset from just before it to just after it, never
    /// reaches the file; the chunks keep the text around the key.
    @Test(arguments: Array(0...Self.openAIKey.utf8.count))
    func secretSplitAcrossChunksIsRedacted(_ cut: Int) async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("c.json")
        let prefix = "data: {\"é\":\""
        let body = Array("\(prefix)\(Self.openAIKey)\"}\n\n".utf8)
        let offset = prefix.utf8.count + cut
        let live = ScriptedTransport { _ in
            ScriptedTransport.Reply(
                headers: [("content-type", "text/event-stream")],
                chunks: [(3, String(decoding: body[..<offset], as: UTF8.self)), (4, String(decoding: body[offset...], as: UTF8.self))])
        }
        let transport = try RecordingTransport(live: live, path: path, mode: .all, environment: .simulated())
        let response = try await transport.send(HTTPRequest(url: "https://api.example.com/v1/chat"))
        _ = try await response.chunkTexts()
        let bytes = try #require(FileManager.default.contents(atPath: path))
        #expect(bytes.range(of: Data(Self.openAIKey.utf8)) == nil)
        for piece in [String(Self.openAIKey.prefix(20)), String(Self.openAIKey.suffix(20))] {
            #expect(bytes.range(of: Data(piece.utf8)) == nil, "part of the key leaked: \(piece)")
        }
        let cassette = try Cassette.load(from: path)
        let chunks = try #require(cassette.interactions.first?.response?.chunks)
        #expect(String(decoding: chunks.flatMap(\.data.bytes), as: UTF8.self) == "data: {\"é\":\"<redacted>\"}\n\n")
        #expect(chunks.map(\.offsetMs).allSatisfy { $0 >= 0 })
    }

    @Test func redactsChunksTogether() {
        let redactor = Redactor.standard
        let key = Self.openAIKey
        let chunks = ["a ", String(key.prefix(5)), String(key.dropFirst(5).prefix(10)), String(key.dropFirst(15)) + " b", " c"]
        #expect(redactor.redact(chunks: chunks.map { Array($0.utf8) }).map { String(decoding: $0, as: UTF8.self) }
            == ["a ", "<redacted>", "", " b", " c"])
        #expect(redactor.redact(chunks: [Array("x \(key)".utf8)]) == [Array("x <redacted>".utf8)])
        #expect(redactor.redact(chunks: [[0xFF], Array(key.utf8)]) == [[0xFF], Array("<redacted>".utf8)])
    }

    @Test func redactorRules() throws {
        let redactor = Redactor.standard
        #expect(redactor.redact(url: "https://h/p?a=1&KEY=zzz&apikey=y#f") == "https://h/p?a=1&KEY=<redacted>&apikey=<redacted>#f")
        #expect(redactor.redact(text: "x Bearer abcdefghijk y") == "x <redacted> y")
        #expect(redactor.redact(text: "sk-short") == "sk-short")
        let headers = redactor.redact(headers: [("Cookie", "a=b"), ("Accept", "*/*")])
        #expect(headers.map(\.value) == ["<redacted>", "*/*"])
    }

    @Test func configurableRules() throws {
        let redactor = try Redactor(headerNames: ["X-Secret"], queryParameters: ["sig"], patterns: ["tok_[0-9]+"])
        #expect(redactor.redact(url: "https://h/?sig=1&key=2") == "https://h/?sig=<redacted>&key=2")
        #expect(redactor.redact(headers: [("x-secret", "v")]).map(\.value) == ["<redacted>"])
        #expect(redactor.redact(text: "a tok_123 b") == "a <redacted> b")
        #expect(throws: (any Error).self) { try Redactor(patterns: ["("]) }
    }
}
