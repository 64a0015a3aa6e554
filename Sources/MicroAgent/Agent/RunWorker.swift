import Micro

/// One worker of a pool sharing a ``Checkpointer``: takes up runs that are waiting to be driven (submitted with
/// ``AgentRunner/submit(_:input:runID:)``, or left running by a worker that died once its lease expired) and
/// drives them, up to ``concurrency`` at once.
///
/// Taking a run is winning its lease (``Checkpointer/acquireLease(runID:owner:duration:now:)``): of workers
/// racing for a run one gets it and the others see ``CheckpointError/Code/leaseHeld``, and the winner's runner
/// renews it while it drives the run (``AgentRunner/heartbeat``), so the same run is never driven by two
/// workers at once; and if a worker lost its lease anyway, fencing refuses its next commit. A run that ends
/// in an error (the process's crash, a storage failure) keeps its lease and is taken up again, by any worker,
/// once it has expired; a worker that is cancelled gives its runs' leases back.
///
/// Time is the environment's: live in a real pool, since the lease expiries of other processes are judged on
/// it.
public struct RunWorker: Sendable {
    /// What happened to a run this worker took.
    public enum Event: Sendable {
        /// The worker won the run's lease.
        case claimed(runID: String)
        /// The run finished, paused or was found finished.
        case ended(runID: String, RunResult)
        /// Driving the run threw (its lease is kept until it expires, then it is taken up again).
        case crashed(runID: String, error: String)
        /// The run belongs to an agent this worker does not have: its lease was given back at once and this worker
        /// leaves it to others.
        case skipped(runID: String, error: String)
    }

    public var checkpointer: any Checkpointer
    /// Who holds this worker's leases; unique per worker process.
    public var owner: String
    public var leaseDuration: Duration
    /// How long to wait before looking again when there was nothing to take.
    public var pollInterval: Duration
    /// Runs driven at once.
    public var concurrency: Int
    public var environment: Environment
    /// Stop once no top-level run in the checkpointer is still running (finished, paused and failed ones do not
    /// count), instead of waiting for more.
    public var exitWhenDone: Bool
    /// Makes the runner for one run it took. The runner must use this worker's ``checkpointer``, ``owner`` and
    /// ``leaseDuration`` (and should set ``AgentRunner/heartbeat``). A run of an agent the runner does not have is
    /// given back and left to other workers.
    public var makeRunner: @Sendable (_ runID: String) async throws -> AgentRunner
    public var onEvent: @Sendable (Event) async -> Void

    public init(
        checkpointer: any Checkpointer, owner: String, leaseDuration: Duration, pollInterval: Duration = .milliseconds(200),
        concurrency: Int = 1, environment: Environment, exitWhenDone: Bool = false,
        makeRunner: @escaping @Sendable (_ runID: String) async throws -> AgentRunner,
        onEvent: @escaping @Sendable (Event) async -> Void = { _ in }
    ) {
        self.checkpointer = checkpointer
        self.owner = owner
        self.leaseDuration = leaseDuration
        self.pollInterval = pollInterval
        self.concurrency = max(1, concurrency)
        self.environment = environment
        self.exitWhenDone = exitWhenDone
        self.makeRunner = makeRunner
        self.onEvent = onEvent
    }

    /// Takes up and drives runs until the task is cancelled (or, with ``exitWhenDone``, no run is left).
    /// Returns how many runs it drove to an end.
    @discardableResult
    public func run() async throws -> Int {
        try await withThrowingTaskGroup(of: (runID: String, foreign: Bool)?.self) { group in
            var running: Set<String> = []
            var foreign: Set<String> = []
            var timerPending = false
            var ended = 0
            while !Task.isCancelled {
                if running.count < concurrency {
                    let claimed = await claim(excluding: running.union(foreign), limit: concurrency - running.count)
                    for (runID, lease) in claimed {
                        running.insert(runID)
                        group.addTask { await drive(runID, lease: lease) }
                    }
                    if !claimed.isEmpty { continue }
                    if running.isEmpty, exitWhenDone, try await nothingLeft(besides: foreign) { break }
                }
                if !timerPending {
                    let environment = environment, pollInterval = pollInterval
                    group.addTask {
                        try? await environment.sleep(for: pollInterval)
                        return nil
                    }
                    timerPending = true
                }
                guard let next = try await group.next() else { break }
                if let (runID, isForeign) = next {
                    running.remove(runID)
                    if isForeign { foreign.insert(runID) } else { ended += 1 }
                } else {
                    timerPending = false
                }
            }
            group.cancelAll()
            return ended
        }
    }

    /// Wins the leases of up to `limit` claimable runs not already driven here.
    func claim(excluding running: Set<String>, limit: Int) async -> [(String, Lease)] {
        let now = environment.now()
        guard let candidates = try? await checkpointer.claimableRuns(now: now, limit: limit + running.count) else { return [] }
        var claimed: [(String, Lease)] = []
        for candidate in candidates where !running.contains(candidate.runID) && claimed.count < limit {
            // Lost races (leaseHeld) and storage hiccups alike: the run stays for whoever gets it.
            guard let lease = try? await checkpointer.acquireLease(
                runID: candidate.runID, owner: owner, duration: leaseDuration, now: environment.now())
            else { continue }
            claimed.append((candidate.runID, lease))
        }
        return claimed
    }

    /// Whether every top-level run but `foreign` ones has stopped running (all leases counted as expired).
    func nothingLeft(besides foreign: Set<String>) async throws -> Bool {
        try await checkpointer.claimableRuns(now: Timestamp(millisecondsSinceEpoch: .max), limit: foreign.count + 1)
            .allSatisfy { foreign.contains($0.runID) }
    }

    /// Drives one run it holds the lease of; returns its id and whether it belongs to an agent this worker lacks.
    func drive(_ runID: String, lease: Lease) async -> (runID: String, foreign: Bool) {
        await onEvent(.claimed(runID: runID))
        do {
            let runner = try await makeRunner(runID)
            guard runner.owner == owner else {
                throw AgentError(.unknownRun, "the runner for run \(runID) holds leases as \(runner.owner), not as the worker \(owner)")
            }
            let result = try await runner.resume(runID: runID)
            // Only if it is still the claim's (the session renewed and released its own otherwise).
            try? await checkpointer.releaseLease(lease)
            await onEvent(.ended(runID: runID, result))
        } catch is CancellationError {
            try? await checkpointer.releaseLease(lease)
        } catch let error as AgentError where error.code == .unknownAgent {
            try? await checkpointer.releaseLease(lease)
            await onEvent(.skipped(runID: runID, error: "\(error)"))
            return (runID, true)
        } catch {
            await onEvent(.crashed(runID: runID, error: "\(error)"))
        }
        return (runID, false)
    }
}
