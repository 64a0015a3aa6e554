/// How an ``EtcdRegistry`` reaches etcd and where it keeps its keys.
public struct EtcdConfiguration: Sendable, Hashable {
    public var url: EtcdURL
    /// Every key of the registry starts with this (default `/micro/registry/`).
    public var prefix: String
    /// Limit for one unary request.
    public var requestTimeout: Duration
    /// How often a request that failed because etcd was unreachable is tried in all (≥ 1).
    public var attempts: Int
    /// The first pause between attempts (and watch reconnects); it doubles up to ``maximumBackoff``.
    public var initialBackoff: Duration
    public var maximumBackoff: Duration

    /// Parses `url` (throws ``EtcdError/Code/invalidURL``).
    public init(
        _ url: String, prefix: String = "/micro/registry/", requestTimeout: Duration = .seconds(10), attempts: Int = 4,
        initialBackoff: Duration = .milliseconds(100), maximumBackoff: Duration = .seconds(2)
    ) throws {
        self.url = try EtcdURL(url)
        self.prefix = prefix.hasSuffix("/") ? prefix : prefix + "/"
        self.requestTimeout = requestTimeout
        self.attempts = max(1, attempts)
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
    }

    /// The pause before retry number `attempt` (1-based): doubling from ``initialBackoff``, capped.
    public func backoff(attempt: Int) -> Duration {
        var pause = initialBackoff
        for _ in 1..<max(1, attempt) where pause < maximumBackoff { pause *= 2 }
        return min(pause, maximumBackoff)
    }
}
