import Micro
import MicroAgent
import MicroPostgres
import Synchronization

/// Two checkpointers taking turns serving calls: the contract must hold across them (as across processes).
final class AlternatingCheckpointer: Checkpointer {
    let instances: [PostgresCheckpointer]
    private let turn = Atomic<Int>(0)

    init(_ a: PostgresCheckpointer, _ b: PostgresCheckpointer) { instances = [a, b] }

    private var next: PostgresCheckpointer { instances[turn.add(1, ordering: .relaxed).oldValue % instances.count] }

    func commit(_ checkpoint: Checkpoint, lease: Lease?) async throws { try await next.commit(checkpoint, lease: lease) }
    func latest(runID: String) async throws -> Checkpoint? { try await next.latest(runID: runID) }
    func history(runID: String) async throws -> [Checkpoint] { try await next.history(runID: runID) }
    func runs() async throws -> [RunSummary] { try await next.runs() }
    func acquireLease(runID: String, owner: String, duration: Duration, now: Timestamp) async throws -> Lease {
        try await next.acquireLease(runID: runID, owner: owner, duration: duration, now: now)
    }
    func releaseLease(_ lease: Lease) async throws { try await next.releaseLease(lease) }
}
