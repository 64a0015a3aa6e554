import Micro
import MicroHarness
import MicroTravel
import Testing

@Suite struct ScenarioParsingTests {
    static let minimal = """
        name: minimal
        agents:
          - name: a
            model:
              script:
                - text: hi
        run:
          agent: a
          prompt: hello
        """

    @Test func readsAMinimalScenarioWithDefaults() throws {
        let scenario = try Scenario(parsing: Self.minimal, file: "s.yaml", catalog: .travel)
        #expect(scenario.name == "minimal")
        #expect(scenario.seed == 0)
        #expect(scenario.run.runID == "run")
        #expect(scenario.agents.map(\.name) == ["a"])
        #expect(scenario.agents[0].builtinTools)
        #expect(scenario.agents[0].tools == nil)
    }

    @Test func readsDurationsTriggersAndExpectations() throws {
        let scenario = try Scenario(
            parsing: Self.minimal + """

                faults:
                  - {target: model, kind: rate_limit, retry_after: 1.5s, every: 2, agent: a}
                  - {target: tool, kind: latency, latency: 250ms, probability: 0.5}
                expect:
                  - steps: {min: 1, max: 3}
                  - output: {json_path: "$.a[0]", equals: 3}
                  - tool_sequence: {any_order: [x, y]}
                """, file: "s.yaml", catalog: .travel)
        #expect(scenario.faults[0].retryAfter == .milliseconds(1500))
        #expect(scenario.faults[0].trigger == FaultTrigger(every: 2))
        #expect(scenario.faults[0].agent == "a")
        #expect(scenario.faults[1].latency == .milliseconds(250))
        #expect(scenario.faults[1].optional, "probabilistic faults may not fire")
        #expect(scenario.expectations.map(\.line) == [14, 15, 16])
        let steps = try #require(scenario.expectations[0].expectation as? StepsExpectation)
        #expect(steps.bounds == Bounds(min: 1, max: 3))
    }

    /// Bad input names the file, the line and the field.
    @Test(arguments: [
        ("name: x\nagents: []\nrun: {agent: a, prompt: p}\n", 2, "agents", "at least one agent"),
        ("name: x\nagnets: []\n", 2, "agnets", "unknown field agnets (did you mean agents?)"),
        ("name: x\nqqqqqqqq: 1\n", 2, "qqqqqqqq", "unknown field qqqqqqqq; expected one of: name, description"),
        ("name: x\nagents:\n  - name: a\n    model: {script: [{text: hi}]}\nrun: {agent: b, prompt: p}\n", 5, "run", "run.agent b is not one of the agents: a"),
        ("name: x\nagents:\n  - name: a\n    model: {script: [{}]}\nrun: {agent: a, prompt: p}\n", 4, "agents[0].model.script[0]", "a turn needs text"),
        ("name: x\nagents:\n  - name: a\n    model: {provider: nope, cassette: c.json}\nrun: {agent: a, prompt: p}\n", 4, "agents[0].model.provider", "unknown provider nope"),
        ("name: x\nagents:\n  - name: a\n    model: {script: [{text: hi}]}\nrun: {agent: a, prompt: p}\nfaults:\n  - {target: model, kind: explode}\n", 7, "faults[0].kind", "unknown model fault explode"),
        ("name: x\nagents:\n  - name: a\n    model: {script: [{text: hi}]}\nrun: {agent: a, prompt: p}\nfaults:\n  - {target: tool, kind: error, latency: soon}\n", 7, "faults[0].latency", "expected a duration"),
        ("name: x\nagents:\n  - name: a\n    model: {script: [{text: hi}]}\nrun: {agent: a, prompt: p}\nexpect:\n  - steps: {min: 3, max: 1}\n", 7, "expect[0].steps", "min is greater than max"),
        ("name: x\nagents:\n  - name: a\n    model: {script: [{text: hi}]}\nrun: {agent: a, prompt: p}\nexpect:\n  - stepz: 1\n", 7, "expect[0].stepz", "unknown field stepz (did you mean steps?)"),
        ("name: x\nservices: [flights, trains]\n", 2, "services[1]", "unknown service trains (did you mean travel?)"),
        ("name: [unclosed\n", 2, "", "invalid YAML"),
        ("name: x\nagents:\n  - name: a\n    guardrails: {max_steps: many}\n    model: {script: [{text: hi}]}\nrun: {agent: a, prompt: p}\n", 4, "agents[0].guardrails.max_steps", "expected an integer"),
        ("name: x\nagents:\n  - name: a\n    guardrails: {model_call_timeout: 0s}\n    model: {script: [{text: hi}]}\nrun: {agent: a, prompt: p}\n", 4, "agents[0].guardrails.model_call_timeout", "expected a duration longer than zero"),
        ("name: x\nagents:\n  - name: a\n    guardrails: {tool_call_timeout: soon}\n    model: {script: [{text: hi}]}\nrun: {agent: a, prompt: p}\n", 4, "agents[0].guardrails.tool_call_timeout", "expected a duration"),
        ("name: x\nagents:\n  - name: a\n    guardrails: {model_timeout: 5s}\n    model: {script: [{text: hi}]}\nrun: {agent: a, prompt: p}\n", 4, "agents[0].guardrails.model_timeout", "did you mean model_call_timeout?"),
        ("name: x\nagents:\n  - name: a\n    model: {script: [{text: hi}]}\nrun: {agent: a, prompt: p}\nexpect:\n  - deadline_exceeded: lunch\n", 7, "expect[0].deadline_exceeded", "unknown deadline lunch; deadlines: tool, model, run, call"),
    ])
    func badInputNamesFileLineAndField(yaml: String, line: Int, field: String, message: String) {
        #expect {
            try Scenario(parsing: yaml, file: "bad.yaml", catalog: .travel)
        } throws: { error in
            guard let error = error as? ScenarioError else { return false }
            return error.file == "bad.yaml" && error.line == line && error.field == field && error.message.contains(message)
        }
    }

    @Test func readsTheDeadlinesOfAnAgent() throws {
        let scenario = try Scenario(
            parsing: Self.minimal.replacingOccurrences(
                of: "  - name: a\n", with: "  - name: a\n    guardrails: {tool_call_timeout: 5s, model_call_timeout: 1m, run_timeout: 10m}\n")
                + "\nexpect:\n  - deadline_exceeded: {kind: model, max: 2}\n",
            file: "s.yaml", catalog: .travel)
        let guardrails = scenario.agents[0].guardrails
        #expect(guardrails.toolCallTimeout == .seconds(5))
        #expect(guardrails.modelCallTimeout == .seconds(60))
        #expect(guardrails.runTimeout == .seconds(600))
        let expectation = try #require(scenario.expectations[0].expectation as? DeadlineExceededExpectation)
        #expect(expectation.kind == .model)
        #expect(expectation.count == Bounds(max: 2))
    }

    /// Found by the `FuzzScenarioYAML` fuzz target (Tests/Fuzz/Corpus/FuzzScenarioYAML/regression-*): a negative
    /// seed trapped converting to `UInt64`, and a duration past `Int64` milliseconds (`1e300s`, `inf`) trapped
    /// converting from `Double`. Both are errors naming the field now.
    @Test(arguments: [
        ("name: x\nseed: -10\n", 2, "seed", "seed must be a non-negative integer, found -10"),
        ("name: x\nagents:\n  - name: a\n    model: {script: [{text: hi}]}\nrun: {agent: a, prompt: p}\nfaults:\n  - {target: tool, kind: latency, latency: 1e300s}\n", 7, "faults[0].latency", "not a finite duration in range"),
        ("name: x\nagents:\n  - name: a\n    model: {script: [{text: hi}]}\nrun: {agent: a, prompt: p}\nfaults:\n  - {target: tool, kind: latency, latency: inf}\n", 7, "faults[0].latency", "not a finite duration in range"),
        ("name: x\nagents:\n  - name: a\n    guardrails: {retry: {initial_delay: 1e19ms}}\n    model: {script: [{text: hi}]}\nrun: {agent: a, prompt: p}\n", 4, "agents[0].guardrails.retry.initial_delay", "not a finite duration in range"),
    ])
    func outOfRangeNumbersAreErrorsNotTraps(yaml: String, line: Int, field: String, message: String) {
        badInputNamesFileLineAndField(yaml: yaml, line: line, field: field, message: message)
    }

    @Test func aMissingFileIsAClearError() {
        #expect(throws: ScenarioError.self) { try Scenario.load(file: "/nonexistent/scenario.yaml", catalog: .travel) }
    }

    @Test func relativePathsResolveAgainstTheScenarioFolder() throws {
        let scenario = try Scenario(parsing: Self.minimal, file: "Scenarios/sub/s.yaml", catalog: .travel)
        #expect(scenario.resolve("../Recordings/x.json") == "Scenarios/sub/../Recordings/x.json")
        #expect(scenario.resolve("/abs/x.json") == "/abs/x.json")
    }
}
