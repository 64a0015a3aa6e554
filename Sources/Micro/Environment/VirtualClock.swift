import Synchronization

/// A clock whose time moves only when told to: by ``advance(by:)``, or, in auto-advancing mode, by a
/// sleeper asking for a later instant. No wall-clock time ever passes while waiting on it, so retries with
/// 30 s of backoff replay in microseconds and the same inputs give the same timestamps.
///
/// - `.manual`: `sleep(until:)` suspends until ``advance(by:)``/``advance(to:)`` moves time past the deadline;
///   sleepers wake in deadline order (ties in the order they went to sleep).
/// - `.autoAdvance`: `sleep(until:)` moves time to the deadline at once (never backwards) and returns.
/// - `.paced`: like `.autoAdvance`, but each sleep first waits as long on the real clock: for a simulated
///   world with a live peer on the other side (recording a provider), whose waits (`retry-after`, backoff)
///   must really pass.
public final class VirtualClock: Clock, Sendable {
    public struct Instant: InstantProtocol, Hashable, Sendable, Codable {
        /// Time since the clock's origin.
        public var offset: Duration
        public init(offset: Duration) { self.offset = offset }
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
    }

    public enum Mode: Sendable { case manual, autoAdvance, paced }

    private struct Sleeper {
        var id: UInt64
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var nextID: UInt64 = 0
        var sleepers: [Sleeper] = []
    }

    public let mode: Mode
    /// The wall time at the clock's origin; ``timestamp`` is this plus the elapsed virtual time.
    public let epoch: Timestamp
    private let state = Mutex(State())

    public init(mode: Mode = .autoAdvance, epoch: Timestamp = Timestamp(millisecondsSinceEpoch: 1_767_225_600_000)) {
        self.mode = mode
        self.epoch = epoch
    }

    public var now: Instant { state.withLock { $0.now } }
    public var minimumResolution: Duration { .nanoseconds(1) }

    /// The virtual wall time: ``epoch`` plus the time elapsed on this clock.
    public var timestamp: Timestamp { epoch.advanced(by: now.offset) }

    /// Number of tasks currently sleeping on the clock (manual mode).
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try Task.checkCancellation()
        if mode == .paced {
            let wait = now.duration(to: deadline)
            if wait > .zero { try await Task.sleep(for: wait) }
        }
        if mode == .autoAdvance || mode == .paced {
            state.withLock { if $0.now < deadline { $0.now = deadline } }
            return
        }
        let id = state.withLock { s -> UInt64 in
            s.nextID += 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { s -> Bool in
                    if deadline <= s.now { return true }
                    if Task.isCancelled { return true }
                    s.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let sleeper = state.withLock { s -> Sleeper? in
                guard let index = s.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return s.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }

    /// Moves time forward by `duration`, waking every sleeper whose deadline has been reached.
    public func advance(by duration: Duration) {
        advance(to: now.advanced(by: duration))
    }

    /// Moves time forward to `instant` (never backwards), waking sleepers in deadline order.
    public func advance(to instant: Instant) {
        let due = state.withLock { s -> [Sleeper] in
            if s.now < instant { s.now = instant }
            let due = s.sleepers.filter { $0.deadline <= s.now }
            s.sleepers.removeAll { $0.deadline <= s.now }
            return due.sorted { ($0.deadline, $0.id) < ($1.deadline, $1.id) }
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Advances to the earliest pending deadline, if any, and wakes its sleepers. Returns whether it did.
    @discardableResult
    public func advanceToNextDeadline() -> Bool {
        guard let next = state.withLock({ $0.sleepers.map(\.deadline).min() }) else { return false }
        advance(to: next)
        return true
    }
}

extension VirtualClock.Instant: Comparable {}

private func < (a: (VirtualClock.Instant, UInt64), b: (VirtualClock.Instant, UInt64)) -> Bool {
    a.0 == b.0 ? a.1 < b.1 : a.0 < b.0
}
