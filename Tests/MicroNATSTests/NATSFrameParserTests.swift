@testable import MicroNATS
import Testing

@Suite struct NATSFrameParserTests {
    static let info = #"INFO {"server_id":"S1","version":"2.9.10","proto":1,"headers":true,"max_payload":64}"# + "\r\n"
    static let stream = info + "PING\r\nMSG a.b 7 5\r\nhello\r\n+OK\r\nHMSG a.c 8 _INBOX.1 18 21\r\nNATS/1.0\r\nk: v\r\n\r\nabc\r\n-ERR 'Unknown Protocol Operation'\r\nPONG\r\n"
    static let frames: [NATSFrame] = [
        .info(NATSServerInfo(serverID: "S1", version: "2.9.10", proto: 1, maxPayload: 64, headers: true)),
        .ping,
        .message(NATSInboundMessage(subject: "a.b", sid: 7, replyTo: nil, headerBlock: nil, payload: Array("hello".utf8))),
        .ok,
        .message(NATSInboundMessage(subject: "a.c", sid: 8, replyTo: "_INBOX.1",
                                    headerBlock: Array("NATS/1.0\r\nk: v\r\n\r\n".utf8), payload: Array("abc".utf8))),
        .error("Unknown Protocol Operation"),
        .pong,
    ]

    private func parse(_ chunks: [[UInt8]], parser: inout NATSFrameParser) throws -> [NATSFrame] {
        var frames: [NATSFrame] = []
        for chunk in chunks {
            parser.append(chunk)
            while let frame = try parser.next() { frames.append(frame) }
        }
        return frames
    }

    @Test("frames split at any chunk size parse the same", arguments: [1, 2, 3, 7, 16, 1000])
    func chunked(size: Int) throws {
        let bytes = Array(Self.stream.utf8)
        let chunks = stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<min($0 + size, bytes.count)]) }
        var parser = NATSFrameParser()
        #expect(try parse(chunks, parser: &parser) == Self.frames)
        #expect(parser.bufferedByteCount == 0)
    }

    @Test func incompleteMessageWaitsForMoreBytes() throws {
        var parser = NATSFrameParser()
        parser.append(Array("MSG s 1 10\r\n01234".utf8))
        #expect(try parser.next() == nil)
        parser.append(Array("56789\r\n".utf8))
        #expect(try parser.next() == .message(NATSInboundMessage(subject: "s", sid: 1, payload: Array("0123456789".utf8))))
    }

    @Test func payloadLargerThanServerLimitIsTyped() throws {
        var parser = NATSFrameParser()
        parser.append(Array((Self.info + "MSG s 1 65\r\n").utf8))
        _ = try parser.next()
        #expect(parser.maxPayload == 64)
        let error = #expect(throws: NATSError.self) { try parser.next() }
        #expect(error?.code == .payloadTooLarge)
    }

    @Test func overlongControlLineIsTyped() throws {
        var parser = NATSFrameParser(maxControlLine: 100)
        parser.append([UInt8](repeating: UInt8(ascii: "A"), count: 101))
        let error = #expect(throws: NATSError.self) { try parser.next() }
        #expect(error?.code == .protocolError)
    }

    @Test("garbage is a typed protocol error", arguments: [
        "HELLO world\r\n", "MSG a.b\r\n", "MSG a.b x 3\r\nabc\r\n", "MSG a.b 1 -3\r\n", "MSG a.b 1 3\r\nabcde\r\n",
        "HMSG a 1 9 3\r\n", "INFO {not json}\r\n", "INFO []\r\n", "INFO {\"version\":\"2\"}\r\n",
    ])
    func garbage(_ text: String) throws {
        var parser = NATSFrameParser()
        parser.append(Array(text.utf8))
        let error = #expect(throws: NATSError.self) { while try parser.next() != nil {} }
        #expect(error?.code == .protocolError)
    }

    @Test func serverErrorsAreClassified() {
        #expect(NATSError(serverError: "Authorization Violation").code == .authorizationFailed)
        #expect(NATSError(serverError: "Maximum Payload Violation").code == .payloadTooLarge)
        #expect(NATSError(serverError: "Permissions Violation for Publish to \"x\"").code == .permissionDenied)
        #expect(NATSError(serverError: "Stale Connection").isRetryable)
        #expect(NATSError(serverError: "Unknown Protocol Operation").code == .serverError)
    }
}

extension NATSInboundMessage {
    init(subject: String, sid: UInt64, payload: [UInt8]) {
        self.init(subject: subject, sid: sid, replyTo: nil, headerBlock: nil, payload: payload)
    }
}
