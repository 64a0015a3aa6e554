import Micro
import Synchronization

/// The lease of one run being driven, shared by the run's commits and its heartbeat.
///
/// A renewal hands out a new ``Lease`` (a new expiry) and a commit must present the run's current one, so the
/// two take turns (``exclusive(_:)``): a heartbeat never renews between a commit reading the lease and writing
/// under it. Once the run has given its lease back (``release(_:)``), the heartbeat renews nothing.
final class LeaseKeeper: Sendable {
    private struct State {
        var lease: Lease
        var busy = false
        var waiting: [CheckedContinuation<Void, Never>] = []
        var released = false
    }

    private let state: Mutex<State>

    init(_ lease: Lease) { state = Mutex(State(lease: lease)) }

    /// The current lease.
    var lease: Lease { state.withLock { $0.lease } }

    /// Runs `body` with the lease while no other holder of this keeper is inside; whatever `body` leaves in
    /// `lease` becomes the current lease (also when it throws after renewing).
    func exclusive<T>(_ body: (inout Lease) async throws -> T) async throws -> T {
        await takeTurn()
        defer { giveTurn() }
        var lease = self.lease
        defer { state.withLock { $0.lease = lease } }
        return try await body(&lease)
    }

    /// Gives the lease back through `checkpointer` (if it is still current there) and stops later renewals.
    func release(_ checkpointer: any Checkpointer) async throws {
        try await exclusive { lease in
            state.withLock { $0.released = true }
            try await checkpointer.releaseLease(lease)
        }
    }

    /// Renews the lease every `interval` until the task is cancelled, the run gives it back, or a renewal is
    /// refused (the lease was lost: the run's next commit then fails with ``CheckpointError/Code/leaseLost``); a
    /// renewal that fails on the store (``CheckpointError/Code/storage``: busy, briefly down) is tried again.
    func heartbeat(every interval: Duration, runner: AgentRunner) async {
        let environment = runner.runtime.environment
        while !Task.isCancelled {
            do { try await environment.sleep(for: interval) } catch { return }
            do {
                let renewed: Bool = try await exclusive { lease in
                    guard !state.withLock({ $0.released }) else { return false }
                    lease = try await runner.checkpointer.acquireLease(
                        runID: lease.runID, owner: runner.owner, duration: runner.leaseDuration, now: environment.now())
                    return true
                }
                if !renewed { return }
            } catch let error as CheckpointError where error.code == .storage {
                continue  // a busy or briefly unreachable store: try again next beat while the lease still holds
            } catch {
                return  // the lease is another owner's now, or the store refuses it: the next commit says so
            }
        }
    }

    private func takeTurn() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now: Bool = state.withLock { state in
                if state.busy {
                    state.waiting.append(continuation)
                    return false
                }
                state.busy = true
                return true
            }
            if now { continuation.resume() }
        }
    }

    /// Hands the turn to the next waiter (still busy), or frees it.
    private func giveTurn() {
        let next: CheckedContinuation<Void, Never>? = state.withLock { state in
            guard !state.waiting.isEmpty else {
                state.busy = false
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
