/// Runs `operation` and cancels it if `deadline` passes on `environment`'s clock first; then throws
/// ``DeadlineExceeded`` naming the deadline. A nil deadline, or one no earlier than the enclosing scope's
/// (``Deadline/current``), runs `operation` as is. A deadline already reached (no time left) throws without
/// running it.
///
/// Structured: `operation` runs in a child task beside a timer; whichever ends first cancels the other,
/// and both have ended when this returns. The work sees the cancellation (`Task.isCancelled`, a
/// `CancellationError` from its sleeps); whatever it returns after that is dropped.
///
/// On a ``VirtualClock`` the timer watches the deadline instead of sleeping on it, so it never moves time:
/// the deadline fires when time reaches it (an auto-advancing sleep that would pass it stops there), and
/// the outcome is decided by virtual time, never by which task runs first. Work that hangs until cancelled
/// (``Environment/hang()``) is ended by its deadline in every clock mode.
public func withDeadline<T: Sendable>(
    _ deadline: Deadline?, environment: Environment, operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    guard let deadline else { return try await operation() }
    if let enclosing = Deadline.current, enclosing.at <= deadline.at { return try await operation() }
    let start = environment.now()
    if start >= deadline.at { throw DeadlineExceeded(deadline, at: start, cancelledInFlight: false) }
    let remaining = deadline.at.duration(since: start)
    let virtual = environment.clock as? VirtualClock
    let watch = virtual.map { $0.openWatch(until: $0.now.advanced(by: remaining)) }
    defer { if let virtual, let watch { virtual.closeWatch(watch) } }
    let first = await Deadline.$current.withValue(deadline) {
        await withTaskGroup(of: DeadlineRace<T>.self) { group -> DeadlineRace<T>? in
            group.addTask {
                do {
                    if let virtual, let watch {
                        try await virtual.waitForWatch(watch)
                    } else {
                        try await environment.clock.sleep(for: remaining)
                    }
                    return .expired
                } catch {
                    return .timerCancelled
                }
            }
            group.addTask {
                do { return .finished(.success(try await operation())) } catch { return .finished(.failure(error)) }
            }
            var first: DeadlineRace<T>?
            for await race in group {
                if case .timerCancelled = race { continue }
                if first == nil {
                    first = race
                    group.cancelAll()
                }
            }
            return first
        }
    }
    let exceeded = DeadlineExceeded(deadline, at: environment.now(), cancelledInFlight: true)
    switch first {
    case .finished(.success(let value)):
        return value
    case .finished(.failure(let error)):
        // Work that stopped because the deadline fired (its cancellation, an inner scope's deadline at the
        // same instant) was cut by this deadline; any other failure is its own.
        let fired = watch.map { virtual!.hasFired($0) } ?? false
        if fired && (error is CancellationError || error is DeadlineExceeded) { throw exceeded }
        throw error
    case .expired:
        throw exceeded
    case .timerCancelled, nil:
        throw CancellationError()
    }
}

/// How one child of a ``withDeadline(_:environment:operation:)`` race ended.
private enum DeadlineRace<T: Sendable>: Sendable {
    case expired
    case timerCancelled
    case finished(Result<T, any Error>)
}
