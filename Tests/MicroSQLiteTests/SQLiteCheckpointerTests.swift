import Foundation
import GRDB
import Micro
import MicroAgent
@testable import MicroSQLite
import MicroTesting
import Synchronization
import Testing

@Suite struct SQLiteCheckpointerTests {
    /// 2000-01-01T00:00:00Z plus `seconds`: far from the wall clock, so nothing can lean on it.
    static func at(_ seconds: Int64) -> Timestamp { Timestamp(millisecondsSinceEpoch: 946_684_800_000 + seconds * 1000) }

    static func checkpoint(_ runID: String, _ sequence: Int, at seconds: Int64, agent: String = "planner") -> Checkpoint {
        var state = RunState(runID: runID, agent: agent, startedAt: at(0))
        state.step = sequence
        state.memory.messages = [.user("Find a hotel in Lisbon"), .assistant("Looking… ✓")]
        return Checkpoint(runID: runID, sequence: sequence, juncture: .beforeModel(step: sequence), state: state,
                          at: at(seconds))
    }

    // MARK: The contract

    static let subjects: [ContractSubject<any Checkpointer>] = [
        ContractSubject("SQLiteCheckpointer(file)") { _, body in
            try await TemporaryDirectory.with { directory in
                let checkpointer = try SQLiteCheckpointer(path: directory.file("checkpoints.sqlite"))
                try await body(checkpointer)
                try checkpointer.close()
            }
        },
        ContractSubject("SQLiteCheckpointer(memory)") { _ in try SQLiteCheckpointer.inMemory() },
        // Two instances on one file take turns serving calls: the contract holds across processes.
        ContractSubject("SQLiteCheckpointer(two instances, one file)") { _, body in
            try await TemporaryDirectory.with { directory in
                let path = directory.file("shared.sqlite")
                let pair = Alternating(try SQLiteCheckpointer(path: path), try SQLiteCheckpointer(path: path))
                try await body(pair)
                for instance in pair.instances { try instance.close() }
            }
        },
    ]

    @Test(arguments: subjects, CheckpointerContract.checks)
    func contract(_ subject: ContractSubject<any Checkpointer>, _ check: ContractCheck<any Checkpointer>) async throws {
        try await check.run(on: subject)
    }

    // MARK: Files and processes

    @Test func historySurvivesClosingAndReopening() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.file("checkpoints.sqlite")
            let committed = (1...3).map { Self.checkpoint("run-1", $0, at: Int64($0)) }
            let lease: Lease
            do {
                let checkpointer = try SQLiteCheckpointer(path: path)
                lease = try await checkpointer.acquireLease(runID: "run-1", owner: "p1", duration: .seconds(60), now: Self.at(0))
                for checkpoint in committed { try await checkpointer.commit(checkpoint, lease: lease) }
                try checkpointer.close()
                let error = await #expect(throws: CheckpointError.self) { _ = try await checkpointer.latest(runID: "run-1") }
                #expect(error?.code == .storage)
            }
            let reopened = try SQLiteCheckpointer(path: path)
            #expect(try await reopened.history(runID: "run-1") == committed)
            #expect(try await reopened.latest(runID: "run-1") == committed.last)
            #expect(try await reopened.runs().map(\.lease) == [lease])
            try await reopened.commit(Self.checkpoint("run-1", 4, at: 4), lease: lease)
            #expect(try await reopened.history(runID: "run-1").count == 4)
        }
    }

    @Test func secondInstanceOnAFileIsFencedByTheFirstsLease() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.file("shared.sqlite")
            let first = try SQLiteCheckpointer(path: path)
            let second = try SQLiteCheckpointer(path: path)
            let lease = try await first.acquireLease(runID: "run-1", owner: "pid-100", duration: .seconds(30), now: Self.at(0))
            try await first.commit(Self.checkpoint("run-1", 1, at: 1), lease: lease)

            let held = await #expect(throws: CheckpointError.self) {
                _ = try await second.acquireLease(runID: "run-1", owner: "pid-200", duration: .seconds(30), now: Self.at(29))
            }
            #expect(held?.code == .leaseHeld)
            #expect(held?.holder == lease)
            #expect(held?.message.contains("pid-100") == true)
            #expect(held?.message.contains(Self.at(30).description) == true, "\(held?.message ?? "")")

            let takeover = try await second.acquireLease(runID: "run-1", owner: "pid-200", duration: .seconds(30), now: Self.at(30))
            #expect(takeover.owner == "pid-200")
            let lost = await #expect(throws: CheckpointError.self) {
                try await first.commit(Self.checkpoint("run-1", 2, at: 29), lease: lease)
            }
            #expect(lost?.code == .leaseLost)
            let resumed = try #require(try await second.latest(runID: "run-1"))
            try await second.commit(Self.checkpoint("run-1", resumed.sequence + 1, at: 31), lease: takeover)
            #expect(try await first.latest(runID: "run-1")?.sequence == 2)
            #expect(try await first.runs().first?.lease == takeover)
        }
    }

    @Test func instancesRacingForALeaseSerialize() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.file("race.sqlite")
            let instances = try (0..<4).map { _ in try SQLiteCheckpointer(path: path) }
            let granted = try await withThrowingTaskGroup(of: Lease?.self) { group in
                for (i, instance) in instances.enumerated() {
                    group.addTask {
                        do {
                            return try await instance.acquireLease(runID: "r", owner: "p\(i)", duration: .seconds(5), now: Self.at(0))
                        } catch let error as CheckpointError where error.code == .leaseHeld {
                            return nil
                        }
                    }
                }
                return try await group.reduce(into: [Lease]()) { if let lease = $1 { $0.append(lease) } }
            }
            #expect(granted.count == 1)
        }
    }

    @Test func sharesAFileWithSQLiteStore() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.file("micro.sqlite")
            let store = try SQLiteStore(path: path)
            let checkpointer = try SQLiteCheckpointer(path: path)
            try await store.namespace("ledger").write("k", bytes: [1])
            try await checkpointer.commit(Self.checkpoint("run-1", 1, at: 1), lease: nil)
            try store.close()
            try checkpointer.close()

            // Reopen in the other order.
            let checkpointer2 = try SQLiteCheckpointer(path: path)
            let store2 = try SQLiteStore(path: path)
            #expect(try await store2.namespace("ledger").read("k")?.value == [1])
            #expect(try await checkpointer2.latest(runID: "run-1") == Self.checkpoint("run-1", 1, at: 1))
            let tables = try checkpointer2.reading(runID: nil) { db in
                try String.fetchAll(db, sql: "SELECT type || ' ' || name FROM sqlite_master WHERE name LIKE 'micro%' ORDER BY name")
            }
            #expect(tables == ["table micro_checkpoints", "index micro_checkpoints_runs", "table micro_leases",
                               "view micro_runs", "table micro_store", "index micro_store_expiry"])
        }
    }

    // MARK: Damaged data

    @Test func garbageFileIsCorrupted() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.file("garbage.sqlite")
            try Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: CheckpointError.self) { try SQLiteCheckpointer(path: path) }
            #expect(error?.code == .corrupted)
        }
    }

    @Test(arguments: [
        ("UPDATE micro_checkpoints SET state = x'00ff7b' WHERE sequence = 2", "sequence 2: cannot decode the state"),
        ("UPDATE micro_checkpoints SET state = '{\"agent\":1}' WHERE sequence = 2", "sequence 2: cannot decode the state"),
        ("UPDATE micro_checkpoints SET state = 42 WHERE sequence = 2", "sequence 2: the state is not JSON bytes"),
        ("UPDATE micro_checkpoints SET juncture = 'before_model:x' WHERE sequence = 2", "sequence 2: malformed juncture"),
        ("UPDATE micro_checkpoints SET at = 'noon' WHERE sequence = 2", "sequence 2: malformed timestamp"),
    ])
    func damagedCheckpointRowIsCorruptedNamingRunAndSequence(damage: String, fragment: String) async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.file("damaged.sqlite")
            let checkpointer = try SQLiteCheckpointer(path: path)
            for sequence in 1...2 { try await checkpointer.commit(Self.checkpoint("run-7", sequence, at: 1), lease: nil) }
            try Self.damage(path, damage)
            let reads: [@Sendable () async throws -> Void] = [
                { _ = try await checkpointer.latest(runID: "run-7") }, { _ = try await checkpointer.history(runID: "run-7") },
            ]
            for read in reads {
                let error = await #expect(throws: CheckpointError.self) { try await read() }
                #expect(error?.code == .corrupted)
                #expect(error?.runID == "run-7")
                #expect(error?.message.contains("run run-7 \(fragment)") == true, "\(error?.message ?? "")")
            }
        }
    }

    @Test(arguments: [
        ("UPDATE micro_checkpoints SET status = 'sleeping'", "status"),
        ("UPDATE micro_checkpoints SET juncture = 'nowhere'", "last juncture"),
        ("UPDATE micro_checkpoints SET step = 'x'", "step"),
        ("UPDATE micro_checkpoints SET agent = x'00'", "agent"),
    ])
    func damagedSummaryIsCorruptedNamingTheRun(damage: String, column: String) async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.file("damaged.sqlite")
            let checkpointer = try SQLiteCheckpointer(path: path)
            try await checkpointer.commit(Self.checkpoint("run-8", 1, at: 1), lease: nil)
            try Self.damage(path, damage)
            let error = await #expect(throws: CheckpointError.self) { _ = try await checkpointer.runs() }
            #expect(error?.code == .corrupted)
            #expect(error?.message == "run run-8: malformed \(column) in its latest checkpoint")
        }
    }

    static func damage(_ path: String, _ sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { try $0.execute(sql: sql) }
        try queue.close()
    }

    // MARK: Storage details

    @Test func stateIsCanonicalJSONOnDisk() async throws {
        let checkpointer = try SQLiteCheckpointer.inMemory()
        let checkpoint = Self.checkpoint("run-1", 1, at: 5)
        try await checkpointer.commit(checkpoint, lease: nil)
        let row = try #require(try checkpointer.reading(runID: nil) { db in
            try Row.fetchOne(db, sql: "SELECT juncture, at, state FROM micro_checkpoints")
        })
        let state: Data = row["state"]
        #expect(row["juncture"] as String == "before_model:1")
        #expect(row["at"] as Int64 == Self.at(5).millisecondsSinceEpoch)
        #expect([UInt8](state) == (try JSONValueEncoder().encode(checkpoint.state).canonicalBytes()))
        #expect(String(decoding: state, as: UTF8.self).hasPrefix(#"{"agent":"planner","checkpointCount":0,"children":[]"#))
    }

    @Test func lookupsUseThePrimaryKeys() async throws {
        let checkpointer = try SQLiteCheckpointer.inMemory()
        func plan(_ sql: String, _ arguments: StatementArguments = ["r"]) throws -> String {
            try checkpointer.reading(runID: nil) { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
            }.joined(separator: "; ")
        }
        let nulls = { (count: Int) in StatementArguments([DatabaseValue](repeating: .null, count: count)) }
        for (sql, arguments) in [
            (SQLiteCheckpointer.SQL.commit, nulls(9)), (SQLiteCheckpointer.SQL.commitWithLease, nulls(11)),
            (SQLiteCheckpointer.SQL.latestSequenceAndLease, nulls(1)), (SQLiteCheckpointer.SQL.latest, nulls(1)),
            (SQLiteCheckpointer.SQL.history, nulls(1)), (SQLiteCheckpointer.SQL.lease, nulls(1)),
        ] {
            let plan = try plan(sql, arguments)
            #expect(plan.contains("USING PRIMARY KEY (run_id=?)"), "\(sql): \(plan)")
            #expect(!plan.contains("SCAN micro") && !plan.contains("TEMP B-TREE"), "\(sql): \(plan)")
        }
        // Listing runs reads the partial index of first checkpoints, then one seek per run; never every checkpoint.
        let runs = try plan(SQLiteCheckpointer.SQL.runs, [])
        #expect(runs.contains("USING COVERING INDEX micro_checkpoints_runs"), "\(runs)")
        #expect(runs.contains("USING PRIMARY KEY (run_id=? AND sequence=?)"), "\(runs)")
        #expect(!runs.contains("SCAN c") && !runs.contains("SCAN micro_checkpoints"), "\(runs)")
    }

    @Test func synchronousPragmaAndWALAreApplied() async throws {
        try await TemporaryDirectory.with { directory in
            for (mode, value) in [(SQLiteCheckpointer.Configuration.Synchronous.off, 0), (.normal, 1), (.full, 2)] {
                let checkpointer = try SQLiteCheckpointer(
                    path: directory.file("\(mode).sqlite"), configuration: .init(synchronous: mode))
                let read = try checkpointer.reading(runID: nil) { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
                let written = try checkpointer.writing(runID: nil, "-") { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
                #expect(read == value && written == value, "\(mode)")
                #expect(try checkpointer.reading(runID: nil) { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
            }
        }
    }

    @Test func unopenablePathIsAStorageError() throws {
        let error = #expect(throws: CheckpointError.self) {
            try SQLiteCheckpointer(path: "/nonexistent-dir-\(UUID().uuidString)/x.sqlite")
        }
        #expect(error?.code == .storage)
    }
}

/// Two checkpointers on one file, taking turns call by call, as two processes would.
private final class Alternating: Checkpointer {
    let instances: [SQLiteCheckpointer]
    private let turn = Atomic<Int>(0)

    init(_ a: SQLiteCheckpointer, _ b: SQLiteCheckpointer) { instances = [a, b] }

    private var next: SQLiteCheckpointer { instances[turn.add(1, ordering: .relaxed).oldValue % instances.count] }

    func commit(_ checkpoint: Checkpoint, lease: Lease?) async throws { try await next.commit(checkpoint, lease: lease) }
    func latest(runID: String) async throws -> Checkpoint? { try await next.latest(runID: runID) }
    func history(runID: String) async throws -> [Checkpoint] { try await next.history(runID: runID) }
    func runs() async throws -> [RunSummary] { try await next.runs() }
    func acquireLease(runID: String, owner: String, duration: Duration, now: Timestamp) async throws -> Lease {
        try await next.acquireLease(runID: runID, owner: owner, duration: duration, now: now)
    }
    func releaseLease(_ lease: Lease) async throws { try await next.releaseLease(lease) }
}
