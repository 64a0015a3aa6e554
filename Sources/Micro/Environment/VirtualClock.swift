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
///
/// Deadlines (``withDeadline(_:environment:operation:)``) are watched, not slept on: a watched deadline fires
/// when time passes it and never moves time itself. An auto-advancing sleep that would pass a watched
/// deadline stops time at it, fires it and waits until that deadline's scope has closed (the scope cancels
/// its work, so a sleep of its own work ends there); meanwhile no sleep moves time. So whether work beats
/// its deadline is decided by arithmetic on virtual time, never by which task runs first.
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

    /// A deadline being watched: it fires once when time reaches (auto-advance) or passes (advance) it.
    private struct Watch {
        var instant: Instant
        var fired = false
        var continuation: CheckedContinuation<Void, any Error>?
    }

    private struct State {
        var now = Instant(offset: .zero)
        var nextID: UInt64 = 0
        var sleepers: [Sleeper] = []
        var watches: [UInt64: Watch] = [:]
        /// Sleepers waiting for the scopes of fired deadlines to close (or for cancellation).
        var parked: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []

        mutating func takeID() -> UInt64 {
            nextID += 1
            return nextID
        }

        /// Marks the unfired watches that `due` selects as fired and returns their waiting continuations.
        mutating func fire(_ due: (Instant) -> Bool) -> [CheckedContinuation<Void, any Error>] {
            var woken: [CheckedContinuation<Void, any Error>] = []
            for (id, watch) in watches.sorted(by: { $0.key < $1.key }) where !watch.fired && due(watch.instant) {
                watches[id]!.fired = true
                if let continuation = watch.continuation { woken.append(continuation) }
                watches[id]!.continuation = nil
            }
            return woken
        }

        var anyFired: Bool { watches.values.contains { $0.fired } }
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

    /// Number of tasks currently waiting on the clock: sleeping (manual mode), hanging, or held while a fired
    /// deadline's scope closes.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count + $0.parked.count } }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try await sleep(until: Optional(deadline))
    }

    /// Suspends until the task is cancelled. Auto-advancing, time first moves to the earliest watched
    /// deadline (which fires), so work that hangs inside ``withDeadline(_:environment:operation:)`` is ended
    /// by its deadline; with no deadline watched, it waits without moving time.
    public func hang() async throws -> Never {
        try await sleep(until: nil)
        throw CancellationError()  // never reached: a sleep until nil only ends by cancellation
    }

    /// Sleeps until `deadline`, or until cancelled when it is nil.
    private func sleep(until deadline: Instant?) async throws {
        try Task.checkCancellation()
        guard mode != .manual else {
            guard let deadline else {
                while true { try await park() }
            }
            return try await sleepManually(until: deadline)
        }
        while true {
            try Task.checkCancellation()
            if mode == .paced {
                let stop = state.withLock { s in
                    ([deadline].compactMap { $0 } + s.watches.values.filter { !$0.fired }.map(\.instant)).min()
                }
                if let stop, now.duration(to: stop) > .zero { try await Task.sleep(for: now.duration(to: stop)) }
            }
            let (done, woken) = state.withLock { s -> (Bool, [CheckedContinuation<Void, any Error>]) in
                if let deadline, deadline <= s.now { return (true, []) }
                // A fired deadline's scope is still cancelling its work: time stands still until it closes.
                if s.anyFired { return (false, []) }
                let watched = s.watches.values.filter { !$0.fired }.map(\.instant).min()
                if let watched, deadline.map({ watched < $0 }) ?? true {
                    if s.now < watched { s.now = watched }
                    let now = s.now
                    return (false, s.fire { $0 <= now })
                }
                guard let deadline else { return (false, []) }
                s.now = deadline
                return (true, [])
            }
            for continuation in woken { continuation.resume() }
            if done { return }
            try await park()
        }
    }

    private func sleepManually(until deadline: Instant) async throws {
        let id = state.withLock { $0.takeID() }
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

    /// Waits until the scopes of fired deadlines close; throws when cancelled.
    private func park() async throws {
        let id = state.withLock { $0.takeID() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let cancelled = state.withLock { s -> Bool in
                    if Task.isCancelled { return true }
                    s.parked.append((id, continuation))
                    return false
                }
                if cancelled { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let parked = state.withLock { s -> CheckedContinuation<Void, any Error>? in
                guard let index = s.parked.firstIndex(where: { $0.id == id }) else { return nil }
                return s.parked.remove(at: index).continuation
            }
            parked?.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }

    // MARK: Watched deadlines (used by withDeadline)

    /// Starts watching `instant`; the watch fires when time reaches it (see the type's comment).
    func openWatch(until instant: Instant) -> UInt64 {
        state.withLock { s in
            let id = s.takeID()
            s.watches[id] = Watch(instant: instant, fired: instant < s.now)
            return id
        }
    }

    /// Returns when watch `id` fires; throws when cancelled first.
    func waitForWatch(_ id: UInt64) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { s -> Bool in
                    guard let watch = s.watches[id], !watch.fired else { return true }
                    if Task.isCancelled { return true }
                    s.watches[id]!.continuation = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiting = state.withLock { s -> CheckedContinuation<Void, any Error>? in
                defer { s.watches[id]?.continuation = nil }
                return s.watches[id]?.continuation
            }
            waiting?.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }

    /// Whether watch `id` has fired.
    func hasFired(_ id: UInt64) -> Bool { state.withLock { $0.watches[id]?.fired ?? false } }

    /// Stops watching `id`; once no fired deadline's scope is open, parked sleepers go on.
    func closeWatch(_ id: UInt64) {
        let released = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
            s.watches[id] = nil
            guard !s.anyFired else { return [] }
            defer { s.parked = [] }
            return s.parked.map(\.continuation)
        }
        for continuation in released { continuation.resume() }
    }

    /// Moves time forward by `duration`, waking every sleeper whose deadline has been reached.
    public func advance(by duration: Duration) {
        advance(to: now.advanced(by: duration))
    }

    /// Moves time forward to `instant` (never backwards), waking sleepers in deadline order.
    /// Watched deadlines that time passes fire.
    public func advance(to instant: Instant) {
        let (due, woken) = state.withLock { s -> ([Sleeper], [CheckedContinuation<Void, any Error>]) in
            if s.now < instant { s.now = instant }
            let now = s.now
            let due = s.sleepers.filter { $0.deadline <= now }
            s.sleepers.removeAll { $0.deadline <= now }
            return (due.sorted { ($0.deadline, $0.id) < ($1.deadline, $1.id) }, s.fire { $0 < now })
        }
        for continuation in woken { continuation.resume() }
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
