import Micro
import MicroAgent
import MicroSQLite
import Synchronization
import Testing

/// Workers sharing one SQLite file, each with its own connections, runtime and runner (as separate processes
/// would), on real time: leases are judged across workers.
@Suite struct RunWorkerTests {
    struct Charge: Codable, Sendable { var amount: Int }
    struct Receipt: Codable, Sendable { var occurrence: Int }

    /// Which runs a charge is executing for right now, across every worker of a test, and the most at once.
    final class Overlap: Sendable {
        private let state = Mutex<(now: [String: Int], most: Int, calls: Int)>(([:], 0, 0))
        func enter(_ runID: String) {
            state.withLock {
                $0.now[runID, default: 0] += 1
                $0.most = max($0.most, $0.now[runID]!)
                $0.calls += 1
            }
        }
        func leave(_ runID: String) { state.withLock { $0.now[runID, default: 1] -= 1 } }
        var most: Int { state.withLock { $0.most } }
        var calls: Int { state.withLock { $0.calls } }
    }

    struct Crash: Error {}

    /// One worker "process" on `db`.
    static func worker(
        db: String, owner: String, overlap: Overlap, lease: Duration = .milliseconds(600), concurrency: Int = 2,
        exitWhenDone: Bool = true, crashAt juncture: String? = nil, hangAfterCharge: Bool = false,
        charged: (@Sendable () -> Void)? = nil, events: (@Sendable (RunWorker.Event) -> Void)? = nil,
        heartbeat: Bool = true, chargeTakes: Duration? = nil
    ) async throws -> RunWorker {
        let environment = Environment.live
        let store = try SQLiteStore(path: db, environment: environment)
        let checkpointer = try SQLiteCheckpointer(path: db)
        let runtime = Runtime(
            environment: environment, registry: InMemoryRegistry(environment: environment), broker: InMemoryBroker(), store: store)
        let ledger = SideEffectLedger(store: store)
        try await runtime.serve(Service("payments") {
            Endpoint("charge", description: "Charges once per idempotency key") { (request: Charge, context: CallContext) in
                overlap.enter(context.runID)
                defer { overlap.leave(context.runID) }
                if let chargeTakes { try await context.environment.sleep(for: chargeTakes) }
                let effect = try await ledger.perform(
                    key: context.idempotencyKey, kind: "payments.charge", payload: ["amount": .integer(request.amount)],
                    at: context.environment.now())
                charged?()
                if hangAfterCharge { try await context.environment.hang() }
                return Receipt(occurrence: effect.occurrence)
            }
        })
        // Once its run has crashed, this "process" is dead: every later commit of it crashes too (a resume
        // included, should it take the run up again before the test stops it).
        let dead = Mutex(false)
        let agent = Agent(
            name: "payer", instructions: "Charge, then say so.",
            model: ScriptedModel(
                [
                    .calls([ToolCall(id: "c1", name: "payments_charge", arguments: ["amount": 40])]),
                    .answer("Charged 40."),
                ], selection: .byAssistantTurns))
        return RunWorker(
            checkpointer: checkpointer, owner: owner, leaseDuration: lease, pollInterval: .milliseconds(20),
            concurrency: concurrency, environment: environment, exitWhenDone: exitWhenDone,
            makeRunner: { _ in
                AgentRunner(
                    runtime: runtime, checkpointer: checkpointer, agents: [agent], owner: owner, leaseDuration: lease,
                    onCheckpoint: { checkpoint in
                        let crash = dead.withLock { dead in
                            if checkpoint.juncture.description == juncture { dead = true }
                            return dead
                        }
                        if crash { throw Crash() }
                    },
                    heartbeat: heartbeat ? lease / 3 : nil)
            },
            onEvent: { event in events?(event) })
    }

    static func submit(db: String, runs: [String], agent name: String = "payer") async throws {
        let environment = Environment.live
        let runtime = Runtime(
            environment: environment, registry: InMemoryRegistry(environment: environment), broker: InMemoryBroker(),
            store: try SQLiteStore(path: db, environment: environment))
        let agent = Agent(name: name, instructions: "", model: ScriptedModel([]))
        let runner = AgentRunner(runtime: runtime, checkpointer: try SQLiteCheckpointer(path: db), agents: [agent], owner: "submitter")
        for run in runs { try await runner.submit(name, input: "Charge 40.", runID: run) }
    }

    /// Every run completed with the scripted answer, each charged exactly once, with no checkpoint missing.
    static func expectAllDone(db: String, runs: [String]) async throws {
        let checkpointer = try SQLiteCheckpointer(path: db)
        for run in runs {
            let latest = try #require(try await checkpointer.latest(runID: run))
            #expect(latest.state.status == .completed, "run \(run)")
            let history = try await checkpointer.history(runID: run).map(\.sequence)
            #expect(history == Array(1...history.count), "run \(run)")
        }
        let effects = try await SideEffectLedger(store: try SQLiteStore(path: db, environment: .live)).entries()
        #expect(effects.map(\.key).sorted() == runs.map { "\($0)/1/0" }.sorted())
        #expect(effects.allSatisfy { $0.occurrence == 1 })
    }

    @Test func submittedRunsAreClaimableAndFinishedOnesAreNot() async throws {
        try await TemporaryDirectory.with { directory in
            let db = directory.file("pool.sqlite")
            try await Self.submit(db: db, runs: ["r1", "r2"])
            let checkpointer = try SQLiteCheckpointer(path: db)
            let now = Environment.live.now()
            #expect(try await checkpointer.claimableRuns(now: now, limit: 10).map(\.runID) == ["r1", "r2"])
            let lease = try await checkpointer.acquireLease(runID: "r1", owner: "w", duration: .seconds(5), now: now)
            #expect(try await checkpointer.claimableRuns(now: now, limit: 10).map(\.runID) == ["r2"])
            // Expired, it is claimable again; the in-memory default agrees with SQLite's query.
            #expect(try await checkpointer.claimableRuns(now: lease.expiresAt, limit: 10).map(\.runID) == ["r1", "r2"])
            #expect(try await checkpointer.claimableRuns(now: now, limit: 1).map(\.runID) == ["r2"])
            try await checkpointer.releaseLease(lease)
            let overlap = Overlap()
            try await Self.worker(db: db, owner: "w1", overlap: overlap).run()
            #expect(try await checkpointer.claimableRuns(now: lease.expiresAt, limit: 10).isEmpty)
            try await Self.expectAllDone(db: db, runs: ["r1", "r2"])
        }
    }

    @Test func aRunOfAnAgentTheWorkerLacksIsGivenBackAndLeftToOthers() async throws {
        try await TemporaryDirectory.with { directory in
            let db = directory.file("pool.sqlite")
            try await Self.submit(db: db, runs: ["mine"])
            try await Self.submit(db: db, runs: ["theirs"], agent: "stranger")
            let skipped = Mutex<[String]>([])
            let worker = try await Self.worker(
                db: db, owner: "w1", overlap: Overlap(),
                events: { event in if case .skipped(let run, _) = event { skipped.withLock { $0.append(run) } } })
            // Exits once only the foreign run is left, having tried it once.
            #expect(try await worker.run() == 1)
            #expect(skipped.withLock { $0 } == ["theirs"])
            let checkpointer = try SQLiteCheckpointer(path: db)
            #expect(try await checkpointer.claimableRuns(now: Environment.live.now(), limit: 5).map(\.runID) == ["theirs"])
            try await Self.expectAllDone(db: db, runs: ["mine"])
        }
    }

    @Test func twoWorkersRacingForRunsNeverDriveOneTwiceAtOnce() async throws {
        try await TemporaryDirectory.with { directory in
            let db = directory.file("pool.sqlite")
            let runs = (1...24).map { "run-\($0)" }
            try await Self.submit(db: db, runs: runs)
            let overlap = Overlap()
            let claims = Mutex<[String: [String]]>([:])
            func record(_ owner: String) -> @Sendable (RunWorker.Event) -> Void {
                { event in if case .claimed(let run) = event { claims.withLock { $0[run, default: []].append(owner) } } }
            }
            let first = try await Self.worker(db: db, owner: "w1", overlap: overlap, events: record("w1"))
            let second = try await Self.worker(db: db, owner: "w2", overlap: overlap, events: record("w2"))
            let driven = try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask { try await first.run() }
                group.addTask { try await second.run() }
                return try await group.reduce(0, +)
            }
            #expect(driven >= runs.count)
            #expect(claims.withLock { Set($0.keys) } == Set(runs))
            #expect(overlap.most == 1)
            #expect(overlap.calls == runs.count)
            try await Self.expectAllDone(db: db, runs: runs)
        }
    }

    /// A charge that takes three leases' time while another worker polls: with the heartbeat the run stays its
    /// worker's; without it, the lease lapses mid-call and the other worker drives the same run at once (the
    /// check this test makes fails there, which is what the heartbeat is for).
    @Test(arguments: [true, false])
    func theHeartbeatKeepsALongCallsRunFromBeingTakenOver(heartbeat: Bool) async throws {
        try await TemporaryDirectory.with { directory in
            let db = directory.file("pool.sqlite")
            try await Self.submit(db: db, runs: ["slow"])
            let overlap = Overlap()
            // Generous against a loaded machine (a full parallel `swift test` starting database engines): the
            // heartbeat (a third of the lease) may be late by almost a lease, and without it the other worker has
            // two leases' time to take the lapsed run over.
            let lease = Duration.seconds(4)
            let (claims, claimed) = AsyncStream.makeStream(of: Void.self)
            let first = try await Self.worker(
                db: db, owner: "first", overlap: overlap, lease: lease,
                events: { event in if case .claimed = event { claimed.yield() } }, heartbeat: heartbeat,
                chargeTakes: .seconds(12))
            let second = try await Self.worker(db: db, owner: "second", overlap: overlap, lease: lease, heartbeat: heartbeat)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { _ = try await first.run() }
                for await _ in claims { break }
                group.addTask { _ = try await second.run() }
                try await group.waitForAll()
            }
            if heartbeat {
                #expect(overlap.most == 1)
                #expect(overlap.calls == 1)
            } else {
                #expect(overlap.most == 2)
            }
            try await Self.expectAllDone(db: db, runs: ["slow"])
        }
    }

    @Test func aWorkerThatDiesKeepsTheLeaseUntilItExpiresThenAnotherFinishes() async throws {
        try await TemporaryDirectory.with { directory in
            let db = directory.file("pool.sqlite")
            try await Self.submit(db: db, runs: ["trip"])
            let overlap = Overlap()
            let (crashes, crashed) = AsyncStream.makeStream(of: Void.self)
            // The first worker's run dies right after the charge's result is committed (a crash keeps the lease).
            let dying = try await Self.worker(
                db: db, owner: "dying", overlap: overlap, crashAt: "after_tool:1:0",
                events: { event in if case .crashed = event { crashed.yield() } })
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { _ = try await dying.run() }
                // Once the run has crashed, that worker is stopped (the dead run is not in flight: nothing to give back).
                for await _ in crashes { break }
                group.cancelAll()
                try await group.waitForAll()
            }
            let checkpointer = try SQLiteCheckpointer(path: db)
            let lease = try #require(try await checkpointer.runs().first?.lease)
            #expect(lease.owner == "dying")
            #expect(try await checkpointer.claimableRuns(now: lease.expiresAt.advanced(by: .milliseconds(-1)), limit: 5).isEmpty)
            #expect(try await checkpointer.claimableRuns(now: lease.expiresAt, limit: 5).map(\.runID) == ["trip"])
            let taken = Mutex<Timestamp?>(nil)
            let finisher = try await Self.worker(
                db: db, owner: "finisher", overlap: overlap,
                events: { event in if case .claimed = event { taken.withLock { $0 = Environment.live.now() } } })
            try await finisher.run()
            #expect(try #require(taken.withLock { $0 }) >= lease.expiresAt)
            #expect(overlap.calls == 1)  // the charge's result was committed: it is not called again
            try await Self.expectAllDone(db: db, runs: ["trip"])
        }
    }

    @Test func aWorkerStoppedMidCallGivesTheRunBackAndTheChargeHappensOnce() async throws {
        try await TemporaryDirectory.with { directory in
            let db = directory.file("pool.sqlite")
            try await Self.submit(db: db, runs: ["trip"])
            let overlap = Overlap()
            let (charges, charged) = AsyncStream.makeStream(of: Void.self)
            // Stopped after the charge ran and before its result was committed: the next worker calls it again
            // with the same idempotency key, and the ledger keeps one charge.
            let stopped = try await Self.worker(
                db: db, owner: "stopped", overlap: overlap, lease: .seconds(30), exitWhenDone: false, hangAfterCharge: true,
                charged: { charged.yield() })
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { _ = try await stopped.run() }
                for await _ in charges { break }
                group.cancelAll()
                try await group.waitForAll()
            }
            let checkpointer = try SQLiteCheckpointer(path: db)
            // The stopped worker gave its 30 s lease back: the run is claimable at once.
            #expect(try await checkpointer.claimableRuns(now: Environment.live.now(), limit: 5).map(\.runID) == ["trip"])
            try await Self.worker(db: db, owner: "finisher", overlap: overlap).run()
            #expect(overlap.calls == 2)
            try await Self.expectAllDone(db: db, runs: ["trip"])
        }
    }
}
