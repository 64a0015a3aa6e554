import MicroAgent
import MicroHarness
import MicroTravel
import MicroScenarioTesting
import Testing

/// In process, what `micro chaos --every-juncture` does across processes: each bundled workflow is crashed
/// after each of its checkpoints in turn, resumed by a new runner (new models), and must end exactly like
/// the uninterrupted run, with no side effect repeated.
@Suite struct CrashAtEveryJunctureTests {
    @Test(arguments: ["request-input.yaml", "travel-delegation-tree.yaml", "single-agent-tools.yaml", "broker-agents.yaml"])
    func endsLikeTheUninterruptedRun(_ name: String) async throws {
        let file = try #require(ScenarioTests.files(in: "Scenarios").first { $0.name == name })
        var scenario = try Scenario.load(file: file.path, catalog: .travel)
        scenario.expectations.removeAll { $0.expectation is GoldenTraceExpectation }
        let reference = await ScenarioRunner.run(scenario)
        #expect(reference.passed, "\(reference.failures)")
        let junctures = reference.trace.count { $0.kind == .checkpoint }
        #expect(junctures > 5)
        for juncture in 1...junctures {
            var crashing = scenario
            crashing.faults.append(FaultSpec(.process, "crash", trigger: FaultTrigger(call: juncture)))
            crashing.expectations.append(ExpectationSpec(NoDuplicateSideEffectsExpectation()))
            let outcome = await ScenarioRunner.run(crashing)
            // Counts of the crashed process's events legitimately differ (a call started before the crash is
            // attempted again); what must not differ is how the run ends and its side effects.
            let failures = outcome.failures.filter { !["checkpoints", "steps", "tool_called"].contains($0.name) }
            #expect(failures.isEmpty, "crash after checkpoint \(juncture): \(failures)")
            #expect(outcome.crashes == 1, "crash after checkpoint \(juncture)")
            #expect(outcome.result?.status == reference.result?.status, "crash after checkpoint \(juncture)")
            #expect(outcome.result?.output == reference.result?.output, "crash after checkpoint \(juncture)")
        }
    }
}
