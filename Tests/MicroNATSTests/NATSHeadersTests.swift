@testable import MicroNATS
import Testing

@Suite struct NATSHeadersTests {
    @Test func roundTripKeepsValuesExactly() throws {
        let headers = ["Micro-Id": "m-1", "trace": "t-1", "spaced": "  two leading", "empty": "", "colon": "a:b"]
        let block = try NATSHeaders.encode(headers)
        #expect(String(decoding: block, as: UTF8.self).hasPrefix("NATS/1.0\r\nMicro-Id: m-1\r\n"))
        #expect(try NATSHeaders.decode(block) == headers)
    }

    @Test("headers NATS cannot carry are rejected", arguments: [["a b": "x"], ["a:b": "x"], ["": "x"], ["k": "x\r\ny"]])
    func rejected(_ headers: [String: String]) {
        #expect(throws: NATSHeaders.HeaderProblem.self) { try NATSHeaders.encode(headers) }
    }

    @Test func statusLineIsAccepted() throws {
        #expect(try NATSHeaders.decode(Array("NATS/1.0 503\r\n\r\n".utf8)) == [:])
        #expect(throws: NATSError.self) { try NATSHeaders.decode(Array("HTTP/1.1\r\n\r\n".utf8)) }
    }
}
