import Micro
import MicroAgent
import PostgresNIO

/// A ``Checkpointer`` in PostgreSQL, shared by every worker that opens the same database.
///
/// Tables: `micro_checkpoints(run_id, sequence, juncture, at, agent, parent_run_id, status, step, state)`
/// keyed by `(run_id, sequence)`, and `micro_leases(run_id, owner, expires_at)`.
///
/// - **Commit** is one statement, so one transaction and one round trip: an `INSERT … SELECT` that inserts
///   only if the sequence is the latest + 1 and, with a lease, only if a CTE finds the run's lease row still
///   `(owner, expiry)` and takes a `FOR SHARE` row lock on it. A concurrent takeover (`acquireLease`'s
///   upsert) either committed first, and the commit sees the new owner and writes nothing, or waits for the
///   commit: the fence and the write are in the same transaction. Two writers of the same sequence collide on
///   the primary key: one wins, the other gets ``CheckpointError/Code/conflict``.
/// - **State** is the canonical JSON of the `RunState` in a BYTEA column, not JSONB: JSONB rejects `\u0000`
///   in strings (tool outputs may hold any text) and normalises numbers and key order, while the fields
///   ``runs()`` needs (agent, parent, status, step, juncture, time) are columns of their own.
/// - **Runs** are the latest checkpoint of each run (`DISTINCT ON` over the primary key) with its lease.
/// - **Leases** are judged against the `now` the caller passes (virtual time in tests), never the server clock.
///
/// A commit lost to a dropped connection is retried per the backend's ``PostgresRetryPolicy``; if the first
/// attempt had committed, the retry finds that very checkpoint stored and succeeds, so a checkpoint is
/// neither lost nor stored twice.
public struct PostgresCheckpointer: Checkpointer {
    public let backend: PostgresBackend
    private let encoder = RunStateEncoder()

    public init(backend: PostgresBackend) {
        self.backend = backend
    }

    public func commit(_ checkpoint: Checkpoint, lease: Lease?) async throws {
        let runID = checkpoint.runID
        let sequence = checkpoint.sequence
        if let lease { try lease.checkUsable(runID: runID, at: checkpoint.at) }
        let state = encoder.encode(checkpoint.state)
        let query = Self.commitQuery(checkpoint, state: ByteBuffer(bytes: state), lease: lease)
        try await run(runID: runID, "cannot commit checkpoint \(sequence) of run \(runID)") { attempt in
            let inserted: Int
            do {
                inserted = try await backend.count(query)
            } catch let error where PostgresErrors.sqlState(error) == "23505" {
                inserted = 0  // Another writer committed this sequence first.
            }
            if inserted == 1 { return }
            // Not written: say why (the checks again, for the message only).
            let (latest, current) = try await latestSequenceAndLease(runID)
            if attempt > 0, latest >= sequence, try await isStored(checkpoint, state: state) { return }
            if let lease, current != lease { throw Self.lost(lease, current: current, runID: runID) }
            throw CheckpointError(
                .conflict, "run \(runID): sequence \(sequence) does not follow the latest committed sequence \(latest)",
                runID: runID)
        }
    }

    public func latest(runID: String) async throws -> Checkpoint? {
        try await run(runID: runID, "read of run \(runID) failed") { _ in
            try await backend.rows(
                "SELECT sequence, juncture, at, state FROM micro_checkpoints WHERE run_id = \(runID) ORDER BY sequence DESC LIMIT 1",
                as: (Int64, String, Int64, ByteBuffer).self
            ).first.map { try Self.checkpoint(runID: runID, $0) }
        }
    }

    public func history(runID: String) async throws -> [Checkpoint] {
        try await run(runID: runID, "read of run \(runID) failed") { _ in
            try await backend.rows(
                "SELECT sequence, juncture, at, state FROM micro_checkpoints WHERE run_id = \(runID) ORDER BY sequence",
                as: (Int64, String, Int64, ByteBuffer).self
            ).map { try Self.checkpoint(runID: runID, $0) }
        }
    }

    public func runs() async throws -> [RunSummary] {
        try await run(runID: nil, "read of the runs failed") { _ in
            try await backend.rows(
                """
                SELECT c.run_id, c.agent, c.parent_run_id, c.status, c.step, c.juncture, c.sequence, c.at, l.owner, l.expires_at
                FROM (SELECT DISTINCT ON (run_id) run_id, agent, parent_run_id, status, step, juncture, sequence, at
                      FROM micro_checkpoints ORDER BY run_id, sequence DESC) AS c
                LEFT JOIN micro_leases AS l ON l.run_id = c.run_id
                ORDER BY c.at DESC, c.run_id
                """,
                as: (String, String, String?, String, Int64, String, Int64, Int64, String?, Int64?).self
            ).map(Self.summary)
        }
    }

    public func acquireLease(runID: String, owner: String, duration: Duration, now: Timestamp) async throws -> Lease {
        let lease = Lease(runID: runID, owner: owner, expiresAt: now.advanced(by: duration))
        let expiresAt = lease.expiresAt.millisecondsSinceEpoch
        let nowMS = now.millisecondsSinceEpoch
        try await run(runID: runID, "cannot acquire the lease of run \(runID)") { _ in
            // ON CONFLICT locks the run's lease row and judges the latest version of it: atomic across processes.
            let granted = try await backend.count("""
                INSERT INTO micro_leases (run_id, owner, expires_at) VALUES (\(runID), \(owner), \(expiresAt))
                ON CONFLICT (run_id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
                WHERE micro_leases.owner = excluded.owner OR micro_leases.expires_at <= \(nowMS)
                RETURNING 1
                """)
            if granted == 1 { return }
            let (_, current) = try await latestSequenceAndLease(runID)
            let holder = current ?? Lease(runID: runID, owner: "(released meanwhile)", expiresAt: now)
            throw CheckpointError(
                .leaseHeld, "run \(runID) is leased to \(holder.owner) until \(holder.expiresAt)", runID: runID, holder: current)
        }
        return lease
    }

    public func releaseLease(_ lease: Lease) async throws {
        try await run(runID: lease.runID, "cannot release the lease of run \(lease.runID)") { _ in
            try await backend.execute(
                """
                DELETE FROM micro_leases
                WHERE run_id = \(lease.runID) AND owner = \(lease.owner) AND expires_at = \(lease.expiresAt.millisecondsSinceEpoch)
                """)
        }
    }

    // MARK: Statements

    /// The conditional insert: sequence = latest + 1 and, with a lease, the lease row still current (locked).
    static func commitQuery(_ checkpoint: Checkpoint, state: ByteBuffer, lease: Lease?) -> PostgresQuery {
        var bindings = PostgresBindings()
        bindings.append(checkpoint.runID)
        bindings.append(checkpoint.sequence)
        bindings.append(checkpoint.juncture.description)
        bindings.append(checkpoint.at.millisecondsSinceEpoch)
        bindings.append(checkpoint.state.agent)
        bindings.append(checkpoint.state.parentRunID)
        bindings.append(checkpoint.state.status.rawValue)
        bindings.append(checkpoint.state.step)
        bindings.append(state)
        var sql = ""
        if let lease {
            bindings.append(lease.owner)
            bindings.append(lease.expiresAt.millisecondsSinceEpoch)
            sql += "WITH lease AS (SELECT 1 FROM micro_leases WHERE run_id = $1 AND owner = $10 AND expires_at = $11 FOR SHARE)\n"
        }
        sql += """
            INSERT INTO micro_checkpoints (run_id, sequence, juncture, at, agent, parent_run_id, status, step, state)
            SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9
            WHERE $2 = 1 + coalesce((SELECT max(sequence) FROM micro_checkpoints WHERE run_id = $1), 0)
            """
        if lease != nil { sql += "\n  AND EXISTS (SELECT 1 FROM lease)" }
        sql += "\nRETURNING 1"
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    /// The latest committed sequence of `runID` (0 if none) and its lease.
    private func latestSequenceAndLease(_ runID: String) async throws -> (Int, Lease?) {
        let row = try await backend.rows(
            """
            SELECT (SELECT coalesce(max(sequence), 0) FROM micro_checkpoints WHERE run_id = \(runID)), l.owner, l.expires_at
            FROM (SELECT 1) AS one LEFT JOIN micro_leases AS l ON l.run_id = \(runID)
            """,
            as: (Int64, String?, Int64?).self
        ).first
        guard let (latest, owner, expiresAt) = row else { return (0, nil) }
        let lease = owner.flatMap { owner in
            expiresAt.map { Lease(runID: runID, owner: owner, expiresAt: Timestamp(millisecondsSinceEpoch: $0)) }
        }
        return (Int(latest), lease)
    }

    /// Whether exactly `checkpoint` is stored (a retried commit whose first attempt had committed).
    private func isStored(_ checkpoint: Checkpoint, state: [UInt8]) async throws -> Bool {
        let rows = try await backend.rows(
            """
            SELECT juncture, at, state FROM micro_checkpoints WHERE run_id = \(checkpoint.runID) AND sequence = \(checkpoint.sequence)
            """,
            as: (String, Int64, ByteBuffer).self)
        guard let (juncture, at, stored) = rows.first else { return false }
        return juncture == checkpoint.juncture.description && at == checkpoint.at.millisecondsSinceEpoch
            && Array(stored.readableBytesView) == state
    }

    // MARK: Rules and rows

    /// `lease` is not the run's `current` lease any more.
    private static func lost(_ lease: Lease, current: Lease?, runID: String) -> CheckpointError {
        let now = current.map { "\($0.owner) holds it until \($0.expiresAt)" } ?? "the run has no lease"
        return CheckpointError(
            .leaseLost, "lease of \(lease.owner) on run \(runID) is no longer current (\(now))", runID: runID, holder: current)
    }

    private static func checkpoint(runID: String, _ row: (Int64, String, Int64, ByteBuffer)) throws -> Checkpoint {
        let (sequence, junctureText, at, stateBytes) = row
        func corrupted(_ detail: String) -> CheckpointError {
            CheckpointError(.corrupted, "run \(runID) sequence \(sequence): \(detail)", runID: runID)
        }
        guard let juncture = Juncture(junctureText) else { throw corrupted("malformed juncture \(junctureText.debugDescription)") }
        let state: RunState
        do {
            state = try JSONValueDecoder().decode(RunState.self, from: JSONValue(parsing: Array(stateBytes.readableBytesView)))
        } catch {
            throw corrupted("cannot decode the state: \(error)")
        }
        return Checkpoint(
            runID: runID, sequence: Int(sequence), juncture: juncture, state: state, at: Timestamp(millisecondsSinceEpoch: at))
    }

    private static func summary(
        _ row: (String, String, String?, String, Int64, String, Int64, Int64, String?, Int64?)
    ) throws -> RunSummary {
        let (runID, agent, parentRunID, statusText, step, junctureText, checkpoints, updatedAt, owner, expiresAt) = row
        func corrupted(_ column: String) -> CheckpointError {
            CheckpointError(.corrupted, "run \(runID): malformed \(column) in its latest checkpoint", runID: runID)
        }
        guard let status = RunState.Status(rawValue: statusText) else { throw corrupted("status") }
        guard let lastJuncture = Juncture(junctureText) else { throw corrupted("last juncture") }
        var lease: Lease?
        if let owner, let expiresAt {
            lease = Lease(runID: runID, owner: owner, expiresAt: Timestamp(millisecondsSinceEpoch: expiresAt))
        }
        return RunSummary(
            runID: runID, agent: agent, parentRunID: parentRunID, status: status, step: Int(step),
            lastJuncture: lastJuncture, checkpoints: Int(checkpoints), updatedAt: Timestamp(millisecondsSinceEpoch: updatedAt),
            lease: lease)
    }

    // MARK: Errors

    /// Runs `body` under the retry policy, turning what escapes into a ``CheckpointError``: malformed rows are
    /// ``CheckpointError/Code/corrupted``, every other failure ``CheckpointError/Code/storage``.
    private func run<T>(runID: String?, _ message: @autoclosure () -> String, _ body: (Int) async throws -> T) async throws -> T {
        do {
            return try await backend.retryPolicy.run(body)
        } catch let error as CheckpointError {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch let error as PostgresDecodingError {
            throw CheckpointError(.corrupted, "\(message()): malformed row: \(error)", runID: runID)
        } catch {
            throw CheckpointError(
                .storage, "\(message()) (PostgreSQL at \(backend.configuration)): \(PostgresErrors.summary(error))", runID: runID)
        }
    }
}
