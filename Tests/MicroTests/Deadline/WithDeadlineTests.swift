import Micro
import Synchronization
import Testing

/// Records what the work under a deadline saw.
final class Observed: Sendable {
    private let state = Mutex<[String]>([])
    func note(_ event: String) { state.withLock { $0.append(event) } }
    var events: [String] { state.withLock { $0 } }
}

/// A deadline cancels the work in flight, on every clock, and the outcome is decided by virtual time.
@Suite struct WithDeadlineTests {
    static let start = Timestamp(millisecondsSinceEpoch: 1_767_225_600_000)

    static func world(_ mode: VirtualClock.Mode = .autoAdvance) -> (VirtualClock, Environment) {
        let clock = VirtualClock(mode: mode, epoch: start)
        return (clock, .simulated(clock: clock))
    }

    static func deadline(_ kind: Deadline.Kind = .tool, in seconds: Int64, from: Timestamp = start) -> Deadline {
        .after(.seconds(seconds), from: from, kind, subject: "tool lookup")
    }

    /// Work that hangs until cancelled, noting that it saw the cancellation.
    static func hang(_ environment: Environment, _ observed: Observed) async throws -> String {
        observed.note("entered")
        do {
            try await environment.hang()
        } catch is CancellationError {
            observed.note("cancelled: \(Task.isCancelled)")
            throw CancellationError()
        }
    }

    @Test(arguments: [VirtualClock.Mode.autoAdvance, .manual])
    func aHangIsEndedByItsDeadlineAndSeesTheCancellation(mode: VirtualClock.Mode) async throws {
        let (clock, environment) = Self.world(mode)
        let observed = Observed()
        let result = await withTaskGroup(of: Result<String, any Error>.self) { group in
            group.addTask {
                await outcome {
                    try await withDeadline(Self.deadline(in: 5), environment: environment) {
                        try await Self.hang(environment, observed)
                    }
                }
            }
            if mode == .manual {
                while clock.sleeperCount < 1 { await Task.yield() }
                clock.advance(by: .seconds(4))
                #expect(observed.events == ["entered"], "not cut before the deadline")
                clock.advance(by: .seconds(2))
            }
            return await group.next()!
        }
        let error = try #require(result.failure as? DeadlineExceeded)
        #expect(error.deadline.kind == .tool)
        #expect(error.cancelledInFlight)
        #expect(observed.events == ["entered", "cancelled: true"])
        #expect(error.at == Self.start.advanced(by: .seconds(mode == .manual ? 6 : 5)))
        #expect(error.description.contains("tool lookup: the tool deadline (5s) at 2026-01-01T00:00:05.000Z passed"))
    }

    @Test func aSleepPastTheDeadlineStopsTimeAtTheDeadline() async throws {
        let (clock, environment) = Self.world()
        let observed = Observed()
        await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(Self.deadline(in: 5), environment: environment) {
                do {
                    try await environment.sleep(for: .seconds(60))
                } catch is CancellationError {
                    observed.note("cancelled")
                    throw CancellationError()
                }
                observed.note("woke")
            }
        }
        #expect(observed.events == ["cancelled"])
        #expect(clock.now.offset == .seconds(5))
    }

    @Test(arguments: [2, 5])
    func workThatEndsByItsDeadlineIsNotCut(seconds: Int64) async throws {
        let (clock, environment) = Self.world()
        let value = try await withDeadline(Self.deadline(in: 5), environment: environment) {
            try await environment.sleep(for: .seconds(seconds))
            return "done"
        }
        #expect(value == "done")
        #expect(clock.now.offset == .seconds(seconds))
    }

    @Test func aDeadlineAlreadyReachedRefusesToStartTheWork() async throws {
        let (_, environment) = Self.world()
        let observed = Observed()
        let result = await outcome {
            try await withDeadline(Self.deadline(in: 0), environment: environment) { observed.note("ran") }
        }
        let error = try #require(result.failure as? DeadlineExceeded)
        #expect(!error.cancelledInFlight)
        #expect(observed.events.isEmpty)
    }

    @Test func theWorksOwnErrorsPassThrough() async throws {
        let (_, environment) = Self.world()
        await #expect(throws: ServiceError.self) {
            try await withDeadline(Self.deadline(in: 5), environment: environment) { throw ServiceError(.rejected, "no") }
        }
    }

    /// Nested deadlines: the earlier one fires and names itself; one no earlier than its enclosing deadline
    /// adds nothing.
    @Test(arguments: [(5, 10, Deadline.Kind.tool, 5), (10, 5, Deadline.Kind.run, 5), (5, 5, Deadline.Kind.run, 5)])
    func theEarlierOfNestedDeadlinesFiresAndNamesItself(tool: Int64, run: Int64, fired: Deadline.Kind, at: Int64) async throws {
        let (clock, environment) = Self.world()
        let observed = Observed()
        let result = await outcome {
            try await withDeadline(Self.deadline(.run, in: run), environment: environment) {
                try await withDeadline(Self.deadline(.tool, in: tool), environment: environment) {
                    try await Self.hang(environment, observed)
                }
            }
        }
        let error = try #require(result.failure as? DeadlineExceeded)
        #expect(error.deadline.kind == fired)
        #expect(clock.now.offset == .seconds(at))
    }

    /// A sleeper elsewhere that would pass a deadline waits at it until the deadline's scope has closed, so
    /// the cut work sees the deadline's own time, then goes on to its own time (whichever task runs first).
    @Test func anotherSleeperWaitsWhileAFiredDeadlineClosesItsScope() async throws {
        let (clock, environment) = Self.world()
        let observed = Observed()
        let entered = AsyncStream<Void>.makeStream()
        let cutAt = await withTaskGroup(of: Timestamp?.self) { group in
            group.addTask {
                let result = await outcome {
                    try await withDeadline(Self.deadline(in: 5), environment: environment) {
                        entered.continuation.yield()
                        return try await Self.hang(environment, observed)
                    }
                }
                return (result.failure as? DeadlineExceeded)?.at
            }
            for await _ in entered.stream { break }
            group.addTask {
                try? await clock.sleep(until: VirtualClock.Instant(offset: .seconds(10)), tolerance: nil)
                return nil
            }
            var cutAt: Timestamp?
            for await at in group { cutAt = cutAt ?? at }
            return cutAt
        }
        #expect(cutAt == Self.start.advanced(by: .seconds(5)))
        #expect(clock.now.offset == .seconds(10))
    }

    @Test func aCancelledCallerGetsCancellationNotADeadline() async throws {
        let (_, environment) = Self.world(.manual)
        let observed = Observed()
        let task = Task {
            try await withDeadline(Self.deadline(in: 5), environment: environment) { try await Self.hang(environment, observed) }
        }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }

    /// On a real clock the timer sleeps: a hang is ended after the (short) deadline.
    @Test func aHangIsEndedOnARealClock() async throws {
        let environment = Environment.live
        let observed = Observed()
        let deadline = Deadline.after(.milliseconds(20), from: environment.now(), .model, subject: "model call")
        await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(deadline, environment: environment) { try await Self.hang(environment, observed) }
        }
        #expect(observed.events == ["entered", "cancelled: true"])
    }
}

/// What `body` returned or threw.
func outcome<T>(_ body: () async throws -> T) async -> Result<T, any Error> {
    do { return .success(try await body()) } catch { return .failure(error) }
}

extension Result {
    var failure: Failure? { if case .failure(let error) = self { error } else { nil } }
}
