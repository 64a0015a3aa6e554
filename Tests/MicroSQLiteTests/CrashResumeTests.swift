import Micro
import MicroAgent
import MicroExamples
import MicroSQLite
import Synchronization
import Testing

/// Drops the agent after every checkpoint of a multi-tool, multi-agent run, rebuilds everything from the same
/// SQLite file and resumes: the output and the side-effect ledger must equal an uninterrupted run's.
@Suite struct CrashResumeTests {
    struct SimulatedCrash: Error {}

    /// Everything one "process" has: its own store, checkpointer, services and agents on a shared file.
    struct Process {
        let runner: AgentRunner
        let store: SQLiteStore
        let checkpointer: SQLiteCheckpointer

        init(db: String, clock: VirtualClock, owner: String, crashAt: Int? = nil) async throws {
            let environment = Environment.simulated(seed: 11, clock: clock)
            store = try SQLiteStore(path: db, environment: environment)
            checkpointer = try SQLiteCheckpointer(path: db)
            let runtime = Runtime(
                environment: environment, registry: InMemoryRegistry(environment: environment),
                broker: InMemoryBroker(), store: store, nodeID: "node-\(owner)")
            try await TravelServices.serve(on: runtime)
            let counter = Mutex(0)
            runner = AgentRunner(
                runtime: runtime, checkpointer: checkpointer, agents: TravelAgents.all(), owner: owner,
                leaseDuration: .seconds(60),
                onCheckpoint: { _ in
                    let count = counter.withLock { count -> Int in
                        count += 1
                        return count
                    }
                    if count == crashAt { throw SimulatedCrash() }
                })
        }
    }

    struct Outcome: Equatable {
        var output: String?
        var effects: [String]
    }

    static func outcome(_ result: RunResult, _ store: SQLiteStore) async throws -> Outcome {
        let effects = try await SideEffectLedger(store: store).entries().map {
            "\($0.kind) \($0.key) #\($0.occurrence) \($0.payload.canonicalString())"
        }
        return Outcome(output: result.output, effects: effects)
    }

    /// The uninterrupted run: its outcome and how many checkpoints it commits.
    static func reference() async throws -> (Outcome, checkpoints: Int) {
        try await TemporaryDirectory.with { directory in
            let process = try await Process(db: directory.file("reference.sqlite"), clock: VirtualClock(), owner: "ref")
            let result = try await process.runner.run(TravelAgents.coordinator, input: TravelAgents.prompt, runID: "trip")
            #expect(result.status == .completed)
            let runs = try await process.checkpointer.runs()
            var total = 0
            for run in runs { total += try await process.checkpointer.history(runID: run.runID).count }
            return (try await outcome(result, process.store), total)
        }
    }

    static let referenceRun = Mutex<(Outcome, Int)?>(nil)

    static func cachedReference() async throws -> (Outcome, checkpoints: Int) {
        if let cached = referenceRun.withLock({ $0 }) { return cached }
        let computed = try await reference()
        referenceRun.withLock { $0 = computed }
        return computed
    }

    @Test func theReferenceRunIsMultiToolAndMultiAgent() async throws {
        let (outcome, checkpoints) = try await Self.cachedReference()
        #expect(outcome.output?.hasPrefix("Trip booked") == true)
        #expect(outcome.effects.count == 2)  // the hotel's charge (via the booker) and the deposit
        #expect(checkpoints >= 25)
    }

    @Test func crashAfterEveryJunctureThenResumeMatchesTheUninterruptedRun() async throws {
        let (expected, checkpoints) = try await Self.cachedReference()
        for juncture in 1...checkpoints {
            try await TemporaryDirectory.with { directory in
                let db = directory.file("run.sqlite")
                let clock = VirtualClock()
                let first = try await Process(db: db, clock: clock, owner: "process-1", crashAt: juncture)
                await #expect(throws: SimulatedCrash.self, "crash at juncture \(juncture)") {
                    _ = try await first.runner.run(TravelAgents.coordinator, input: TravelAgents.prompt, runID: "trip")
                }
                // A new process on the same file, after the crashed one's leases expired.
                clock.advance(by: .seconds(61))
                let second = try await Process(db: db, clock: clock, owner: "process-2")
                let result = try await second.runner.resume(runID: "trip")
                #expect(result.status == .completed, "crash at juncture \(juncture)")
                let outcome = try await Self.outcome(result, second.store)
                #expect(outcome == expected, "crash at juncture \(juncture)")
                #expect(try await SideEffectLedger(store: second.store).duplicates().isEmpty, "crash at juncture \(juncture)")
                for run in try await second.checkpointer.runs() {
                    let sequences = try await second.checkpointer.history(runID: run.runID).map(\.sequence)
                    #expect(sequences == Array(1...sequences.count), "checkpoints of \(run.runID), crash at \(juncture)")
                }
            }
        }
    }

    @Test func aSecondResumerIsRefusedWhileTheLeaseIsHeld() async throws {
        try await TemporaryDirectory.with { directory in
            let db = directory.file("lease.sqlite")
            let clock = VirtualClock()
            let first = try await Process(db: db, clock: clock, owner: "process-1", crashAt: 5)
            await #expect(throws: SimulatedCrash.self) {
                _ = try await first.runner.run(TravelAgents.coordinator, input: TravelAgents.prompt, runID: "trip")
            }
            let second = try await Process(db: db, clock: clock, owner: "process-2")
            let error = await #expect(throws: CheckpointError.self) { try await second.runner.resume(runID: "trip") }
            #expect(error?.code == .leaseHeld)
            #expect(error?.holder?.owner == "process-1")
            #expect(error?.description.contains("process-1") == true)
            clock.advance(by: .seconds(61))
            let result = try await second.runner.resume(runID: "trip")
            #expect(result.status == .completed)
        }
    }
}
