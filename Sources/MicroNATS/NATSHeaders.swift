/// The `NATS/1.0` header block of HPUB/HMSG, as a string dictionary.
///
/// Lines are `Key: value`; one space after the colon is dropped on decode, so values round-trip exactly.
/// Keys are written in sorted order, so the same headers always give the same bytes.
enum NATSHeaders {
    static let versionLine = "NATS/1.0"

    /// The header block for `headers`, ending in the blank line. Throws a description of the first header
    /// NATS cannot carry (a key with a colon, whitespace or control character; a value with CR or LF).
    static func encode(_ headers: [String: String]) throws(HeaderProblem) -> [UInt8] {
        var bytes = Array("\(versionLine)\r\n".utf8)
        for key in headers.keys.sorted() {
            let value = headers[key]!
            guard !key.isEmpty, key.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 && $0 != ":" }) else {
                throw HeaderProblem(description: "header name \(key.debugDescription) must be printable ASCII without ':' or spaces")
            }
            // Unicode scalars, not Characters: "\r\n" is one Character and equals neither "\r" nor "\n".
            guard !value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                throw HeaderProblem(description: "header \(key) has a line break in its value")
            }
            bytes += Array("\(key): \(value)\r\n".utf8)
        }
        bytes += [13, 10]
        return bytes
    }

    /// The headers of a received block (a status such as `NATS/1.0 503` is ignored; repeated keys: last wins).
    static func decode(_ block: [UInt8]) throws(NATSError) -> [String: String] {
        let text = String(decoding: block, as: UTF8.self)
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: true)
        guard let first = lines.first, first.hasPrefix(versionLine) else {
            throw NATSError(.protocolError, "header block does not start with \(versionLine)")
        }
        lines.removeFirst()
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else {
                throw NATSError(.protocolError, "malformed header line \(String(line.prefix(40)).debugDescription)")
            }
            var value = line[line.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
            headers[String(line[..<colon])] = String(value)
        }
        return headers
    }

    struct HeaderProblem: Error, CustomStringConvertible {
        var description: String
    }
}
