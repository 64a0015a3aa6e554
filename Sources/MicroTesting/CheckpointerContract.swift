import Micro
import MicroAgent

/// The ``Checkpointer`` contract as runnable checks. Run every check against every backend:
///
/// ```swift
/// @Test(arguments: [ContractSubject<any Checkpointer>("InMemoryCheckpointer") { _ in InMemoryCheckpointer() }],
///       CheckpointerContract.checks)
/// func contract(_ subject: ContractSubject<any Checkpointer>, _ check: ContractCheck<any Checkpointer>) async throws {
///     try await check.run(on: subject)
/// }
/// ```
///
/// Every timestamp is explicit and far from the wall clock (around 2000-01-01), so a backend that judged
/// leases by the wall clock fails.
public enum CheckpointerContract {
    public static let checks: [ContractCheck<any Checkpointer>] = [
        roundTrip, sequenceConflicts, leases, leaseRace, fencing, runSummaries, unknownRuns, concurrentRuns,
        contendedRun,
    ]

    /// 2000-01-01T00:00:00Z.
    static let t0 = Timestamp(millisecondsSinceEpoch: 946_684_800_000)

    static func at(_ seconds: Double) -> Timestamp { t0.advanced(by: .milliseconds(Int64(seconds * 1000))) }

    /// A run state exercising every field: text with escapes and non-ASCII, tool calls with nested
    /// integer/double/null arguments, results, a plan, counters, children, an input request.
    static func state(_ runID: String, agent: String = "planner", parent: String? = nil, step: Int,
                      status: RunState.Status = .running, messages: Int = 4) -> RunState {
        var state = RunState(runID: runID, agent: agent, parentRunID: parent, depth: parent == nil ? 0 : 1, startedAt: t0)
        state.status = status
        state.phase = step.isMultiple(of: 2) ? .callModel : .runTools
        state.step = step
        state.checkpointCount = step
        var conversation: [Message] = [.user("Plan a trip to Lisbon — 3 nights, \"cheap\" please\n\t/ ✈️ \u{1}")]
        for i in 0..<messages {
            let call = ToolCall(
                id: "call-\(step)-\(i)", name: "travel_hotels_search",
                arguments: ["city": "Lisbon", "nights": .integer(3 + i), "budget": .number(99.5 + Double(i) / 10),
                            "filters": ["stars": [4, 5], "pool": true, "notes": .null], "ünïcode": "✓"])
            conversation.append(Message(role: .assistant, parts: [.text("Searching (\(i))…"), .toolCall(call)]))
            conversation.append(Message(role: .tool, parts: [
                .toolResult(ToolResultPart(callID: call.id, content: ["hotels": [["id": .string("lisbon:\(i)"), "price": 120.25]]],
                                           isError: i == 2)),
            ]))
        }
        state.memory = MemoryState(messages: conversation, summary: step > 2 ? "Earlier: looked at flights." : nil,
                                   evictedCount: step, compactions: step / 3)
        state.plan = Plan(steps: [Plan.Step(title: "Search hotels", status: .done), Plan.Step(title: "Book", status: .inProgress)])
        var pending = PendingCall(
            index: 0, call: ToolCall(id: "c-\(step)", name: "travel_hotels_book", arguments: ["hotelID": "lisbon:1"]),
            key: IdempotencyKey(runID: runID, step: step, callIndex: 0))
        pending.status = .completed
        pending.attempts = 2
        pending.result = ToolResultPart(callID: "c-\(step)", content: ["booking": "b-1", "total": 36_000])
        state.pendingCalls = [pending, PendingCall(index: 1, call: ToolCall(id: "c2", name: "noop", arguments: [:]),
                                                   key: IdempotencyKey(runID: runID, step: step, callIndex: 1))]
        state.usage = Usage(inputTokens: 1_000 * step, outputTokens: 37 * step)
        state.counters.toolCalls = step * 2
        state.counters.identicalCalls = ["travel_hotels_search {\"city\":\"Lisbon\"}": 2, "noop {}": 1]
        state.counters.modelRetries = 1
        state.children = [ChildRun(runID: "\(runID).child", agent: "booker", callID: "d-1", status: .completed)]
        if status == .waitingForInput { state.inputRequest = InputRequest(callID: "ask-1", prompt: "Which dates?") }
        if status == .completed { state.output = "Booked: Hotel Avenida, 3 nights." }
        if status == .failed { state.failure = RunFailure(code: "max_steps", message: "stopped after \(step) steps") }
        return state
    }

    static func checkpoint(_ runID: String, _ sequence: Int, _ juncture: Juncture, at seconds: Double,
                           agent: String = "planner", parent: String? = nil, step: Int? = nil,
                           status: RunState.Status = .running) -> Checkpoint {
        Checkpoint(runID: runID, sequence: sequence, juncture: juncture,
                   state: state(runID, agent: agent, parent: parent, step: step ?? sequence, status: status),
                   at: at(seconds))
    }

    static func isCode(_ code: CheckpointError.Code) -> (CheckpointError) -> Bool { { $0.code == code } }

    /// Every juncture and state field comes back equal, from `latest` after each commit and from `history`.
    public static let roundTrip = ContractCheck<any Checkpointer>("roundTrip") { subject in
        let name = "roundTrip"
        try await subject.with(Simulation().environment) { checkpointer in
            let junctures: [Juncture] = [
                .started, .beforeModel(step: 1), .afterModel(step: 1), .beforeTool(step: 1, index: 0),
                .afterTool(step: 1, index: 0), .paused, .resumed, .afterTool(step: 12, index: 3), .failed, .completed,
            ]
            let statuses: [RunState.Status] = [.running, .running, .running, .running, .running, .waitingForInput,
                                               .running, .running, .failed, .completed]
            var committed: [Checkpoint] = []
            for (i, juncture) in junctures.enumerated() {
                let checkpoint = checkpoint("run/rt é", i + 1, juncture, at: Double(i) * 0.5, status: statuses[i])
                try await checkpointer.commit(checkpoint, lease: nil)
                committed.append(checkpoint)
                try expect(try await checkpointer.latest(runID: "run/rt é") == checkpoint,
                           "latest equals the checkpoint just committed (\(juncture))", in: name)
            }
            let history = try await checkpointer.history(runID: "run/rt é")
            try expectEqual(history.map(\.sequence), Array(1...junctures.count), "history in sequence order", in: name)
            try expect(history == committed, "history equals what was committed", in: name)
            try expectEqual(history.map(\.juncture), junctures, "junctures round-trip", in: name)
            let other = checkpoint("run-other", 1, .started, at: 100)
            try await checkpointer.commit(other, lease: nil)
            try expect(try await checkpointer.history(runID: "run/rt é") == committed, "runs are independent", in: name)
            try expect(try await checkpointer.history(runID: "run-other") == [other], "other run's history", in: name)
        }
    }

    /// Sequences are 1, 2, 3, …: a repeated, skipped or first-but-not-1 sequence is a conflict and writes nothing;
    /// of two writers committing the same next sequence, exactly one wins.
    public static let sequenceConflicts = ContractCheck<any Checkpointer>("sequenceConflicts") { subject in
        let name = "sequenceConflicts"
        try await subject.with(Simulation().environment) { checkpointer in
            for sequence in [0, 2, -1] {
                let error = try await expectThrows(CheckpointError.self, "first sequence \(sequence)", in: name,
                                                   matching: isCode(.conflict)) {
                    try await checkpointer.commit(checkpoint("r", sequence, .started, at: 0), lease: nil)
                }
                try expectEqual(error.runID, "r", "a conflict names the run", in: name)
            }
            try expect(try await checkpointer.latest(runID: "r") == nil, "a failed first commit writes nothing", in: name)
            try expectEqual(try await checkpointer.runs(), [], "a failed first commit creates no run", in: name)
            let first = checkpoint("r", 1, .started, at: 1)
            try await checkpointer.commit(first, lease: nil)
            for sequence in [1, 3, 0] {
                try await expectThrows(CheckpointError.self, "sequence \(sequence) after 1", in: name,
                                       matching: isCode(.conflict)) {
                    try await checkpointer.commit(checkpoint("r", sequence, .beforeModel(step: 1), at: 2, step: 9), lease: nil)
                }
            }
            try expect(try await checkpointer.history(runID: "r") == [first], "conflicts change nothing", in: name)
            try expectEqual(try await checkpointer.runs().first?.checkpoints, 1, "summary unchanged by conflicts", in: name)
            try expectEqual(try await checkpointer.runs().first?.updatedAt, at(1), "summary time unchanged", in: name)

            let contenders = (0..<2).map { checkpoint("r", 2, .beforeModel(step: 1), at: 3, agent: "writer-\($0)") }
            let outcomes = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                for (i, contender) in contenders.enumerated() {
                    group.addTask {
                        do {
                            try await checkpointer.commit(contender, lease: nil)
                            return (i, true)
                        } catch let error as CheckpointError where error.code == .conflict {
                            return (i, false)
                        }
                    }
                }
                return try await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
            }
            let winners = outcomes.filter(\.value).map(\.key)
            try expectEqual(winners.count, 1, "exactly one of two writers of sequence 2 wins", in: name)
            try expect(try await checkpointer.history(runID: "r") == [first, contenders[winners[0]]],
                       "the winner's checkpoint is stored, the loser's is not", in: name)
        }
    }

    /// Acquire, renew, refuse while held (naming holder and expiry), take over at expiry, release.
    public static let leases = ContractCheck<any Checkpointer>("leases") { subject in
        let name = "leases"
        try await subject.with(Simulation().environment) { checkpointer in
            let a = try await checkpointer.acquireLease(runID: "r", owner: "worker-a", duration: .seconds(10), now: at(0))
            try expectEqual(a, Lease(runID: "r", owner: "worker-a", expiresAt: at(10)), "a fresh lease", in: name)
            let held = try await expectThrows(CheckpointError.self, "another owner before expiry", in: name,
                                              matching: isCode(.leaseHeld)) {
                _ = try await checkpointer.acquireLease(runID: "r", owner: "worker-b", duration: .seconds(10), now: at(5))
            }
            try expectEqual(held.holder, a, "leaseHeld carries the current lease", in: name)
            try expectEqual(held.runID, "r", "leaseHeld names the run", in: name)
            try expect(held.message.contains("worker-a") && held.message.contains(at(10).description),
                       "leaseHeld's message names the holder and the expiry: \(held.message)", in: name)

            let renewed = try await checkpointer.acquireLease(runID: "r", owner: "worker-a", duration: .seconds(10), now: at(5))
            try expectEqual(renewed.expiresAt, at(15), "the holder renews from now", in: name)
            let stillHeld = try await expectThrows(CheckpointError.self, "1 ms before the renewed expiry", in: name,
                                                   matching: isCode(.leaseHeld)) {
                _ = try await checkpointer.acquireLease(runID: "r", owner: "worker-b", duration: .seconds(10), now: at(14.999))
            }
            try expectEqual(stillHeld.holder, renewed, "the renewed lease is the current one", in: name)

            let b = try await checkpointer.acquireLease(runID: "r", owner: "worker-b", duration: .seconds(10), now: at(15))
            try expectEqual(b, Lease(runID: "r", owner: "worker-b", expiresAt: at(25)), "takeover exactly at expiry", in: name)
            try await expectThrows(CheckpointError.self, "the old holder after a takeover", in: name,
                                   matching: { $0.code == .leaseHeld && $0.holder == b }) {
                _ = try await checkpointer.acquireLease(runID: "r", owner: "worker-a", duration: .seconds(10), now: at(16))
            }
            let other = try await checkpointer.acquireLease(runID: "r2", owner: "worker-a", duration: .seconds(1), now: at(16))
            try expectEqual(other.runID, "r2", "leases are per run", in: name)

            try await checkpointer.releaseLease(renewed)
            try await expectThrows(CheckpointError.self, "releasing a stale lease changes nothing", in: name,
                                   matching: { $0.code == .leaseHeld && $0.holder == b }) {
                _ = try await checkpointer.acquireLease(runID: "r", owner: "worker-c", duration: .seconds(10), now: at(17))
            }
            try await checkpointer.releaseLease(b)
            let c = try await checkpointer.acquireLease(runID: "r", owner: "worker-c", duration: .seconds(10), now: at(17))
            try expectEqual(c.owner, "worker-c", "a released lease is free at once", in: name)
            try await checkpointer.releaseLease(Lease(runID: "nowhere", owner: "x", expiresAt: at(1)))
            try expectEqual(try await checkpointer.runs(), [], "leases alone create no run summary", in: name)
        }
    }

    /// Many owners racing for one free lease at the same instant: exactly one gets it, the others are told who.
    public static let leaseRace = ContractCheck<any Checkpointer>("leaseRace") { subject in
        let name = "leaseRace"
        try await subject.with(Simulation().environment) { checkpointer in
            let owners = (0..<8).map { "owner-\($0)" }
            let results = try await withThrowingTaskGroup(of: Result<Lease, CheckpointError>.self) { group in
                for owner in owners {
                    group.addTask {
                        do {
                            return .success(try await checkpointer.acquireLease(
                                runID: "contested", owner: owner, duration: .seconds(30), now: at(1)))
                        } catch let error as CheckpointError {
                            return .failure(error)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let granted = results.compactMap { try? $0.get() }
            try expectEqual(granted.count, 1, "exactly one owner gets the lease", in: name)
            for case .failure(let error) in results {
                try expect(error.code == .leaseHeld && error.holder == granted.first,
                           "the others get leaseHeld naming the winner: \(error)", in: name)
            }
        }
    }

    /// A commit with a lease succeeds only while that lease is current and unexpired at the checkpoint's time.
    public static let fencing = ContractCheck<any Checkpointer>("fencing") { subject in
        let name = "fencing"
        try await subject.with(Simulation().environment) { checkpointer in
            let a = try await checkpointer.acquireLease(runID: "f", owner: "a", duration: .seconds(10), now: at(0))
            let first = checkpoint("f", 1, .started, at: 1)
            try await checkpointer.commit(first, lease: a)
            try await expectThrows(CheckpointError.self, "commit at the lease's expiry", in: name,
                                   matching: isCode(.leaseLost)) {
                try await checkpointer.commit(checkpoint("f", 2, .beforeModel(step: 1), at: 10), lease: a)
            }
            let b = try await checkpointer.acquireLease(runID: "f", owner: "b", duration: .seconds(10), now: at(10))
            try await expectThrows(CheckpointError.self, "commit with a taken-over lease", in: name,
                                   matching: isCode(.leaseLost)) {
                try await checkpointer.commit(checkpoint("f", 2, .beforeModel(step: 1), at: 9), lease: a)
            }
            try await expectThrows(CheckpointError.self, "commit with another run's lease", in: name,
                                   matching: isCode(.leaseLost)) {
                try await checkpointer.commit(checkpoint("g", 1, .started, at: 11), lease: b)
            }
            try expect(try await checkpointer.history(runID: "f") == [first], "fenced commits write nothing", in: name)
            try expect(try await checkpointer.latest(runID: "g") == nil, "fenced first commit writes nothing", in: name)
            try expectEqual(try await checkpointer.runs().map(\.checkpoints), [1], "fenced commits leave summaries", in: name)

            let second = checkpoint("f", 2, .beforeModel(step: 1), at: 11)
            try await checkpointer.commit(second, lease: b)
            let renewed = try await checkpointer.acquireLease(runID: "f", owner: "b", duration: .seconds(10), now: at(12))
            try await expectThrows(CheckpointError.self, "commit with the lease a renewal replaced", in: name,
                                   matching: isCode(.leaseLost)) {
                try await checkpointer.commit(checkpoint("f", 3, .afterModel(step: 1), at: 13), lease: b)
            }
            let third = checkpoint("f", 3, .afterModel(step: 1), at: 21.999)
            try await checkpointer.commit(third, lease: renewed)
            try await checkpointer.releaseLease(renewed)
            try await expectThrows(CheckpointError.self, "commit with a released lease", in: name,
                                   matching: isCode(.leaseLost)) {
                try await checkpointer.commit(checkpoint("f", 4, .completed, at: 14), lease: renewed)
            }
            let fourth = checkpoint("f", 4, .completed, at: 30, status: .completed)
            try await checkpointer.commit(fourth, lease: nil)
            try expect(try await checkpointer.history(runID: "f") == [first, second, third, fourth],
                       "only fenced-in commits are stored (a commit without a lease is not checked)", in: name)
        }
    }

    /// Summaries: most recently updated first (ties by run ID), fields from the latest checkpoint, current lease.
    public static let runSummaries = ContractCheck<any Checkpointer>("runSummaries") { subject in
        let name = "runSummaries"
        try await subject.with(Simulation().environment) { checkpointer in
            try await checkpointer.commit(checkpoint("run-b", 1, .started, at: 1, step: 0), lease: nil)
            try await checkpointer.commit(
                checkpoint("run-a", 1, .completed, at: 3, agent: "booker", parent: "run-b", step: 2, status: .completed),
                lease: nil)
            try await checkpointer.commit(
                checkpoint("run-b", 2, .afterModel(step: 1), at: 5, step: 1, status: .waitingForInput), lease: nil)
            try await checkpointer.commit(checkpoint("run-c", 1, .paused, at: 5, step: 4, status: .failed), lease: nil)
            let lease = try await checkpointer.acquireLease(runID: "run-a", owner: "me", duration: .seconds(60), now: at(6))
            _ = try await checkpointer.acquireLease(runID: "run-z", owner: "me", duration: .seconds(60), now: at(6))
            let expected = [
                RunSummary(runID: "run-b", agent: "planner", parentRunID: nil, status: .waitingForInput, step: 1,
                           lastJuncture: .afterModel(step: 1), checkpoints: 2, updatedAt: at(5), lease: nil),
                RunSummary(runID: "run-c", agent: "planner", parentRunID: nil, status: .failed, step: 4,
                           lastJuncture: .paused, checkpoints: 1, updatedAt: at(5), lease: nil),
                RunSummary(runID: "run-a", agent: "booker", parentRunID: "run-b", status: .completed, step: 2,
                           lastJuncture: .completed, checkpoints: 1, updatedAt: at(3), lease: lease),
            ]
            let summaries = try await checkpointer.runs()
            try expectEqual(summaries.map(\.runID), expected.map(\.runID), "order: newest first, ties by run ID", in: name)
            for (summary, want) in zip(summaries, expected) {
                try expectEqual(summary, want, "summary of \(want.runID)", in: name)
            }
            try await checkpointer.releaseLease(lease)
            try expectEqual(try await checkpointer.runs().last?.lease, nil, "a released lease leaves the summary", in: name)
        }
    }

    /// An unknown run has no latest checkpoint, an empty history and no summary; releasing its lease is a no-op.
    public static let unknownRuns = ContractCheck<any Checkpointer>("unknownRuns") { subject in
        let name = "unknownRuns"
        try await subject.with(Simulation().environment) { checkpointer in
            try expect(try await checkpointer.latest(runID: "missing") == nil, "latest of an unknown run", in: name)
            try expectEqual(try await checkpointer.history(runID: "missing"), [], "history of an unknown run", in: name)
            try expectEqual(try await checkpointer.runs(), [], "no runs at first", in: name)
            try await checkpointer.releaseLease(Lease(runID: "missing", owner: "x", expiresAt: at(1)))
            try await checkpointer.commit(checkpoint("known", 1, .started, at: 1), lease: nil)
            try expect(try await checkpointer.latest(runID: "missing") == nil, "still unknown", in: name)
            try expect(try await checkpointer.latest(runID: "know") == nil, "no prefix matching", in: name)
            try expectEqual(try await checkpointer.history(runID: ""), [], "empty run ID", in: name)
        }
    }

    /// Many runs committed concurrently: every checkpoint lands in its own run, in order.
    public static let concurrentRuns = ContractCheck<any Checkpointer>("concurrentRuns") { subject in
        let name = "concurrentRuns"
        try await subject.with(Simulation().environment) { checkpointer in
            let runs = 12, perRun = 8
            try await withThrowingTaskGroup(of: Void.self) { group in
                for r in 0..<runs {
                    group.addTask {
                        for s in 1...perRun {
                            try await checkpointer.commit(
                                checkpoint("concurrent-\(r)", s, .beforeModel(step: s), at: Double(r * 100 + s)), lease: nil)
                        }
                    }
                }
                try await group.waitForAll()
            }
            for r in 0..<runs {
                let history = try await checkpointer.history(runID: "concurrent-\(r)")
                try expect(history == (1...perRun).map { checkpoint("concurrent-\(r)", $0, .beforeModel(step: $0),
                                                                    at: Double(r * 100 + $0)) },
                           "run \(r) holds exactly its own checkpoints in order", in: name)
            }
            let summaries = try await checkpointer.runs()
            try expectEqual(summaries.map(\.runID), (0..<runs).reversed().map { "concurrent-\($0)" },
                            "one summary per run, newest first", in: name)
            try expect(summaries.allSatisfy { $0.checkpoints == perRun }, "every summary counts its checkpoints", in: name)
        }
    }

    /// Writers racing on one run with read-latest-then-commit-next retries: no checkpoint lost or overwritten.
    public static let contendedRun = ContractCheck<any Checkpointer>("contendedRun") { subject in
        let name = "contendedRun"
        try await subject.with(Simulation().environment) { checkpointer in
            let writers = 4, perWriter = 10
            try await withThrowingTaskGroup(of: Void.self) { group in
                for w in 0..<writers {
                    group.addTask {
                        var written = 0
                        while written < perWriter {
                            let next = (try await checkpointer.latest(runID: "hot")?.sequence ?? 0) + 1
                            do {
                                try await checkpointer.commit(
                                    checkpoint("hot", next, .afterTool(step: w, index: written), at: Double(next),
                                               agent: "writer-\(w)"),
                                    lease: nil)
                                written += 1
                            } catch let error as CheckpointError where error.code == .conflict {
                                continue
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let history = try await checkpointer.history(runID: "hot")
            try expectEqual(history.map(\.sequence), Array(1...(writers * perWriter)), "no gap, no duplicate", in: name)
            for w in 0..<writers {
                let mine = history.filter { $0.state.agent == "writer-\(w)" }
                try expectEqual(mine.map(\.juncture), (0..<perWriter).map { .afterTool(step: w, index: $0) },
                                "writer \(w)'s checkpoints, each once and in its order", in: name)
            }
        }
    }
}
