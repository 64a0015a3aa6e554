import Micro
import Synchronization

/// A ``Checkpointer`` held in memory, for tests and single-process runs. Keeps the full contract:
/// sequence conflicts, lease fencing, and leases judged on the timestamps passed in (never the wall clock).
///
/// A commit's lease must equal the run's current lease (same owner and expiry: a renewal hands out a new
/// ``Lease`` that replaces the old one) and be unexpired at the checkpoint's time.
public final class InMemoryCheckpointer: Checkpointer {
    private struct Run {
        var checkpoints: [Checkpoint] = []
        var summary: RunSummary?
        var lease: Lease?
    }

    private let runsByID = Mutex<[String: Run]>([:])

    public init() {}

    public func commit(_ checkpoint: Checkpoint, lease: Lease?) async throws {
        let runID = checkpoint.runID
        try runsByID.withLock { runs throws(CheckpointError) in
            // Mutated in place: copying the run out and back would copy its whole history at every commit.
            if let lease { try Self.fence(lease, current: runs[runID]?.lease, runID: runID, at: checkpoint.at) }
            let latest = runs[runID]?.checkpoints.last?.sequence ?? 0
            guard checkpoint.sequence == latest + 1 else {
                throw Self.conflict(runID: runID, sequence: checkpoint.sequence, latest: latest)
            }
            runs[runID, default: Run()].checkpoints.append(checkpoint)
            runs[runID]!.summary = RunSummary(
                runID: runID, agent: checkpoint.state.agent, parentRunID: checkpoint.state.parentRunID,
                status: checkpoint.state.status, step: checkpoint.state.step, lastJuncture: checkpoint.juncture,
                checkpoints: checkpoint.sequence, updatedAt: checkpoint.at, lease: nil)
        }
    }

    public func latest(runID: String) async throws -> Checkpoint? {
        runsByID.withLock { $0[runID]?.checkpoints.last }
    }

    public func history(runID: String) async throws -> [Checkpoint] {
        runsByID.withLock { $0[runID]?.checkpoints ?? [] }
    }

    public func runs() async throws -> [RunSummary] {
        let summaries = runsByID.withLock { runs in
            runs.values.compactMap { run in
                run.summary.map { summary in
                    var summary = summary
                    summary.lease = run.lease
                    return summary
                }
            }
        }
        return summaries.sorted(by: Self.mostRecentFirst)
    }

    public func acquireLease(runID: String, owner: String, duration: Duration, now: Timestamp) async throws -> Lease {
        try runsByID.withLock { runs throws(CheckpointError) in
            if let current = runs[runID]?.lease, current.owner != owner, current.expiresAt > now {
                throw Self.held(current)
            }
            let lease = Lease(runID: runID, owner: owner, expiresAt: now.advanced(by: duration))
            runs[runID, default: Run()].lease = lease
            return lease
        }
    }

    public func releaseLease(_ lease: Lease) async throws {
        runsByID.withLock { runs in
            guard var run = runs[lease.runID], run.lease == lease else { return }
            run.lease = nil
            runs[lease.runID] = run.summary == nil ? nil : run
        }
    }

    // MARK: Shared rules

    /// Most recently updated first; ties in run-ID byte order, so the listing is deterministic.
    private static func mostRecentFirst(_ a: RunSummary, _ b: RunSummary) -> Bool {
        if a.updatedAt != b.updatedAt { return a.updatedAt > b.updatedAt }
        return a.runID.utf8.lexicographicallyPrecedes(b.runID.utf8)
    }

    /// Throws ``CheckpointError/Code/leaseLost`` unless `lease` is `runID`'s `current` lease, unexpired at `at`.
    private static func fence(_ lease: Lease, current: Lease?, runID: String, at: Timestamp) throws(CheckpointError) {
        try lease.checkUsable(runID: runID, at: at)
        guard current == lease else {
            let now = current.map { "\($0.owner) holds it until \($0.expiresAt)" } ?? "the run has no lease"
            throw CheckpointError(
                .leaseLost, "lease of \(lease.owner) on run \(runID) is no longer current (\(now))", runID: runID,
                holder: current)
        }
    }

    private static func conflict(runID: String, sequence: Int, latest: Int) -> CheckpointError {
        CheckpointError(
            .conflict, "run \(runID): sequence \(sequence) does not follow the latest committed sequence \(latest)",
            runID: runID)
    }

    private static func held(_ current: Lease) -> CheckpointError {
        CheckpointError(
            .leaseHeld, "run \(current.runID) is leased to \(current.owner) until \(current.expiresAt)",
            runID: current.runID, holder: current)
    }
}
