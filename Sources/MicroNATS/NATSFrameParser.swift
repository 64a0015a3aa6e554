import Micro

/// An incremental, bounded parser of the server-to-client byte stream.
///
/// Feed chunks with ``append(_:)`` as they arrive (a frame may be split anywhere) and take frames with
/// ``next()`` until it returns nil. A control line longer than ``maxControlLine``, a message larger than
/// ``maxPayload`` (updated from each `INFO`), or malformed bytes throw a ``NATSError`` — never a crash;
/// after an error the parser should be dropped with its connection.
struct NATSFrameParser {
    /// The hard ceiling nats-server allows for `max_payload`, used until the server's INFO says less.
    static let payloadCeiling = 64 * 1024 * 1024

    var maxControlLine: Int
    var maxPayload: Int
    private var buffer: [UInt8] = []
    private var start = 0
    /// Where to resume looking for CRLF in an incomplete line.
    private var scanned = 0

    init(maxControlLine: Int = 32 * 1024, maxPayload: Int = payloadCeiling) {
        self.maxControlLine = maxControlLine
        self.maxPayload = maxPayload
    }

    /// Bytes received but not yet returned as frames.
    var bufferedByteCount: Int { buffer.count - start }

    mutating func append(_ bytes: some Sequence<UInt8>) {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            scanned -= start
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame, or nil when more bytes are needed.
    mutating func next() throws(NATSError) -> NATSFrame? {
        guard let lineEnd = findCRLF() else {
            if buffer.count - start > maxControlLine {
                throw NATSError(.protocolError, "control line longer than \(maxControlLine) bytes")
            }
            return nil
        }
        if lineEnd - start > maxControlLine {
            throw NATSError(.protocolError, "control line longer than \(maxControlLine) bytes")
        }
        let line = buffer[start..<lineEnd]
        let afterLine = lineEnd + 2
        let (op, args) = Self.split(line)
        switch op {
        case "MSG", "HMSG":
            let message = try parseMessageLine(op: op, args: args)
            return try readMessage(message, op: op, from: afterLine)
        case "PING":
            consume(to: afterLine)
            return .ping
        case "PONG":
            consume(to: afterLine)
            return .pong
        case "+OK":
            consume(to: afterLine)
            return .ok
        case "-ERR":
            var text = args.joined(separator: " ")
            if text.hasPrefix("'") && text.hasSuffix("'") && text.count >= 2 { text = String(text.dropFirst().dropLast()) }
            consume(to: afterLine)
            return .error(text)
        case "INFO":
            let json: JSONValue
            do {
                json = try JSONValue(parsing: line.drop(while: { $0 != UInt8(ascii: " ") }))
            } catch {
                throw NATSError(.protocolError, "INFO carries malformed JSON", underlying: error)
            }
            let info = try NATSServerInfo(json: json)
            consume(to: afterLine)
            maxPayload = min(info.maxPayload, Self.payloadCeiling)
            return .info(info)
        default:
            throw NATSError(.protocolError, "unknown operation \(Self.printable(line))")
        }
    }

    private struct MessageLine {
        var subject: String
        var sid: UInt64
        var replyTo: String?
        var headerSize: Int?
        var totalSize: Int
    }

    private func parseMessageLine(op: String, args: [String]) throws(NATSError) -> MessageLine {
        let hasHeaders = op == "HMSG"
        let sizes = hasHeaders ? 2 : 1
        guard args.count == 2 + sizes || args.count == 3 + sizes else {
            throw NATSError(.protocolError, "malformed \(op) line: expected \(2 + sizes) or \(3 + sizes) fields, got \(args.count)")
        }
        guard let sid = UInt64(args[1]) else { throw NATSError(.protocolError, "malformed \(op) sid \(args[1].debugDescription)") }
        let reply = args.count == 3 + sizes ? args[2] : nil
        let numbers = args.suffix(sizes).map { Int($0) }
        guard numbers.allSatisfy({ $0 != nil && $0! >= 0 }) else {
            throw NATSError(.protocolError, "malformed \(op) size in \(args.joined(separator: " ").debugDescription)")
        }
        let total = numbers.last!!
        let headerSize = hasHeaders ? numbers.first! : nil
        if let headerSize, headerSize > total {
            throw NATSError(.protocolError, "HMSG header size \(headerSize) exceeds total size \(total)")
        }
        if total > maxPayload {
            throw NATSError(.payloadTooLarge, "\(op) of \(total) bytes on \(args[0]) exceeds max_payload \(maxPayload)")
        }
        return MessageLine(subject: args[0], sid: sid, replyTo: reply, headerSize: headerSize, totalSize: total)
    }

    private mutating func readMessage(_ line: MessageLine, op: String, from bodyStart: Int)
        throws(NATSError) -> NATSFrame? {
        let end = bodyStart + line.totalSize
        guard buffer.count >= end + 2 else { return nil }
        guard buffer[end] == 13, buffer[end + 1] == 10 else {
            throw NATSError(.protocolError, "\(op) on \(line.subject) is not followed by CRLF after \(line.totalSize) bytes")
        }
        let headerEnd = bodyStart + (line.headerSize ?? 0)
        let message = NATSInboundMessage(
            subject: line.subject, sid: line.sid, replyTo: line.replyTo,
            headerBlock: line.headerSize.map { _ in Array(buffer[bodyStart..<headerEnd]) },
            payload: Array(buffer[headerEnd..<end]))
        consume(to: end + 2)
        return .message(message)
    }

    private mutating func consume(to index: Int) {
        start = index
        scanned = index
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
            scanned = 0
        }
    }

    /// The index of the CR of the first CRLF at or after `start`.
    private mutating func findCRLF() -> Int? {
        var i = max(scanned, start)
        while i + 1 < buffer.count {
            if buffer[i] == 13 && buffer[i + 1] == 10 { return i }
            i += 1
        }
        scanned = max(start, buffer.count - 1)
        return nil
    }

    /// The operation (upper-cased) and its space- or tab-separated arguments.
    private static func split(_ line: ArraySlice<UInt8>) -> (String, [String]) {
        let fields = line.split(whereSeparator: { $0 == 32 || $0 == 9 }).map { String(decoding: $0, as: UTF8.self) }
        return ((fields.first ?? "").uppercased(), Array(fields.dropFirst()))
    }

    private static func printable(_ line: ArraySlice<UInt8>) -> String {
        String(decoding: line.prefix(40), as: UTF8.self).debugDescription
    }
}
