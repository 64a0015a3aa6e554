import Micro

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

    /// Parses `text` (with ``EngineURL``); throws ``NATSError/Code/invalidURL`` saying what is wrong.
    public init(_ text: String) throws(NATSError) {
        func fail(_ why: String) -> NATSError {
            NATSError(.invalidURL, "invalid NATS URL \(EngineURL.redacted(text).debugDescription): \(why)")
        }
        let url: EngineURL
        do {
            url = try EngineURL(text)
        } catch {
            throw fail(text.contains("://") ? error.reason : "expected nats://host[:port]")
        }
        guard url.scheme == "nats" else {
            throw fail(["tls", "wss", "ws"].contains(url.scheme)
                       ? "scheme '\(url.scheme)' is not supported (only nats://)" : "unknown scheme '\(url.scheme)'")
        }
        guard url.path.isEmpty || url.path == "/", !url.hasQuery else { throw fail("a path, query or fragment is not allowed") }
        var user: String?, password: String?, token: String?
        if let name = url.user {
            if let secret = url.password {
                guard !name.isEmpty else { throw fail("empty user name") }
                (user, password) = (name, secret)
            } else {
                guard !name.isEmpty else { throw fail("empty or badly encoded token") }
                token = name
            }
        }
        self.init(host: url.host, port: url.port ?? Self.defaultPort, user: user, password: password, token: token)
    }

    /// `nats://host:port`, without credentials.
    public var description: String {
        "nats://\(EngineURL.authority(host: host, port: port))"
    }
}
