/// How calls are retried while the server is away: bounded attempts, exponential backoff on the real clock
/// (the server is a live peer, so virtual time would not give it time to come back).
public struct PostgresRetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included (1 = never retry).
    public var attempts: Int
    /// The wait before the second attempt; doubled before each further one, up to ``maximumDelay``.
    public var initialDelay: Duration
    public var maximumDelay: Duration
    /// How long one attempt waits for a pooled connection before it fails (retryably). While the server is
    /// down, the pool would otherwise keep the call waiting until its circuit breaker trips (60 s).
    public var leaseTimeout: Duration

    public init(
        attempts: Int = 6, initialDelay: Duration = .milliseconds(50), maximumDelay: Duration = .seconds(2),
        leaseTimeout: Duration = .seconds(5)
    ) {
        self.attempts = max(1, attempts)
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.leaseTimeout = leaseTimeout
    }

    /// Runs `body` (given the attempt number, 0 first) until it succeeds, fails with an error that is not
    /// retryable, or the attempts run out (then the last error is thrown).
    func run<T>(_ body: (Int) async throws -> T) async throws -> T {
        var delay = initialDelay
        var attempt = 0
        while true {
            do {
                return try await body(attempt)
            } catch {
                attempt += 1
                guard attempt < attempts, PostgresErrors.isRetryable(error) else { throw error }
                try await Task.sleep(for: delay)
                delay = min(delay * 2, maximumDelay)
            }
        }
    }
}
