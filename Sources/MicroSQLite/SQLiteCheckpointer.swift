import Foundation
import GRDB
import Micro
import MicroAgent

/// A ``Checkpointer`` in a SQLite database (through GRDB): a file that survives crashes and restarts, or memory.
///
/// A file is opened as a GRDB `DatabasePool` in WAL mode. Several checkpointers (in one or several processes)
/// and ``SQLiteStore``s may share one file: they use their own tables and see each other's commits. Every
/// write is one transaction that takes the write lock before it reads (a single statement, or `BEGIN IMMEDIATE`),
/// so writers racing for a run or its lease serialize on the database's write lock (waiting up to
/// ``Configuration/busyTimeout``) instead of failing midway or deciding on stale reads.
///
/// Schema (created if missing, idempotently, at open):
/// - `micro_checkpoints(run_id, sequence, juncture, at, agent, parent_run_id, status, step, state)`, clustered on
///   `(run_id, sequence)`; `state` is the ``RunState`` as canonical JSON (sorted keys: `RunState.canonicalJSON()`,
///   decoded with `JSONValueDecoder`), `at` milliseconds since 1970. A partial index on the first checkpoints
///   (`sequence = 1`) lists the runs.
/// - `micro_runs`, a view: one summary per run, read from the run's latest checkpoint row. Commits write no
///   summary row of their own (measured: upserting one costs 40% of a bare insert), so a summary is always
///   exactly as current as the checkpoint it comes from.
/// - `micro_leases(run_id, owner, expires_at)`.
///
/// A commit is one `INSERT … SELECT … WHERE` statement, so one transaction: it inserts the checkpoint only if
/// its sequence is the latest + 1 and, when a lease is given, that lease is still the run's (each check one
/// primary-key lookup). A rejected commit reads the run once more to say why. With the default
/// ``Configuration/Synchronous/normal`` a commit that returned survives a process crash or SIGKILL.
///
/// Leases are judged on the timestamps passed in, never the wall clock. A commit's lease must equal the run's
/// current lease (same owner and expiry: a renewal hands out a new ``Lease`` that replaces the old one).
///
/// - Note: Like ``SQLiteStore``, calls do the SQLite work synchronously on the calling task's thread (GRDB's
///   async API costs two thread hops per call); a call waiting for the write lock holds its thread meanwhile.
public final class SQLiteCheckpointer: Checkpointer {
    /// How the database is opened: the same options as ``SQLiteStore``'s. A write that waits longer than
    /// ``SQLiteStore/Configuration/busyTimeout`` for the write lock fails with ``CheckpointError/Code/storage``.
    public typealias Configuration = SQLiteStore.Configuration

    /// The database file, or nil for an in-memory checkpointer.
    public let path: String?
    public let configuration: Configuration
    private let database: any DatabaseWriter
    /// Re-encodes only the messages that changed since a run's previous commit.
    private let encoder = RunStateEncoder()

    /// Opens (creating if needed) the checkpoints in the SQLite file at `path`, creating missing tables.
    /// Throws ``CheckpointError/Code/corrupted`` if the file is not a usable database.
    public convenience init(path: String, configuration: Configuration = Configuration()) throws {
        try self.init(path: .some(path), configuration: configuration)
    }

    /// A private in-memory checkpointer, gone with its last reference.
    public static func inMemory(configuration: Configuration = Configuration()) throws -> SQLiteCheckpointer {
        try SQLiteCheckpointer(path: nil, configuration: configuration)
    }

    private init(path: String?, configuration: Configuration) throws {
        self.path = path
        self.configuration = configuration
        do {
            database = try SQLiteDatabase.open(
                path: path, configuration: configuration, label: "MicroSQLite.SQLiteCheckpointer")
            try database.writeWithoutTransaction { db in
                // Idempotent DDL under the write lock: processes opening a new file at once cannot collide.
                try db.inTransaction(.immediate) {
                    try db.execute(sql: SQL.schema)
                    return .commit
                }
            }
        } catch {
            throw Self.checkpointError(error, "cannot open the checkpoints " + (path.map { "at \($0)" } ?? "in memory"))
        }
    }

    /// Closes the database; later calls throw ``CheckpointError/Code/storage``. Optional: deinit closes too.
    public func close() throws {
        do { try database.close() } catch { throw Self.checkpointError(error, "cannot close the checkpoints") }
    }

    // MARK: Checkpointer

    public func commit(_ checkpoint: Checkpoint, lease: Lease?) async throws {
        let runID = checkpoint.runID, sequence = checkpoint.sequence, at = checkpoint.at
        if let lease { try lease.checkUsable(runID: runID, at: at) }
        var arguments: StatementArguments = [
            runID, sequence, checkpoint.juncture.description, at.millisecondsSinceEpoch, checkpoint.state.agent,
            checkpoint.state.parentRunID, checkpoint.state.status.rawValue, checkpoint.state.step,
            Data(encoder.encode(checkpoint.state)),
        ]
        if let lease { arguments += [lease.owner, lease.expiresAt.millisecondsSinceEpoch] }
        try writing(runID: runID, "commit of run \(runID) sequence \(sequence) failed") { db in
            // One statement is one transaction, and SQLite takes the write lock before the statement reads: the
            // checks and the insert are atomic, and racing writers (other processes too) serialize.
            try db.cachedStatement(sql: lease == nil ? SQL.commit : SQL.commitWithLease).execute(arguments: arguments)
            if db.changesCount == 1 { return }
            // Rejected: say why (the checks again, for the message only; nothing was written).
            let row = try Row.fetchOne(db.cachedStatement(sql: SQL.latestSequenceAndLease), arguments: [runID])
            if let lease {
                let current = try Self.lease(runID, row, column: 1)
                if current != lease { throw Self.lost(lease, current: current, runID: runID) }
            }
            let latest = try Self.sequence(runID, row)
            throw CheckpointError(
                .conflict, "run \(runID): sequence \(sequence) does not follow the latest committed sequence \(latest)",
                runID: runID)
        }
    }

    public func latest(runID: String) async throws -> Checkpoint? {
        try reading(runID: runID) { db in
            let cursor = try Row.fetchCursor(db.cachedStatement(sql: SQL.latest), arguments: [runID])
            return try cursor.next().map { try Self.checkpoint(runID: runID, $0) }
        }
    }

    public func history(runID: String) async throws -> [Checkpoint] {
        try reading(runID: runID) { db in
            let cursor = try Row.fetchCursor(db.cachedStatement(sql: SQL.history), arguments: [runID])
            var checkpoints: [Checkpoint] = []
            while let row = try cursor.next() { checkpoints.append(try Self.checkpoint(runID: runID, row)) }
            return checkpoints
        }
    }

    public func runs() async throws -> [RunSummary] {
        try reading(runID: nil) { db in
            let cursor = try Row.fetchCursor(db.cachedStatement(sql: SQL.runs))
            var summaries: [RunSummary] = []
            while let row = try cursor.next() { summaries.append(try Self.summary(row)) }
            return summaries
        }
    }

    public func acquireLease(runID: String, owner: String, duration: Duration, now: Timestamp) async throws -> Lease {
        let lease = Lease(runID: runID, owner: owner, expiresAt: now.advanced(by: duration))
        try writing(runID: runID, "cannot acquire the lease of run \(runID)") { db in
            try Self.immediateTransaction(db) {
                if let current = try Self.lease(of: runID, db), current.owner != owner, current.expiresAt > now {
                    throw CheckpointError(
                        .leaseHeld, "run \(runID) is leased to \(current.owner) until \(current.expiresAt)",
                        runID: runID, holder: current)
                }
                try db.cachedStatement(sql: SQL.upsertLease)
                    .execute(arguments: [runID, owner, lease.expiresAt.millisecondsSinceEpoch])
            }
        }
        return lease
    }

    public func releaseLease(_ lease: Lease) async throws {
        try writing(runID: lease.runID, "cannot release the lease of run \(lease.runID)") { db in
            // One statement in autocommit mode is its own transaction.
            try db.cachedStatement(sql: SQL.deleteLease)
                .execute(arguments: [lease.runID, lease.owner, lease.expiresAt.millisecondsSinceEpoch])
        }
    }

    public func claimableRuns(now: Timestamp, limit: Int) async throws -> [RunSummary] {
        try reading(runID: nil) { db in
            let cursor = try Row.fetchCursor(
                db.cachedStatement(sql: SQL.claimable), arguments: [now.millisecondsSinceEpoch, max(0, limit)])
            var summaries: [RunSummary] = []
            while let row = try cursor.next() { summaries.append(try Self.summary(row)) }
            return summaries
        }
    }

    // MARK: Schema and statements

    enum SQL {
        static let schema = """
            CREATE TABLE IF NOT EXISTS micro_checkpoints (
                run_id TEXT NOT NULL,
                sequence INTEGER NOT NULL,
                juncture TEXT NOT NULL,
                at INTEGER NOT NULL,
                agent TEXT NOT NULL,
                parent_run_id TEXT,
                status TEXT NOT NULL,
                step INTEGER NOT NULL,
                state BLOB NOT NULL,
                PRIMARY KEY (run_id, sequence)
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS micro_checkpoints_runs ON micro_checkpoints (run_id) WHERE sequence = 1;
            CREATE VIEW IF NOT EXISTS micro_runs AS
                SELECT c.run_id, c.agent, c.parent_run_id, c.status, c.step, c.juncture AS last_juncture,
                    c.sequence AS checkpoints, c.at AS updated_at
                FROM micro_checkpoints AS first
                JOIN micro_checkpoints AS c ON c.run_id = first.run_id
                    AND c.sequence = (SELECT max(sequence) FROM micro_checkpoints WHERE run_id = first.run_id)
                WHERE first.sequence = 1;
            CREATE TABLE IF NOT EXISTS micro_leases (
                run_id TEXT NOT NULL PRIMARY KEY,
                owner TEXT NOT NULL,
                expires_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            """
        /// One row whatever exists: the latest sequence (or NULL) and the lease (or NULLs).
        static let latestSequenceAndLease = """
            SELECT (SELECT max(sequence) FROM micro_checkpoints WHERE run_id = ?1), l.owner, l.expires_at
            FROM (SELECT 1) LEFT JOIN micro_leases AS l ON l.run_id = ?1
            """
        /// Inserts the checkpoint if its sequence is the latest + 1.
        static let commit = """
            INSERT INTO micro_checkpoints (run_id, sequence, juncture, at, agent, parent_run_id, status, step, state)
            SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9
            WHERE ?2 = 1 + ifnull((SELECT max(sequence) FROM micro_checkpoints WHERE run_id = ?1), 0)
            """
        /// ``commit``, if the run's lease is also still `(owner ?10, expiry ?11)`.
        static let commitWithLease = commit + """

              AND EXISTS (SELECT 1 FROM micro_leases WHERE run_id = ?1 AND owner = ?10 AND expires_at = ?11)
            """
        static let checkpointColumns = "sequence, juncture, at, state"
        static let latest = "SELECT \(checkpointColumns) FROM micro_checkpoints WHERE run_id = ? ORDER BY sequence DESC LIMIT 1"
        static let history = "SELECT \(checkpointColumns) FROM micro_checkpoints WHERE run_id = ? ORDER BY sequence"
        /// Sorted at read time: an index on the update time would cost every commit an index update.
        static let runs = """
            SELECT r.run_id, r.agent, r.parent_run_id, r.status, r.step, r.last_juncture, r.checkpoints, r.updated_at,
                l.owner, l.expires_at
            FROM micro_runs AS r LEFT JOIN micro_leases AS l ON l.run_id = r.run_id
            ORDER BY r.updated_at DESC, r.run_id
            """
        /// Running top-level runs with no lease or an expired one (``claimableRuns(now:limit:)``).
        static let claimable = """
            SELECT r.run_id, r.agent, r.parent_run_id, r.status, r.step, r.last_juncture, r.checkpoints, r.updated_at,
                l.owner, l.expires_at
            FROM micro_runs AS r LEFT JOIN micro_leases AS l ON l.run_id = r.run_id
            WHERE r.status = 'running' AND r.parent_run_id IS NULL AND (l.run_id IS NULL OR l.expires_at <= ?1)
            ORDER BY r.updated_at, r.run_id
            LIMIT ?2
            """
        static let lease = "SELECT owner, expires_at FROM micro_leases WHERE run_id = ?"
        static let upsertLease = """
            INSERT INTO micro_leases (run_id, owner, expires_at) VALUES (?, ?, ?)
            ON CONFLICT (run_id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
            """
        static let deleteLease = "DELETE FROM micro_leases WHERE run_id = ? AND owner = ? AND expires_at = ?"
    }

    // MARK: Rules

    /// `lease` is not the run's `current` lease any more.
    private static func lost(_ lease: Lease, current: Lease?, runID: String) -> CheckpointError {
        let now = current.map { "\($0.owner) holds it until \($0.expiresAt)" } ?? "the run has no lease"
        return CheckpointError(
            .leaseLost, "lease of \(lease.owner) on run \(runID) is no longer current (\(now))", runID: runID,
            holder: current)
    }

    // MARK: Decoding rows (foreign values are typed errors, never traps)

    private static func lease(of runID: String, _ db: Database) throws -> Lease? {
        try lease(runID, try Row.fetchOne(db.cachedStatement(sql: SQL.lease), arguments: [runID]), column: 0)
    }

    /// The lease in columns `column` (owner) and `column + 1` (expiry) of `row`, nil if there is none.
    private static func lease(_ runID: String, _ row: Row?, column: Int) throws -> Lease? {
        guard let row, !(row[column] as DatabaseValue).isNull else { return nil }
        guard let owner = text(row[column]), let expiresAt = integer(row[column + 1]) else {
            throw CheckpointError(.corrupted, "run \(runID): malformed lease row", runID: runID)
        }
        return Lease(runID: runID, owner: owner, expiresAt: Timestamp(millisecondsSinceEpoch: expiresAt))
    }

    /// The latest sequence in column 0 of `row` (0 for a run without checkpoints).
    private static func sequence(_ runID: String, _ row: Row?) throws -> Int {
        guard let row else { return 0 }
        let value: DatabaseValue = row[0]
        if value.isNull { return 0 }
        guard let sequence = integer(value).flatMap({ Int(exactly: $0) }) else {
            throw CheckpointError(.corrupted, "run \(runID): malformed latest sequence", runID: runID)
        }
        return sequence
    }

    private static func checkpoint(runID: String, _ row: Row) throws -> Checkpoint {
        let sequence = integer(row[0])
        func corrupted(_ detail: String) -> CheckpointError {
            CheckpointError(.corrupted, "run \(runID) sequence \(sequence.map(String.init) ?? "?"): \(detail)", runID: runID)
        }
        guard let sequence, let sequenceInt = Int(exactly: sequence) else { throw corrupted("malformed sequence") }
        guard let junctureText = text(row[1]), let juncture = Juncture(junctureText) else {
            throw corrupted("malformed juncture \((row[1] as DatabaseValue).description)")
        }
        guard let at = integer(row[2]) else { throw corrupted("malformed timestamp \((row[2] as DatabaseValue).description)") }
        let state: RunState
        do {
            let json: JSONValue
            switch (row[3] as DatabaseValue).storage {
            case .blob(let data): json = try JSONValue(parsing: data)
            case .string(let string): json = try JSONValue(parsing: string)
            default: throw corrupted("the state is not JSON bytes")
            }
            state = try JSONValueDecoder().decode(RunState.self, from: json)
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw corrupted("cannot decode the state: \(error)")
        }
        return Checkpoint(
            runID: runID, sequence: sequenceInt, juncture: juncture, state: state,
            at: Timestamp(millisecondsSinceEpoch: at))
    }

    private static func summary(_ row: Row) throws -> RunSummary {
        guard let runID = text(row[0]) else { throw CheckpointError(.corrupted, "malformed run id in micro_checkpoints") }
        func corrupted(_ column: String) -> CheckpointError {
            CheckpointError(.corrupted, "run \(runID): malformed \(column) in its latest checkpoint", runID: runID)
        }
        guard let agent = text(row[1]) else { throw corrupted("agent") }
        let parentDB: DatabaseValue = row[2]
        let parentRunID = text(parentDB)
        guard parentRunID != nil || parentDB.isNull else { throw corrupted("parent run id") }
        guard let status = text(row[3]).flatMap(RunState.Status.init(rawValue:)) else { throw corrupted("status") }
        guard let step = integer(row[4]).flatMap({ Int(exactly: $0) }) else { throw corrupted("step") }
        guard let lastJuncture = text(row[5]).flatMap({ Juncture($0) }) else { throw corrupted("last juncture") }
        guard let checkpoints = integer(row[6]).flatMap({ Int(exactly: $0) }) else { throw corrupted("checkpoint count") }
        guard let updatedAt = integer(row[7]) else { throw corrupted("update time") }
        var lease: Lease?
        if let owner = text(row[8]), let expiresAt = integer(row[9]) {
            lease = Lease(runID: runID, owner: owner, expiresAt: Timestamp(millisecondsSinceEpoch: expiresAt))
        }
        return RunSummary(
            runID: runID, agent: agent, parentRunID: parentRunID, status: status, step: step,
            lastJuncture: lastJuncture, checkpoints: checkpoints,
            updatedAt: Timestamp(millisecondsSinceEpoch: updatedAt), lease: lease)
    }

    // `@inline(never)`: inlined into `summary(_:)`, these crash Swift 6.3's optimizer (CopyPropagation) in release.
    @inline(never)
    private static func text(_ value: DatabaseValue) -> String? {
        switch value.storage {
        case .string(let string): string
        default: nil
        }
    }

    @inline(never)
    private static func integer(_ value: DatabaseValue) -> Int64? {
        switch value.storage {
        case .int64(let int): int
        default: nil
        }
    }

    // MARK: Access

    // Synchronous on purpose (see the type's note); being non-async, these pick GRDB's blocking overloads.

    func reading<T>(runID: String?, _ body: (Database) throws -> T) throws -> T {
        do {
            // One SELECT is atomic on its own: no BEGIN/COMMIT around it (GRDB's `unsafeRead`).
            return try database.unsafeRead(body)
        } catch {
            throw Self.checkpointError(error, "read " + (runID.map { "of run \($0) " } ?? "") + "failed", runID: runID)
        }
    }

    func writing<T>(runID: String?, _ message: @autoclosure () -> String, _ body: (Database) throws -> T) throws -> T {
        do {
            return try database.writeWithoutTransaction(body)
        } catch {
            throw Self.checkpointError(error, message(), runID: runID)
        }
    }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction (taking the write lock first, so concurrent writers queue
    /// instead of failing on a lock upgrade), committing if it returns and rolling back if it throws.
    /// Cached BEGIN/COMMIT statements: GRDB's `inTransaction` compiles them at every call.
    private static func immediateTransaction<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        try db.cachedStatement(sql: "BEGIN IMMEDIATE TRANSACTION").execute()
        do {
            let result = try body()
            try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
            return result
        } catch {
            if db.isInsideTransaction { try? db.rollback() }
            throw error
        }
    }

    /// `error` as a ``CheckpointError``: damaged files are ``CheckpointError/Code/corrupted``, a duplicate
    /// checkpoint a ``CheckpointError/Code/conflict``, every other SQLite failure ``CheckpointError/Code/storage``.
    static func checkpointError(_ error: any Error, _ message: String, runID: String? = nil) -> any Error {
        if error is CheckpointError || error is CancellationError { return error }
        guard let error = error as? DatabaseError else {
            return CheckpointError(.storage, "\(message): \(error)", runID: runID)
        }
        let code: CheckpointError.Code =
            switch error.resultCode {
            case .SQLITE_NOTADB, .SQLITE_CORRUPT, .SQLITE_FORMAT: .corrupted
            case .SQLITE_CONSTRAINT where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY: .conflict
            default: .storage
            }
        let detail = error.message.map { "\(message): \($0)" } ?? message
        return CheckpointError(code, "\(detail) (\(error.resultCode))", runID: runID)
    }
}
