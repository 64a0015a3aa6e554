/// A NATS server address: `nats://[user:password@ | token@]host[:port]` (port 4222 by default).
///
/// User, password and token may be percent-encoded. IPv6 hosts go in brackets (`nats://[::1]:4222`).
/// ``description`` never shows credentials, so it is safe in errors and logs.
public struct NATSURL: Sendable, Hashable, CustomStringConvertible {
    public static let defaultPort = 4222

    public var host: String
    public var port: Int
    public var user: String?
    public var password: String?
    public var token: String?

    public init(host: String, port: Int = NATSURL.defaultPort, user: String? = nil, password: String? = nil,
                token: String? = nil) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.token = token
    }

    /// Parses `text`; throws ``NATSError/Code/invalidURL`` saying what is wrong.
    public init(_ text: String) throws(NATSError) {
        func fail(_ why: String) -> NATSError {
            NATSError(.invalidURL, "invalid NATS URL \(Self.redacted(text).debugDescription): \(why)")
        }
        guard let schemeEnd = text.range(of: "://") else { throw fail("expected nats://host[:port]") }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "nats" else {
            throw fail(scheme == "tls" || scheme == "wss" || scheme == "ws"
                       ? "scheme '\(scheme)' is not supported (only nats://)" : "unknown scheme '\(scheme)'")
        }
        var rest = text[schemeEnd.upperBound...]
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.contains("/"), !rest.contains("?"), !rest.contains("#") else {
            throw fail("a path, query or fragment is not allowed")
        }
        var user: String?, password: String?, token: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                guard let u = Self.percentDecoded(credentials[..<colon]),
                      let p = Self.percentDecoded(credentials[credentials.index(after: colon)...])
                else { throw fail("bad percent-encoding in credentials") }
                guard !u.isEmpty else { throw fail("empty user name") }
                (user, password) = (u, p)
            } else {
                guard let t = Self.percentDecoded(credentials), !t.isEmpty else { throw fail("empty or badly encoded token") }
                token = t
            }
        }
        var host: Substring, portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw fail("unclosed '[' in IPv6 host") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw fail("unexpected text after ']'") }
                portText = after.dropFirst()
            }
        } else if let colon = rest.firstIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty else { throw fail("missing host") }
        guard !host.contains(where: { $0.isWhitespace || $0 == "@" }) else { throw fail("malformed host") }
        var port = Self.defaultPort
        if let portText {
            guard let p = Int(portText), (1...65535).contains(p) else { throw fail("port must be 1…65535") }
            port = p
        }
        self.init(host: String(host), port: port, user: user, password: password, token: token)
    }

    /// `nats://host:port`, without credentials.
    public var description: String {
        "nats://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }

    /// `text` with anything before an `@` masked, for error messages.
    static func redacted(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://"), let at = text.lastIndex(of: "@"), at > schemeEnd.upperBound
        else { return text }
        return String(text[..<schemeEnd.upperBound]) + "***" + String(text[at...])
    }

    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var i = text.utf8.startIndex
        let utf8 = text.utf8
        while i < utf8.endIndex {
            let byte = utf8[i]
            if byte == UInt8(ascii: "%") {
                let h = utf8.index(after: i)
                guard h < utf8.endIndex, utf8.index(after: h) < utf8.endIndex,
                      let value = UInt8(String(decoding: utf8[h...utf8.index(after: h)], as: UTF8.self), radix: 16)
                else { return nil }
                bytes.append(value)
                i = utf8.index(h, offsetBy: 2)
            } else {
                bytes.append(byte)
                i = utf8.index(after: i)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
