import MicroAgent
import MicroHarness
import MicroTravel
import MicroScenarioTesting
import Testing

/// In process, what `micro chaos --every-juncture` does across processes: each bundled workflow is crashed
/// after each of its checkpoints in turn, resumed by a new runner (new models), and must end exactly like
/// the uninterrupted run, with no side effect repeated and no checkpoint lost.
@Suite struct CrashAtEveryJunctureTests {
    @Test(arguments: [
        "request-input.yaml", "travel-delegation-tree.yaml", "single-agent-tools.yaml", "broker-agents.yaml", "tool-approval.yaml",
    ])
    func endsLikeTheUninterruptedRun(_ name: String) async throws {
        let file = try #require(ScenarioTests.files(in: "Scenarios").first { $0.name == name })
        var scenario = try Scenario.load(file: file.path, catalog: .travel)
        scenario.expectations.removeAll { $0.expectation is GoldenTraceExpectation }
        let reference = await ScenarioRunner.run(scenario)
        #expect(reference.passed, "\(reference.failures)")
        let junctures = reference.trace.count { $0.kind == .checkpoint }
        #expect(junctures > 5)
        for juncture in 1...junctures {
            let outcome = await ScenarioRunner.run(Self.crashing(scenario, afterCheckpoint: juncture))
            let failures = outcome.failures
            #expect(failures.isEmpty, "crash after checkpoint \(juncture): \(failures)")
            #expect(outcome.crashes == 1, "crash after checkpoint \(juncture)")
            #expect(outcome.result?.status == reference.result?.status, "crash after checkpoint \(juncture)")
            #expect(outcome.result?.output == reference.result?.output, "crash after checkpoint \(juncture)")
        }
    }

    /// `scenario` crashing after its `juncture`-th checkpoint. Counts of the crashed process's events
    /// legitimately differ (a call started before the crash is attempted again), so the file's `checkpoints`,
    /// `steps` and `tool_called` expectations are dropped, by type: every other check, the implicit ones
    /// included (no checkpoint gap, the run completed), still has to pass.
    static func crashing(_ scenario: Scenario, afterCheckpoint juncture: Int) -> Scenario {
        var crashing = scenario
        crashing.expectations.removeAll { spec in
            spec.expectation is CheckpointsExpectation || spec.expectation is StepsExpectation
                || spec.expectation is ToolCalledExpectation
        }
        crashing.faults.append(FaultSpec(.process, "crash", trigger: FaultTrigger(call: juncture)))
        crashing.expectations.append(ExpectationSpec(NoDuplicateSideEffectsExpectation()))
        return crashing
    }

    /// A checkpoint lost in a crash and resume run fails the run's checks the crash test reads: a gap is
    /// planted in the record of a real crashed run, which is checked again (records need no world).
    @Test func aPlantedCheckpointGapFailsTheCrashedRun() async throws {
        let file = try #require(ScenarioTests.files(in: "Scenarios").first { $0.name == "single-agent-tools.yaml" })
        var scenario = try Scenario.load(file: file.path, catalog: .travel)
        scenario.expectations.removeAll { $0.expectation is GoldenTraceExpectation }
        scenario.expectations.append(ExpectationSpec(CheckpointsExpectation(.exactly(1))))
        let crashing = Self.crashing(scenario, afterCheckpoint: 3)
        let outcome = await ScenarioRunner.run(crashing)
        #expect(outcome.failures.isEmpty, "\(outcome.failures)")
        #expect(outcome.crashes == 1)
        #expect(crashing.expectations.contains { $0.expectation is NoDuplicateSideEffectsExpectation })

        var record = outcome.record
        record.checkpointGaps = ["\(record.runID): [1, 2, 4, 5]"]
        let planted = ScenarioOutcome(scenario: crashing, record: record)
        #expect(planted.failures.map(\.name) == ["checkpoint_gap"])
        #expect(planted.failures.first?.message.contains("[1, 2, 4, 5]") == true)
        // The file's `checkpoints` count (wrong here on purpose) is what the crash test drops, not the gap check.
        #expect(ScenarioOutcome(scenario: scenario, record: outcome.record).failures.map(\.name) == ["checkpoints"])
    }
}
