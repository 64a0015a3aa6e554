import Micro
import MicroAgent
import MicroPostgres
import Testing

extension PostgresServerTests {
    /// Two workers (two backends, each with its own pool, as two processes) racing for one run.
    @Suite struct PostgresFencingTests {
        static let t0 = Timestamp(millisecondsSinceEpoch: 946_684_800_000)
        static func at(_ seconds: Int64) -> Timestamp { t0.advanced(by: .seconds(seconds)) }

        static func checkpoint(_ runID: String, _ sequence: Int, at seconds: Int64) -> Checkpoint {
            var state = RunState(runID: runID, agent: "planner", parentRunID: nil, depth: 0, startedAt: t0)
            state.step = sequence
            return Checkpoint(runID: runID, sequence: sequence, juncture: .beforeModel(step: sequence), state: state, at: at(seconds))
        }

        /// Runs `body` with two checkpointers on one fresh database, through separate pools.
        func withTwoWorkers(_ body: (PostgresCheckpointer, PostgresCheckpointer) async throws -> Void) async throws {
            try await PostgresTestServer.required().withDatabase { configuration in
                try await PostgresBackend.with(configuration) { a in
                    try await PostgresBackend.with(configuration) { b in
                        try await body(PostgresCheckpointer(backend: a), PostgresCheckpointer(backend: b))
                    }
                }
            }
        }

        @Test func onlyOneWorkerWinsTheLeaseAndCommits() async throws {
            try await withTwoWorkers { a, b in
                for round in 0..<20 {
                    let runID = "race-\(round)"
                    // Both ask at once; exactly one lease is granted.
                    async let leaseA = outcome { try await a.acquireLease(runID: runID, owner: "A", duration: .seconds(30), now: Self.at(0)) }
                    async let leaseB = outcome { try await b.acquireLease(runID: runID, owner: "B", duration: .seconds(30), now: Self.at(0)) }
                    let results = [await leaseA, await leaseB]
                    let granted = results.compactMap { try? $0.get() }
                    #expect(granted.count == 1, "round \(round): \(results)")
                    for case .failure(let error) in results {
                        #expect((error as? CheckpointError)?.code == .leaseHeld, "\(error)")
                        #expect((error as? CheckpointError)?.holder == granted.first)
                    }
                    // Both try to commit sequence 1 with whatever lease they have: only the holder's lands.
                    let winner = try #require(granted.first)
                    let fake = Lease(runID: runID, owner: winner.owner == "A" ? "B" : "A", expiresAt: winner.expiresAt)
                    async let commitA = outcome { try await a.commit(Self.checkpoint(runID, 1, at: 1), lease: winner.owner == "A" ? winner : fake) }
                    async let commitB = outcome { try await b.commit(Self.checkpoint(runID, 1, at: 1), lease: winner.owner == "B" ? winner : fake) }
                    let commits = [await commitA, await commitB]
                    #expect(commits.filter { (try? $0.get()) != nil }.count == 1, "round \(round): \(commits)")
                    #expect(try await a.history(runID: runID).count == 1)
                }
            }
        }

        @Test func afterExpiryTheOtherWorkerTakesOverAndFencesTheFirst() async throws {
            try await withTwoWorkers { a, b in
                let runID = "takeover"
                let first = try await a.acquireLease(runID: runID, owner: "A", duration: .seconds(10), now: Self.at(0))
                try await a.commit(Self.checkpoint(runID, 1, at: 1), lease: first)
                // Still held: B is refused and told who holds it.
                let held = try await #require(throws: CheckpointError.self) {
                    try await b.acquireLease(runID: runID, owner: "B", duration: .seconds(10), now: Self.at(9))
                }
                #expect(held.code == .leaseHeld)
                #expect(held.holder == first)
                // Expired at 10: B takes over and resumes.
                let second = try await b.acquireLease(runID: runID, owner: "B", duration: .seconds(10), now: Self.at(10))
                try await b.commit(Self.checkpoint(runID, 2, at: 11), lease: second)
                // A's commit (timestamped while its lease was still valid) is refused: the lease row is B's now.
                let lost = try await #require(throws: CheckpointError.self) {
                    try await a.commit(Self.checkpoint(runID, 3, at: 5), lease: first)
                }
                #expect(lost.code == .leaseLost, "\(lost)")
                #expect(lost.holder == second)
                #expect(try await b.history(runID: runID).map(\.sequence) == [1, 2])
                #expect(try await a.runs().first?.lease == second)
            }
        }

        /// A takeover racing a commit: whichever order PostgreSQL picks, the commit lands only if it came first,
        /// and never after the new owner's first commit.
        @Test func commitRacingATakeoverIsFenced() async throws {
            try await withTwoWorkers { a, b in
                for round in 0..<20 {
                    let runID = "fence-\(round)"
                    let first = try await a.acquireLease(runID: runID, owner: "A", duration: .seconds(10), now: Self.at(0))
                    async let commit = outcome { try await a.commit(Self.checkpoint(runID, 1, at: 9), lease: first) }
                    async let takeover = outcome {
                        try await b.acquireLease(runID: runID, owner: "B", duration: .seconds(10), now: Self.at(10))
                    }
                    let (committed, taken) = (await commit, await takeover)
                    let second = try taken.get()
                    let history = try await b.history(runID: runID)
                    switch committed {
                    case .success: #expect(history.map(\.sequence) == [1])
                    case .failure(let error):
                        #expect((error as? CheckpointError)?.code == .leaseLost, "\(error)")
                        #expect(history.isEmpty)
                    }
                    // The new owner continues from whatever is there; the old lease can no longer write.
                    try await b.commit(Self.checkpoint(runID, history.count + 1, at: 11), lease: second)
                    await #expect(throws: CheckpointError.self) {
                        try await a.commit(Self.checkpoint(runID, history.count + 2, at: 9), lease: first)
                    }
                }
            }
        }
    }
}

/// What `body` returned or threw.
func outcome<T>(_ body: () async throws -> T) async -> Result<T, any Error> {
    do { return .success(try await body()) } catch { return .failure(error) }
}

extension Result {
    /// The error, if this is a failure.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
