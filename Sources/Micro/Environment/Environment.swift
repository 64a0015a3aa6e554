import Foundation

/// Everything that makes a run non-deterministic, injected in one value: time, randomness and identifiers.
///
/// Production code uses ``live``; tests and the harness use ``simulated(seed:)``, where time is a
/// ``VirtualClock`` and every random draw and identifier follows from the seed.
public struct Environment: Sendable {
    /// The clock that timeouts, backoff, latencies and deadlines run on.
    public var clock: any Clock<Duration>
    /// Wall time as persisted (store expiry, leases, trace timestamps). Follows `clock` when simulated.
    public var now: @Sendable () -> Timestamp
    public var random: RandomSource
    public var ids: IDGenerator

    public init(
        clock: any Clock<Duration>,
        now: @escaping @Sendable () -> Timestamp,
        random: RandomSource,
        ids: IDGenerator
    ) {
        self.clock = clock
        self.now = now
        self.random = random
        self.ids = ids
    }

    /// Real time, system randomness, random identifiers.
    public static var live: Environment {
        Environment(
            clock: ContinuousClock(),
            now: { Timestamp(millisecondsSinceEpoch: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))) },
            random: .system,
            ids: .random
        )
    }

    /// Virtual time (starting at `epoch`), seeded randomness, and identifiers that follow from the seed.
    public static func simulated(
        seed: UInt64 = 0,
        clock: VirtualClock = VirtualClock(),
        ids: IDGenerator? = nil
    ) -> Environment {
        Environment(
            clock: clock,
            now: { clock.timestamp },
            random: .seeded(seed),
            ids: ids ?? .seeded(seed ^ 0x5EED_1D5)
        )
    }

    /// Sleeps on the environment's clock for `duration`.
    public func sleep(for duration: Duration) async throws {
        try await clock.sleep(for: duration)
    }
}

extension Environment {
    /// Suspends until the task is cancelled, as a call that never gets an answer: only a deadline
    /// (``withDeadline(_:environment:operation:)``) or the caller's cancellation ends it. On an
    /// auto-advancing ``VirtualClock`` time moves to the earliest watched deadline at once.
    public func hang() async throws -> Never {
        if let virtual = clock as? VirtualClock { try await virtual.hang() }
        while true { try await clock.sleep(for: .seconds(3600)) }
    }
}
