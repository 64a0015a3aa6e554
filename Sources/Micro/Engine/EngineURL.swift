/// The parts of an engine's address, `scheme://[user[:password]@]host[:port][/path][?name=value&…]`, parsed
/// one way for every backend (NATS, etcd, PostgreSQL). Each backend then checks what it allows (its
/// schemes, whether a path or credentials may appear) and reports problems as its own typed error.
///
/// User, password and path are percent-decoded; an IPv6 host goes in brackets (`[::1]`) and is stored
/// without them. A fragment is never allowed. Nothing here is shown with its password: use
/// ``redacted(_:)`` for a text that did not parse and ``authority`` for one that did.
public struct EngineURL: Sendable, Hashable {
    /// One `name=value` of the query, decoded, in order.
    public struct QueryItem: Sendable, Hashable {
        public var name: String
        public var value: String
    }

    /// Lowercased.
    public var scheme: String
    public var user: String?
    /// nil when the user info has no `:` (NATS reads a lone user as a token); `""` for `user:@host`.
    public var password: String?
    public var host: String
    public var port: Int?
    /// Everything after the authority up to `?`, decoded: `""`, `"/"`, `"/database"`, ….
    public var path: String
    public var query: [QueryItem]
    /// Whether the URL has a `?` at all (an empty query, `host?`, is still one: engines without options refuse it).
    public var hasQuery: Bool

    /// Parses `text`; throws ``EngineURLError`` saying what is wrong (never quoting the password).
    public init(_ text: String) throws(EngineURLError) {
        guard let schemeEnd = text.firstRange(of: "://") else { throw EngineURLError("expected scheme://host") }
        let scheme = text[..<schemeEnd.lowerBound]
        guard let first = scheme.first, first.isLetter, scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }) else {
            throw EngineURLError("malformed scheme \(String(scheme).debugDescription)")
        }
        var rest = text[schemeEnd.upperBound...]
        guard !rest.contains("#") else { throw EngineURLError("a fragment (#…) is not allowed") }
        var queryText: Substring?
        if let mark = rest.firstIndex(of: "?") {
            queryText = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        guard let path = Self.percentDecoded(rest[authorityEnd...]) else { throw EngineURLError("malformed percent-encoding in the path") }

        var user: String?, password: String?
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            let colon = userInfo.firstIndex(of: ":")
            guard let decoded = Self.percentDecoded(colon.map { userInfo[..<$0] } ?? userInfo) else {
                throw EngineURLError("malformed percent-encoding in the user name")
            }
            user = decoded
            if let colon {
                guard let decoded = Self.percentDecoded(userInfo[userInfo.index(after: colon)...]) else {
                    throw EngineURLError("malformed percent-encoding in the password")
                }
                password = decoded
            }
        }

        var host: Substring, portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw EngineURLError("unclosed [ in an IPv6 host") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            guard host.contains(":"), host.allSatisfy({ $0.isHexDigit || ":.%".contains($0) }) else {
                throw EngineURLError("malformed IPv6 host \(String(host).debugDescription)")
            }
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw EngineURLError("unexpected text after the IPv6 host") }
                portText = after.dropFirst()
            }
        } else {
            if let colon = authority.firstIndex(of: ":") {
                host = authority[..<colon]
                portText = authority[authority.index(after: colon)...]
            } else {
                host = authority
            }
            guard host.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || ".-_".contains($0) }) else {
                throw EngineURLError("malformed host \(String(host).debugDescription)")
            }
        }
        guard !host.isEmpty else { throw EngineURLError("no host") }
        var port: Int?
        if let portText {
            guard let number = Int(portText), (1...65535).contains(number) else {
                throw EngineURLError("port must be a number from 1 to 65535, not \(String(portText).debugDescription)")
            }
            port = number
        }

        var query: [QueryItem] = []
        for pair in (queryText ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, let name = Self.percentDecoded(parts[0]),
                  let value = Self.percentDecoded(parts[1]) else {
                throw EngineURLError("query item \(String(pair).debugDescription) is not name=value")
            }
            query.append(QueryItem(name: name, value: value))
        }
        self.scheme = scheme.lowercased()
        self.user = user
        self.password = password
        self.host = String(host)
        self.port = port
        self.path = path
        self.query = query
        self.hasQuery = queryText != nil
    }

    /// `host:port` as written in a URL (IPv6 in brackets), with `defaultPort` when the URL has none.
    public func authority(defaultPort: Int) -> String { Self.authority(host: host, port: port ?? defaultPort) }

    /// `host:port` as written in a URL: an IPv6 host in brackets (once).
    public static func authority(host: String, port: Int) -> String {
        "\(host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host):\(port)"
    }

    /// `text` with its user info masked (`scheme://***@host…`), for messages about a URL that did not parse.
    public static func redacted(_ text: String) -> String {
        guard let schemeEnd = text.firstRange(of: "://") else { return text.contains("@") ? "(unparsable URL)" : text }
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return text }
        return String(text[..<schemeEnd.upperBound]) + "***" + String(text[at...])
    }

    /// `text` with `%XX` decoded; nil on a malformed escape or invalid UTF-8.
    public static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        let utf8 = text.utf8
        var i = utf8.startIndex
        while i < utf8.endIndex {
            if utf8[i] == UInt8(ascii: "%") {
                let high = utf8.index(after: i)
                guard high < utf8.endIndex, utf8.index(after: high) < utf8.endIndex,
                      let value = UInt8(String(decoding: utf8[high...utf8.index(after: high)], as: UTF8.self), radix: 16)
                else { return nil }
                bytes.append(value)
                i = utf8.index(high, offsetBy: 2)
            } else {
                bytes.append(utf8[i])
                i = utf8.index(after: i)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// `text` percent-encoded outside the unreserved characters (letters, digits, `-._~`).
    public static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            if byte < 0x80, Character(scalar).isLetter || Character(scalar).isNumber || "-._~".unicodeScalars.contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else {
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }
}

/// Why a text is not an ``EngineURL``; backends wrap it in their own typed error (`invalidURL`).
public struct EngineURLError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
