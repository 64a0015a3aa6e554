import Foundation

/// Where an etcd server's v3 JSON gateway is: `http[s]://[user:password@]host[:port]` (port 2379 by default).
public struct EtcdURL: Sendable, Hashable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int
    /// For etcd authentication (`/v3/auth/authenticate`), when the URL carries them.
    public var user: String?
    public var password: String?

    /// Parses `text`; throws ``EtcdError/Code/invalidURL`` saying what is wrong.
    public init(_ text: String) throws {
        func fail(_ why: String) -> EtcdError {
            EtcdError(.invalidURL, "malformed etcd URL \(text.debugDescription): \(why)")
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw fail("expected http://host:port")
        }
        guard scheme == "http" || scheme == "https" else { throw fail("scheme must be http or https, not \(scheme)") }
        guard let host = components.host, !host.isEmpty else { throw fail("no host") }
        guard components.path.isEmpty || components.path == "/" else {
            throw fail("unexpected path \(components.path) (the gateway lives at the root)")
        }
        guard components.query == nil, components.fragment == nil else { throw fail("unexpected query or fragment") }
        let port = components.port ?? 2379
        guard (1...65535).contains(port) else { throw fail("port \(port) out of range") }
        self.scheme = scheme
        self.host = host
        self.port = port
        self.user = components.user?.removingPercentEncoding ?? components.user
        self.password = components.password?.removingPercentEncoding ?? components.password
        if user != nil && password == nil { throw fail("a user without a password") }
    }

    /// The gateway's base, without credentials: `http://host:port`.
    public var base: String {
        let shown = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(scheme)://\(shown):\(port)"
    }

    /// The URL as shown in messages (credentials removed).
    public var description: String { base }
}
