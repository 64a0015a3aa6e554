import Micro

/// Durable storage of run checkpoints, with leases so only one process advances a run at a time.
///
/// ## Contract every backend keeps
/// - ``commit(_:lease:)`` is atomic (one transaction): the checkpoint is stored completely or not at all.
///   Sequences of a run are 1, 2, 3, …: committing a sequence that is not the latest + 1 throws
///   ``CheckpointError/Code/conflict`` (another writer got there first), so no checkpoint is lost or
///   overwritten. The run's summary (status, step, juncture) updates in the same transaction.
/// - When a lease is given, the commit succeeds only if that lease is still the run's current, unexpired
///   lease at `checkpoint.at` (fencing: a process that lost its lease cannot write). Otherwise it throws
///   ``CheckpointError/Code/leaseLost``.
/// - ``acquireLease(runID:owner:duration:now:)`` grants the lease if the run has none, the holder is the same
///   owner, or the current lease expired at or before `now`; otherwise it throws
///   ``CheckpointError/Code/leaseHeld`` naming the holder and the expiry.
/// - Reads return what was committed, byte-for-byte equal after decoding (`Checkpoint` is `Hashable`).
/// - Malformed stored data throws ``CheckpointError/Code/corrupted`` naming the run and sequence; never traps.
public protocol Checkpointer: Sendable {
    /// Commits `checkpoint`, checking `lease` when given.
    func commit(_ checkpoint: Checkpoint, lease: Lease?) async throws

    /// The latest checkpoint of `runID`, or nil if the run is unknown.
    func latest(runID: String) async throws -> Checkpoint?

    /// Every checkpoint of `runID`, in sequence order.
    func history(runID: String) async throws -> [Checkpoint]

    /// Summaries of every run, most recently updated first.
    func runs() async throws -> [RunSummary]

    /// Takes (or renews, or takes over an expired) lease on `runID` for `owner`, valid until `now + duration`.
    func acquireLease(runID: String, owner: String, duration: Duration, now: Timestamp) async throws -> Lease

    /// Gives up `lease` if it is still current; does nothing otherwise.
    func releaseLease(_ lease: Lease) async throws

    /// Top-level runs a worker may take up at `now`: status running, no parent run, and no lease or one that
    /// expired at or before `now`; least recently updated first, at most `limit`. Taking one is then
    /// ``acquireLease(runID:owner:duration:now:)``, which only one of racing workers wins. The default reads
    /// ``runs()``; backends answer it with one query.
    func claimableRuns(now: Timestamp, limit: Int) async throws -> [RunSummary]
}

extension Checkpointer {
    public func claimableRuns(now: Timestamp, limit: Int) async throws -> [RunSummary] {
        let runs = try await runs().filter { $0.isClaimable(at: now) }
        return Array(runs.sorted(by: RunSummary.leastRecentlyUpdatedFirst).prefix(max(0, limit)))
    }
}

extension RunSummary {
    /// Whether a worker may take this run up at `now` (see ``Checkpointer/claimableRuns(now:limit:)``).
    public func isClaimable(at now: Timestamp) -> Bool {
        status == .running && parentRunID == nil && (lease.map { $0.expiresAt <= now } ?? true)
    }

    /// Least recently updated first; ties in run-ID byte order.
    public static func leastRecentlyUpdatedFirst(_ a: RunSummary, _ b: RunSummary) -> Bool {
        if a.updatedAt != b.updatedAt { return a.updatedAt < b.updatedAt }
        return a.runID.utf8.lexicographicallyPrecedes(b.runID.utf8)
    }
}

/// A checkpoint storage or lease failure.
public struct CheckpointError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Another process holds an unexpired lease on the run.
        public static let leaseHeld = Code(rawValue: "lease_held")
        /// The writer's lease expired or was taken over.
        public static let leaseLost = Code(rawValue: "lease_lost")
        /// The sequence does not follow the latest committed one.
        public static let conflict = Code(rawValue: "conflict")
        /// No such run.
        public static let notFound = Code(rawValue: "not_found")
        /// Stored data cannot be decoded.
        public static let corrupted = Code(rawValue: "corrupted")
        /// The storage failed (I/O, locked database).
        public static let storage = Code(rawValue: "storage")
    }

    public var code: Code
    public var message: String
    public var runID: String?
    /// For ``Code/leaseHeld``: the current lease.
    public var holder: Lease?

    public init(_ code: Code, _ message: String, runID: String? = nil, holder: Lease? = nil) {
        self.code = code
        self.message = message
        self.runID = runID
        self.holder = holder
    }

    public var description: String { "\(code): \(message)" }
}

extension Lease {
    /// Throws ``CheckpointError/Code/leaseLost`` if this lease cannot fence a commit to `runID` at `at`,
    /// whatever the backend holds: it is another run's, or it has expired by then. Backends then check that
    /// it is still the run's current lease.
    public func checkUsable(runID: String, at: Timestamp) throws(CheckpointError) {
        guard self.runID == runID else {
            throw CheckpointError(.leaseLost, "the lease of run \(self.runID) cannot commit to run \(runID)", runID: runID)
        }
        guard at < expiresAt else {
            throw CheckpointError(
                .leaseLost, "lease of \(owner) on run \(runID) expired at \(expiresAt) (commit at \(at))", runID: runID)
        }
    }
}
