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


@Suite struct NDJSONLimitTests {
    @Test(arguments: [1, 5, 4096])
    func aLineOverTheCapIsATypedError(chunkSize: Int) throws {
        func feed(_ text: String) throws -> Int {
            var reader = NDJSONReader(maximumLineSize: 40)
            var values = 0
            let bytes = Array(text.utf8)
            for start in stride(from: 0, to: bytes.count, by: chunkSize) {
                try reader.read(bytes[start..<min(start + chunkSize, bytes.count)]) { _ in values += 1 }
            }
            try reader.finish { _ in values += 1 }
            return values
        }
        #expect(try feed("{\"a\":\"" + String(repeating: "x", count: 30) + "\"}\n{}\n") == 2)
        #expect(throws: StreamLimitError("an NDJSON line", limit: 40)) {
            try feed("{\"a\":\"" + String(repeating: "x", count: 60) + "\"}\n")
        }
        #expect(throws: StreamLimitError.self) { try feed(String(repeating: "y", count: 100)) }
    }
}
