import Micro

/// Where an etcd server's v3 JSON gateway is: `http[s]://[user:password@]host[:port]` (port 2379 by default;
/// `etcd://` means `http://`).
public struct EtcdURL: Sendable, Hashable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int
    /// For etcd authentication (`/v3/auth/authenticate`), when the URL carries them.
    public var user: String?
    public var password: String?

    /// Parses `text` (with ``EngineURL``; `etcd://` is read as `http://`); throws ``EtcdError/Code/invalidURL``
    /// saying what is wrong.
    public init(_ text: String) throws {
        func fail(_ why: String) -> EtcdError {
            EtcdError(.invalidURL, "malformed etcd URL \(EngineURL.redacted(text).debugDescription): \(why)")
        }
        let url: EngineURL
        do {
            url = try EngineURL(text)
        } catch {
            throw fail(text.contains("://") ? error.reason : "expected http://host:port")
        }
        guard ["http", "https", "etcd"].contains(url.scheme) else { throw fail("scheme must be http, https or etcd, not \(url.scheme)") }
        guard url.path.isEmpty || url.path == "/" else { throw fail("unexpected path \(url.path) (the gateway lives at the root)") }
        guard !url.hasQuery else { throw fail("unexpected query") }
        if url.user != nil && url.password == nil { throw fail("a user without a password") }
        self.scheme = url.scheme == "etcd" ? "http" : url.scheme
        self.host = url.host
        self.port = url.port ?? 2379
        self.user = url.user
        self.password = url.password
    }

    /// The gateway's base, without credentials: `http://host:port`.
    public var base: String {
        "\(scheme)://\(EngineURL.authority(host: host, port: port))"
    }

    /// The URL as shown in messages (credentials removed).
    public var description: String { base }
}
