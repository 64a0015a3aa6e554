/// Where a PostgreSQL database is and how to log in, parsed from a URL:
/// `postgres://user[:password]@host[:port]/database[?sslmode=disable|prefer|require]`
/// (`postgresql://` too; percent-encoded user, password and database; IPv6 hosts in brackets).
///
/// ``description`` and every error name the server without the password.
public struct PostgresConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// Whether the connection uses TLS (libpq's `sslmode` values that apply without certificates).
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS if the server offers it, else plain TCP (libpq's default).
        case prefer
        /// TLS, or fail.
        case require
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    public init(host: String, port: Int = 5432, user: String, password: String? = nil, database: String, tls: TLSMode = .prefer) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.tls = tls
    }

    /// Parses `url`; throws ``PostgresError/Code/invalidURL`` saying what is wrong (never echoing a password).
    public init(url: String) throws(PostgresError) {
        func invalid(_ reason: String) -> PostgresError {
            PostgresError(.invalidURL, "invalid PostgreSQL URL \(Self.redacting(url)): \(reason)")
        }
        guard let schemeEnd = url.firstRange(of: "://") else { throw invalid("expected postgres://user@host/database") }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw invalid("scheme must be postgres or postgresql, not \(scheme.debugDescription)")
        }
        var rest = Substring(url[schemeEnd.upperBound...])
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        guard let slash = rest.firstIndex(of: "/") else { throw invalid("no database (expected …/database)") }
        let authority = rest[..<slash]
        guard let database = Self.decode(rest[rest.index(after: slash)...]), !database.isEmpty, !database.contains("/") else {
            throw invalid("no database name, or a malformed one, after the host")
        }
        guard let at = authority.lastIndex(of: "@") else { throw invalid("no user (expected user@host)") }
        let userInfo = authority[..<at]
        let hostPort = authority[authority.index(after: at)...]
        let userPart = userInfo.firstIndex(of: ":").map { userInfo[..<$0] } ?? userInfo
        guard let user = Self.decode(userPart), !user.isEmpty else { throw invalid("empty or malformed user name") }
        var password: String?
        if let colon = userInfo.firstIndex(of: ":") {
            guard let decoded = Self.decode(userInfo[userInfo.index(after: colon)...]) else {
                throw invalid("malformed percent-encoding in the password")
            }
            password = decoded
        }
        let (host, port) = try Self.hostAndPort(hostPort, invalid)
        var tls = TLSMode.prefer
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw invalid("query item \(String(pair).debugDescription) is not name=value") }
            switch parts[0] {
            case "sslmode":
                guard let mode = TLSMode(rawValue: String(parts[1])) else {
                    throw invalid("sslmode must be one of disable, prefer, require, not \(String(parts[1]).debugDescription)")
                }
                tls = mode
            default:
                throw invalid("unsupported query parameter \(String(parts[0]).debugDescription) (only sslmode)")
            }
        }
        self.init(host: host, port: port, user: user, password: password, database: database, tls: tls)
    }

    /// The URL without the password: `postgres://user@host:port/database`.
    public var description: String {
        let host = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(Self.encode(user))@\(host):\(port)/\(Self.encode(database))"
    }

    // MARK: Parsing

    private static func hostAndPort(
        _ text: Substring, _ invalid: (String) -> PostgresError
    ) throws(PostgresError) -> (String, Int) {
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw invalid("unclosed [ in an IPv6 host") }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("unexpected text after the IPv6 host") }
                portText = after.dropFirst()
            }
        } else if let colon = text.firstIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            host = text
        }
        guard !host.isEmpty else { throw invalid("no host") }
        guard host.allSatisfy({ $0.isLetter || $0.isNumber || ".-_:".contains($0) }) else {
            throw invalid("malformed host \(String(host).debugDescription)")
        }
        guard let portText else { return (String(host), 5432) }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw invalid("port must be a number from 1 to 65535, not \(String(portText).debugDescription)")
        }
        return (String(host), port)
    }

    /// `text` with `%XX` decoded; nil on a malformed escape or invalid UTF-8.
    static func decode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var i = text.utf8.startIndex
        let utf8 = text.utf8
        while i < utf8.endIndex {
            let byte = utf8[i]
            if byte == UInt8(ascii: "%") {
                let h = utf8.index(after: i)
                guard h < utf8.endIndex, utf8.index(after: h) < utf8.endIndex,
                    let value = UInt8(String(decoding: [utf8[h], utf8[utf8.index(after: h)]], as: UTF8.self), radix: 16)
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

    /// `text` percent-encoded outside unreserved characters.
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if byte < 0x80, c.isLetter || c.isNumber || "-._~".contains(c) {
                out.append(c)
            } else {
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }

    /// `url` with any password replaced by `***`, for messages about a URL that did not parse.
    static func redacting(_ url: String) -> String {
        guard let schemeEnd = url.firstRange(of: "://") else { return url.contains("@") ? "(unparsable URL)" : url.debugDescription }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else {
            return url.debugDescription
        }
        return (url[..<colon] + ":***" + url[at...]).debugDescription
    }
}
