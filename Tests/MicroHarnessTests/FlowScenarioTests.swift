import Micro
import MicroAgent
import MicroHarness
import MicroScenarioTesting
import MicroTravel
import Testing

/// Flows in scenario files: parsing (with errors naming the line and field), catalogue functions, timed events,
/// step faults, the flow expectations (each shown failing), and crashes at every juncture of the bundled flows.
@Suite struct FlowScenarioTests {
    static let catalog = Catalog.travel.withFlowFunctions(Catalog.travel.flowFunctions.merging([
        "double": .step { state, _ in
            let value = (state["input"]?["n"]?.intValue ?? 0) * 2
            if case .object(var members) = state {
                members["doubled"] = .integer(value)
                state = .object(members)
            }
            return "\(value)"
        },
        "even": .verifier { _, output in (Int(output) ?? 1) % 2 == 0 ? .pass : .reject("odd") },
        "big": .condition { _, output in (Int(output) ?? 0) > 100 },
    ]) { $1 })

    static func scenario(_ steps: String, run: String = "run: {flow: f, input: {n: 21}}", extra: String = "", expect: String = "[]") -> String {
        """
        name: flows
        flows:
          - name: f
            trigger: {topic: jobs.new}
            steps:
        \(steps)
        \(extra)
        \(run)
        expect: \(expect)
        """
    }

    static func outcome(_ text: String) async throws -> ScenarioOutcome {
        await ScenarioRunner.run(try Scenario(parsing: text, file: "s.yaml", catalog: catalog))
    }

    @Test func aCatalogueStepAndVerifierRunFromYAML() async throws {
        let outcome = try await Self.outcome(Self.scenario("      - {name: twice, code: double, verify: {code: even}}"))
        #expect(outcome.passed, "\(outcome.failures)")
        #expect(outcome.result?.output == "42")
        #expect(outcome.trace.filter { $0.kind == .verification }.count == 1)
    }

    @Test(arguments: [
        ("      - {name: a, code: nothing}", "flows[0].steps[0].code", "unknown flow step function nothing"),
        ("      - {name: a, code: double, call: {service: bus, endpoint: publish}}", "flows[0].steps[0]", "exactly one of code, call"),
        ("      - {name: a, code: double, verify: {code: double}}", "flows[0].steps[0].verify.code", "unknown flow verifier function"),
        ("      - {name: a, code: double, loop: {max: 0, until: {code: big}}}", "flows[0].steps[0].loop.max", "at least once"),
        ("      - {name: 'a:b', code: double}", "flows.f.steps", "holds ':'"),
        ("      - {name: a, code: double, retry: {max_attempts: 0}}", "flows[0].steps[0].retry", "at least 1"),
    ])
    func badStepsNameTheField(steps: String, field: String, message: String) {
        #expect {
            try Scenario(parsing: Self.scenario(steps), file: "bad.yaml", catalog: Self.catalog)
        } throws: { error in
            guard let error = error as? ScenarioError else { return false }
            return error.field == field && error.message.contains(message)
        }
    }

    @Test(arguments: [
        ("run: {flow: g}", "", "no flow called g"),
        ("", "events: [{at: 1s, topic: other.topic}]", "no flow is triggered by topic other.topic"),
        ("", "", "runs one (run: {flow"),
        ("run: {flow: f, agent: a}", "", "not both"),
    ])
    func badRunsAndEventsAreErrors(run: String, extra: String, message: String) {
        #expect {
            try Scenario(parsing: Self.scenario("      - {name: a, code: double}", run: run, extra: extra), file: "bad.yaml", catalog: Self.catalog)
        } throws: { error in (error as? ScenarioError)?.message.contains(message) == true }
    }

    /// Timed events trigger one run each, in time order; a step fault is retried under the step's policy.
    @Test func eventsTriggerRunsAndStepFaultsAreRetried() async throws {
        let outcome = try await Self.outcome(Self.scenario(
            "      - {name: twice, code: double, retry: {max_attempts: 2, initial_delay: 1s, jitter: 0}}", run: "",
            extra: """
                events: [{at: 10s, topic: jobs.new, data: {n: 5}}, {at: 3s, topic: jobs.new, data: {n: 1}}]
                faults: [{target: step, kind: error, match: f.twice, call: 1}]
                """,
            expect: "[{flow_runs: 2}, {stages: [twice]}, {fault_injected: {target: step, count: 1}}]"))
        #expect(outcome.passed, "\(outcome.failures)")
        let triggered = outcome.trace.filter { $0.kind == .flowTriggered }
        #expect(triggered.map { $0.data["data"]?["n"]?.intValue } == [1, 5])
        #expect(outcome.result?.output == "10")
        #expect(outcome.trace.filter { $0.kind == .stageRetry }.count == 1)
    }

    // MARK: Expectations fail on wrong answers

    static func loopsRecord() async throws -> RunRecord {
        let file = try #require(ScenarioTests.files(in: "Scenarios").first { $0.name == "flow-loops.yaml" })
        let outcome = await ScenarioRunner.run(try Scenario.load(file: file.path, catalog: .travel))
        #expect(outcome.passed, "\(outcome.failures)")
        return outcome.record
    }

    @Test func stagesFailsOnAnotherOrder() async throws {
        let record = try await Self.loopsRecord()
        #expect(StagesExpectation(sequence: ["polish", "poll"]).check(record).passed)
        #expect(!StagesExpectation(sequence: ["poll", "polish"]).check(record).passed)
        #expect(!StagesExpectation(sequence: ["polish"]).check(record).passed)
        #expect(!StagesExpectation(flow: "other", sequence: ["polish", "poll"]).check(record).passed)
    }

    @Test func loopIterationsFailsOnAnotherCountOrEnd() async throws {
        let record = try await Self.loopsRecord()
        #expect(LoopIterationsExpectation(bounds: .exactly(2), stage: "polish", endedBy: "condition").check(record).passed)
        #expect(!LoopIterationsExpectation(bounds: .exactly(3), stage: "polish").check(record).passed)
        #expect(!LoopIterationsExpectation(bounds: .exactly(2), stage: "polish", endedBy: "cap").check(record).passed)
        #expect(!LoopIterationsExpectation(bounds: .exactly(3), stage: "poll", endedBy: "condition").check(record).passed)
        #expect(LoopIterationsExpectation(bounds: .exactly(5)).check(record).passed)
    }

    @Test func verificationsAndFlowRunsFailOnOtherCounts() async throws {
        let file = try #require(ScenarioTests.files(in: "Scenarios").first { $0.name == "flow-verifier-retries.yaml" })
        let outcome = await ScenarioRunner.run(try Scenario.load(file: file.path, catalog: .travel))
        #expect(outcome.passed, "\(outcome.failures)")
        let record = outcome.record
        #expect(VerificationsExpectation(bounds: ["attempts": .exactly(3), "rejected": .exactly(2)]).check(record).passed)
        #expect(!VerificationsExpectation(bounds: ["rejected": .exactly(1)]).check(record).passed)
        #expect(!VerificationsExpectation(bounds: ["passed": .exactly(1)], stage: "facts").check(record).passed)
        #expect(FlowRunsExpectation(bounds: .exactly(1)).check(record).passed)
        #expect(!FlowRunsExpectation(bounds: .exactly(2)).check(record).passed)
        #expect(!FlowRunsExpectation(bounds: .exactly(1), flow: "other").check(record).passed)
    }

    // MARK: Crashes

    /// Each bundled flow scenario crashed after each of its checkpoints (the flow's and its child runs'),
    /// resumed by a new runner: it ends like the uninterrupted run, each side effect once, no checkpoint lost.
    @Test(arguments: ["flow-broker-refund.yaml", "flow-verifier-retries.yaml", "flow-loops.yaml", "flow-approval.yaml"])
    func endsLikeTheUninterruptedRunAfterACrashAnywhere(_ name: String) async throws {
        let file = try #require(ScenarioTests.files(in: "Scenarios").first { $0.name == name })
        let scenario = try Scenario.load(file: file.path, catalog: .travel)
        let reference = await ScenarioRunner.run(scenario)
        #expect(reference.passed, "\(reference.failures)")
        let junctures = reference.trace.count { $0.kind == .checkpoint }
        #expect(junctures > 4)
        for juncture in 1...junctures {
            var crashing = CrashAtEveryJunctureTests.crashing(scenario, afterCheckpoint: juncture)
            crashing.expectations.removeAll { $0.expectation is FaultInjectedExpectation }
            let outcome = await ScenarioRunner.run(crashing)
            #expect(outcome.failures.isEmpty, "\(name): crash after checkpoint \(juncture): \(outcome.failures)")
            #expect(outcome.crashes == 1, "\(name): crash after checkpoint \(juncture)")
            #expect(outcome.result?.status == reference.result?.status, "\(name): crash after checkpoint \(juncture)")
            #expect(outcome.result?.output == reference.result?.output, "\(name): crash after checkpoint \(juncture)")
        }
    }
}
