import Micro
import Synchronization
import Testing

@Suite struct VirtualClockTests {
    @Test func autoAdvanceJumpsToEachDeadlineWithoutWaiting() async throws {
        let clock = VirtualClock(mode: .autoAdvance)
        let start = clock.now
        try await clock.sleep(for: .seconds(30))
        try await clock.sleep(for: .milliseconds(250))
        #expect(start.duration(to: clock.now) == .milliseconds(30_250))
        #expect(clock.timestamp == clock.epoch.advanced(by: .milliseconds(30_250)))
    }

    /// Paced: virtual time moves to the deadline, after as much real time has passed (a live peer is waiting).
    @Test func pacedSleepsAlsoPassOnTheRealClock() async throws {
        let clock = VirtualClock(mode: .paced)
        let started = ContinuousClock.now
        try await clock.sleep(for: .milliseconds(30))
        #expect(ContinuousClock.now - started >= .milliseconds(30))
        #expect(clock.now.offset == .milliseconds(30))
        try await clock.sleep(until: clock.now.advanced(by: .milliseconds(-5)))
        #expect(clock.now.offset == .milliseconds(30), "never backwards")
    }

    @Test func manualSleepersWakeInDeadlineOrderWhenTimeIsAdvanced() async throws {
        let clock = VirtualClock(mode: .manual)
        let woke = Recorder()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (name, seconds) in [("c", 3), ("a", 1), ("b", 2)] {
                group.addTask {
                    try await clock.sleep(until: clock.now.advanced(by: .seconds(seconds)))
                    woke.append(name)
                }
            }
            while clock.sleeperCount < 3 { await Task.yield() }
            clock.advance(by: .milliseconds(1500))
            while woke.values.count < 1 { await Task.yield() }
            #expect(woke.values == ["a"])
            #expect(clock.sleeperCount == 2)
            clock.advanceToNextDeadline()
            while woke.values.count < 2 { await Task.yield() }
            clock.advance(by: .seconds(10))
            try await group.waitForAll()
        }
        #expect(woke.values == ["a", "b", "c"])
    }

    @Test func cancellingASleeperThrowsAndRemovesIt() async throws {
        let clock = VirtualClock(mode: .manual)
        let task = Task { try await clock.sleep(for: .seconds(5)) }
        while clock.sleeperCount < 1 { await Task.yield() }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(clock.sleeperCount == 0)
    }
}

@Suite struct DeterminismTests {
    @Test func seededGeneratorsRepeat() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42), c = SeededGenerator(seed: 43)
        let first = (0..<8).map { _ in a.next() }
        #expect(first == (0..<8).map { _ in b.next() })
        #expect(first != (0..<8).map { _ in c.next() })
    }

    @Test func randomSourcesDrawInRange() {
        let source = RandomSource.seeded(1)
        let values = (0..<1000).map { _ in source.next(in: 1...6) }
        #expect(Set(values) == Set(1...6))
        let units = (0..<1000).map { _ in source.nextUnit() }
        #expect(units.allSatisfy { $0 >= 0 && $0 < 1 })
    }

    @Test func idGeneratorsAreReproducible() {
        let counting = IDGenerator.incrementing()
        #expect([counting.next("run"), counting.next("run"), counting.next("call")] == ["run-1", "run-2", "call-1"])
        let a = IDGenerator.seeded(9), b = IDGenerator.seeded(9)
        let ids = (0..<3).map { _ in a.next("run") }
        #expect(ids == (0..<3).map { _ in b.next("run") })
        #expect(Set(ids).count == 3)
        #expect(ids[0].count == "run-".count + 32)
    }

    @Test func simulatedEnvironmentsFollowTheSeed() async throws {
        let one = Environment.simulated(seed: 5), two = Environment.simulated(seed: 5)
        #expect(one.ids.next("x") == two.ids.next("x"))
        #expect(one.random.next() == two.random.next())
        try await one.sleep(for: .seconds(2))
        #expect(one.now().duration(since: two.now()) == .seconds(2))
    }
}

@Suite struct TimestampTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (Int64(1_767_225_600_000), "2026-01-01T00:00:00.000Z"),
        (Int64(951_782_400_123), "2000-02-29T00:00:00.123Z"),
        (Int64(-1), "1969-12-31T23:59:59.999Z"),
    ])
    func formatsAsISO8601(milliseconds: Int64, expected: String) {
        #expect(Timestamp(millisecondsSinceEpoch: milliseconds).description == expected)
    }
}

final class Recorder: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ value: String) { storage.withLock { $0.append(value) } }
    var values: [String] { storage.withLock { $0 } }
}

