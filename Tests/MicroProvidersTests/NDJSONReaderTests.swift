import Micro
import Testing

@testable import MicroProviders

@Suite struct NDJSONReaderTests {
    static func read(_ chunks: [[UInt8]]) throws -> [JSONValue] {
        var reader = NDJSONReader()
        var values: [JSONValue] = []
        for chunk in chunks { try reader.read(chunk) { values.append($0) } }
        try reader.finish { values.append($0) }
        return values
    }

    @Test func readsLinesSplitAnywhere() throws {
        let bytes = Array("{\"a\":1}\r\n\n{\"b\":\"é\"}\n[2]".utf8)
        let whole = try Self.read([bytes])
        #expect(whole == [["a": 1], ["b": "é"], [2]])
        for offset in 0...bytes.count {
            #expect(try Self.read(split(bytes, at: [offset])) == whole)
        }
    }

    @Test func reportsTheLineOfBadJSON() {
        #expect {
            _ = try Self.read([Array("{\"a\":1}\n\n{\"b\":}\n".utf8)])
        } throws: { error in
            guard let error = error as? NDJSONError else { return false }
            return error.line == 3 && error.description.contains("line 3")
        }
    }
}

