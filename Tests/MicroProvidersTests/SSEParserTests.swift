import Foundation
import Micro
import Testing

@testable import MicroProviders

@Suite struct SSEParserTests {
    static func parse(_ chunks: [[UInt8]]) -> [SSEEvent] {
        var parser = SSEParser()
        var events: [SSEEvent] = []
        for chunk in chunks { try! parser.parse(chunk) { events.append($0) } }
        parser.finish()
        return events
    }

    static func parse(_ text: String) -> [SSEEvent] { parse([Array(text.utf8)]) }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var input: String
        var expected: [SSEEvent]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "LF", input: "data: a\n\n", expected: [SSEEvent(data: "a")]),
        Case(name: "CRLF", input: "data: a\r\n\r\n", expected: [SSEEvent(data: "a")]),
        Case(name: "CR", input: "data: a\r\r", expected: [SSEEvent(data: "a")]),
        Case(name: "mixed endings", input: "data: a\rdata: b\r\ndata: c\n\r\n", expected: [SSEEvent(data: "a\nb\nc")]),
        Case(name: "multi-line data", input: "data: one\ndata: two\n\n", expected: [SSEEvent(data: "one\ntwo")]),
        Case(name: "event type", input: "event: ping\ndata: {}\n\n", expected: [SSEEvent(type: "ping", data: "{}")]),
        Case(name: "comment", input: ": keep-alive\ndata: x\n\n", expected: [SSEEvent(data: "x")]),
        Case(name: "no space after colon", input: "data:x\n\n", expected: [SSEEvent(data: "x")]),
        Case(name: "only one space stripped", input: "data:  x\n\n", expected: [SSEEvent(data: " x")]),
        Case(name: "field without colon", input: "data\n\n", expected: [SSEEvent(data: "")]),
        Case(name: "empty data line", input: "data:\ndata:\n\n", expected: [SSEEvent(data: "\n")]),
        Case(name: "no data: no dispatch", input: "event: x\n\ndata: y\n\n", expected: [SSEEvent(data: "y")]),
        Case(
            name: "id persists", input: "id: 7\ndata: a\n\ndata: b\n\n",
            expected: [SSEEvent(data: "a", id: "7"), SSEEvent(data: "b", id: "7")]),
        Case(name: "id with NUL ignored", input: "id: a\u{0}b\ndata: a\n\n", expected: [SSEEvent(data: "a")]),
        Case(name: "retry", input: "retry: 1500\ndata: a\n\n", expected: [SSEEvent(data: "a", retry: 1500)]),
        Case(name: "bad retry ignored", input: "retry: 15x\ndata: a\n\n", expected: [SSEEvent(data: "a")]),
        Case(name: "unknown field ignored", input: "foo: bar\ndata: a\n\n", expected: [SSEEvent(data: "a")]),
        Case(name: "BOM", input: "\u{FEFF}data: a\n\n", expected: [SSEEvent(data: "a")]),
        Case(name: "only the first BOM", input: "\u{FEFF}data: a\n\n\u{FEFF}data: b\n\n", expected: [SSEEvent(data: "a")]),
        Case(name: "unterminated event dropped", input: "data: a\n\ndata: b\n", expected: [SSEEvent(data: "a")]),
        Case(name: "UTF-8", input: "data: héllo 🌍\n\n", expected: [SSEEvent(data: "héllo 🌍")]),
        Case(name: "empty type is message", input: "event:\ndata: a\n\n", expected: [SSEEvent(data: "a")]),
    ]

    @Test(arguments: cases)
    func parsesWhole(_ test: Case) {
        #expect(Self.parse(test.input) == test.expected)
    }

    @Test(arguments: cases)
    func parsesByteByByte(_ test: Case) {
        #expect(Self.parse(Array(test.input.utf8).map { [$0] }) == test.expected)
    }

    @Test func crAtChunkEndThenLF() {
        let events = Self.parse([Array("data: a\r".utf8), Array("\ndata: b\r".utf8), Array("\n\r".utf8), Array("\n".utf8)])
        #expect(events == [SSEEvent(data: "a\nb")])
    }

    @Test func emptyChunksDoNotLoseAPendingCR() {
        let events = Self.parse([Array("data: a\r".utf8), [], Array("\n\n".utf8)])
        #expect(events == [SSEEvent(data: "a")])
    }

    @Test func finishReportsLeftovers() throws {
        var parser = SSEParser()
        try parser.parse(Array("data: a\n".utf8)) { _ in }
        let leftover = parser.finish()
        #expect(leftover)
        try parser.parse(Array("data: a\n\n".utf8)) { _ in }
        let clean = parser.finish()
        #expect(!clean)
    }

    /// An event, or a line, over the cap is a typed error, however the chunks fall; one just under it passes.
    @Test(arguments: [1, 7, 4096])
    func anEventOverTheCapIsATypedError(chunkSize: Int) throws {
        func feed(_ text: String) throws -> Int {
            var parser = SSEParser(maximumEventSize: 100)
            var events = 0
            let bytes = Array(text.utf8)
            for start in stride(from: 0, to: bytes.count, by: chunkSize) {
                try parser.parse(bytes[start..<min(start + chunkSize, bytes.count)]) { _ in events += 1 }
            }
            return events
        }
        #expect(try feed("data: " + String(repeating: "x", count: 100) + "\n\n") == 1)
        #expect(throws: StreamLimitError("an SSE event", limit: 100)) {
            try feed("data: " + String(repeating: "x", count: 60) + "\ndata: " + String(repeating: "y", count: 60) + "\n\n")
        }
        #expect(throws: StreamLimitError.self) { try feed(String(repeating: "z", count: 500)) }
    }

    /// Found by the `FuzzSSE` fuzz target (Tests/Fuzz/Corpus/FuzzSSE/regression-no-limit-overflow): a parser with
    /// no limit (`maximumEventSize: .max`) trapped on `Int.max + 16` as soon as a chunk ended inside a line.
    @Test func noLimitDoesNotOverflowWhenAChunkEndsInsideALine() throws {
        var parser = SSEParser(maximumEventSize: .max)
        var events: [SSEEvent] = []
        try parser.parse([0xFF]) { events.append($0) }
        try parser.parse(Array(": comment\ndata: a".utf8)) { events.append($0) }
        try parser.parse(Array("b\n\n".utf8)) { events.append($0) }
        #expect(events == [SSEEvent(data: "ab")])
    }

    static let endings = ["\n", "\r\n", "\r"]

    /// The documented Anthropic streamed tool call, with each line-ending style, split at every byte offset
    /// (and at every pair of offsets three bytes apart), gives the same events as parsing it whole.
    @Test(arguments: endings)
    func documentedToolCallSplitAnywhere(_ ending: String) {
        let text = Fixtures.anthropicToolCall.replacingOccurrences(of: "\n", with: ending)
        let bytes = Array(text.utf8)
        let whole = Self.parse([bytes])
        #expect(whole.count == 14)
        #expect(whole.first?.type == "message_start")
        for offset in 0...bytes.count {
            let events = Self.parse(split(bytes, at: [offset]))
            if events != whole {
                Issue.record("split at \(offset) differs")
                return
            }
        }
        for offset in stride(from: 0, to: bytes.count, by: 7) {
            #expect(Self.parse(split(bytes, at: [offset, offset + 3])) == whole)
        }
    }

    @Test func splitInsideUTF8() {
        let bytes = Array("data: 🌍é\n\n".utf8)
        for offset in 0...bytes.count {
            #expect(Self.parse(split(bytes, at: [offset])) == [SSEEvent(data: "🌍é")])
        }
    }
}
