import Foundation
import Micro
import MicroProviders
import Testing

@Suite struct CassetteFormatTests {
    static let sample = Cassette(
        metadata: Cassette.Metadata(
            provider: "openai", model: "gpt-test", recordedAt: "2026-01-01T00:00:00.000Z", source: .live, notes: "n"),
        interactions: [
            Cassette.Interaction(
                request: Cassette.Request(
                    method: "POST", url: "https://api.example.com/v1/x?key=<redacted>",
                    headers: [Cassette.Header(name: "Authorization", value: "<redacted>")],
                    body: .json(["b": 1, "a": [true, nil]])),
                response: Cassette.Response(
                    status: 200, headers: [Cassette.Header(name: "content-type", value: "text/event-stream")],
                    chunks: [
                        Cassette.Chunk(offsetMs: 5, data: .text("data: {\"x\":1}\n\n")),
                        Cassette.Chunk(offsetMs: 9, data: .binary([0xFF, 0x00, 0xFE])),
                    ])),
            Cassette.Interaction(
                request: Cassette.Request(method: "GET", url: "https://api.example.com/v1/models"),
                response: Cassette.Response(status: 429, body: .text("slow down")),
                error: nil),
            Cassette.Interaction(
                request: Cassette.Request(method: "POST", url: "https://api.example.com/v1/y", body: .binary([1, 2, 3])),
                error: Cassette.Failure(code: "timed_out", message: "after 30 s")),
        ])

    @Test func roundTripsThroughBytes() throws {
        let bytes = Self.sample.encoded()
        let loaded = try Cassette(bytes: bytes)
        #expect(loaded == Self.sample)
        #expect(loaded.encoded() == bytes)
    }

    @Test func writesVersionedSortedPrettyJSON() throws {
        let text = String(decoding: Self.sample.encoded(), as: UTF8.self)
        #expect(text.hasPrefix("{\n  \"interactions\": ["))
        #expect(text.contains("\"version\": 1"))
        #expect(text.contains("\"source\": \"live\""))
        #expect(text.contains("\"tool\": \"micro 0.1.0\""))
        #expect(text.contains("\"bodyEncoding\": \"base64\""))
        #expect(text.contains("\"encoding\": \"base64\""))
        #expect(text.contains("\"data\": \"/wD+\""))
        #expect(text.hasSuffix("}\n"))
    }

    @Test func writesAtomicallyAndLoads() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("nested/cassette.json")
        try Self.sample.write(to: path)
        try Self.sample.write(to: path)
        #expect(try Cassette.load(from: path) == Self.sample)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/nested")
        #expect(names == ["cassette.json"])
    }

    @Test func acceptsHandWrittenJSONBodies() throws {
        let text = """
            {"version": 1, "metadata": {"recordedAt": "x", "source": "documented-example", "tool": "hand"},
             "interactions": [{"request": {"method": "POST", "url": "https://h/v1", "body": {"a": 1}},
                               "response": {"status": 200, "body": {"ok": true}}}]}
            """
        let cassette = try Cassette(bytes: Array(text.utf8))
        #expect(cassette.metadata.source == .documentedExample)
        #expect(cassette.interactions[0].response?.chunks.map(\.data.bytes) == [Array(#"{"ok":true}"#.utf8)])
    }

    struct Malformed: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var code: CassetteError.Code
        var jsonPath: String?
        var line: Int?
        var column: Int?
        var testDescription: String { name }
    }

    static let valid = #"""
        {"version": 1, "metadata": {"recordedAt": "x", "source": "live", "tool": "micro"},
         "interactions": [{"request": {"method": "GET", "url": "https://h/"},
                           "response": {"status": 200, "chunks": [{"offsetMs": 0, "data": "AAEC", "encoding": "base64"}]}}]}
        """#

    static let malformed: [Malformed] = [
        Malformed(name: "bad JSON", text: "{\"version\": 1,\n  \"metadata\": }", code: .malformedJSON, line: 2, column: 15),
        Malformed(name: "wrong version", text: valid.replacingOccurrences(of: "\"version\": 1", with: "\"version\": 7"), code: .unsupportedVersion, jsonPath: "$.version"),
        Malformed(name: "missing version", text: valid.replacingOccurrences(of: "\"version\": 1,", with: ""), code: .missingField, jsonPath: "$.version"),
        Malformed(name: "missing method", text: valid.replacingOccurrences(of: "\"method\": \"GET\", ", with: ""), code: .missingField, jsonPath: "$.interactions[0].request.method"),
        Malformed(name: "bad base64", text: valid.replacingOccurrences(of: "AAEC", with: "A!@#"), code: .badBase64, jsonPath: "$.interactions[0].response.chunks[0].data"),
        Malformed(name: "status not a number", text: valid.replacingOccurrences(of: "\"status\": 200", with: "\"status\": \"ok\""), code: .invalidValue, jsonPath: "$.interactions[0].response.status"),
        Malformed(name: "bad source", text: valid.replacingOccurrences(of: "\"live\"", with: "\"dream\""), code: .invalidValue, jsonPath: "$.metadata.source"),
        Malformed(name: "not an object", text: "[1]", code: .invalidValue, jsonPath: "$"),
    ]

    @Test func validSampleLoads() throws {
        #expect(try Cassette(bytes: Array(Self.valid.utf8)).interactions[0].response?.chunks[0].data == .binary([0, 1, 2]))
    }

    @Test(arguments: malformed)
    func malformedFilesGiveTypedErrors(_ case_: Malformed) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("bad.json")
        try Data(case_.text.utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: CassetteError.self) { try Cassette.load(from: path) }
        #expect(error?.code == case_.code)
        #expect(error?.file == path)
        if let jsonPath = case_.jsonPath { #expect(error?.jsonPath == jsonPath) }
        if let line = case_.line { #expect(error?.line == line) }
        if let column = case_.column { #expect(error?.column == column) }
        #expect(error?.description.contains(path) == true)
    }

    @Test func missingFileIsTyped() {
        let error = #expect(throws: CassetteError.self) { try Cassette.load(from: "/nonexistent/c.json") }
        #expect(error?.code == .fileNotFound)
    }
}
