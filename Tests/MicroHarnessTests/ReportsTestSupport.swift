import Micro
@testable import MicroAgent
@testable import MicroHarness
import MicroTravel

/// Outcomes for the report tests, built by hand (every trace kind, hostile strings) or by running a small
/// scenario.
enum ReportFixtures {
    /// Text that breaks naive XML, HTML and terminal output.
    static let nasty = "a<b & \"c\" 'd' </script><img src=x onerror=alert(1)> ]]> \u{1}\u{7}\u{1B}[31m é 日本 🚀\nsecond line"

    /// A minimal valid scenario, renamed.
    static func scenario(name: String, file: String = "Scenarios/demo.yaml") -> Scenario {
        let yaml = """
            name: placeholder
            agents:
              - name: main
                model:
                  script:
                    - text: done
            run:
              agent: main
              prompt: go
            """
        var scenario = try! Scenario(parsing: yaml, file: file, catalog: .travel)
        scenario.name = name
        return scenario
    }

    static func result(runID: String = "run", status: RunState.Status, output: String?, steps: Int, failure: RunFailure? = nil)
        -> RunResult
    {
        var state = RunState(runID: runID, agent: "main", startedAt: Timestamp(millisecondsSinceEpoch: 0))
        state.status = status
        state.output = output
        state.step = steps
        state.failure = failure
        return RunResult(state)
    }

    static func event(
        _ sequence: Int, _ kind: TraceEvent.Kind, run: String = "run", agent: String = "main", step: Int = 0, ms: Int64 = 0,
        _ data: JSONValue = [:]
    ) -> TraceEvent {
        TraceEvent(
            sequence: sequence, kind: kind, runID: run, agent: agent, step: step,
            at: Timestamp(millisecondsSinceEpoch: 1_800_000_000_000 + ms), data: data)
    }

    /// A trace with every kind of event: a parent and a child run, a fault, a crash and resume, a
    /// compaction, hostile strings in data.
    static let richTrace: [TraceEvent] = [
        event(1, .runStarted, ["input": .string(nasty), "parent": nil, "depth": 0]),
        event(2, .checkpoint, ["juncture": "started", "sequence": 1]),
        event(3, .faultInjected, step: 0, ["target": "model", "kind": "overloaded", "fault": "model overloaded", "call": 1]),
        event(4, .modelRequest, ["model": "scripted", "messageCount": 1, "estimatedTokens": 12, "attempt": 1]),
        event(5, .modelError, step: 0, ["code": "overloaded", "status": 529, "message": .string(nasty), "retryAfterMs": 2000, "attempt": 1]),
        event(6, .modelRetry, ["attempt": 2, "delayMs": 2000]),
        event(7, .modelRequest, ms: 2000, ["model": "scripted", "messageCount": 1, "attempt": 2]),
        event(8, .modelResponse, step: 1, ms: 2000, [
            "message": ["role": "assistant", "parts": [["type": "tool_call", "toolCall": ["id": "c1", "name": "shop_buy", "arguments": ["item": .string(nasty)]]]]],
            "stopReason": "tool_use", "usage": ["inputTokens": 10, "outputTokens": 5],
        ]),
        event(9, .toolCall, step: 1, ms: 2000, ["callID": "c1", "tool": "shop_buy", "arguments": ["item": .string(nasty)], "attempt": 1]),
        event(10, .crashed, step: 1, ms: 2000, ["afterSequence": 3, "juncture": "before tool 1.0"]),
        event(11, .resumed, step: 1, ms: 63_000, ["fromJuncture": "before tool 1.0", "fromSequence": 3, "input": nil]),
        event(12, .toolCall, step: 1, ms: 63_000, ["callID": "c1", "tool": "shop_buy", "arguments": [:], "attempt": 2]),
        event(13, .toolResult, step: 1, ms: 63_250, ["callID": "c1", "tool": "shop_buy", "content": .string(nasty), "isError": true]),
        event(14, .compaction, step: 1, ms: 63_250, ["removed": 3]),
        event(15, .delegation, step: 2, ms: 63_250, ["to": "helper", "childRunID": "run/helper-1", "task": .string(nasty), "depth": 1]),
        event(16, .runStarted, run: "run/helper-1", agent: "helper", ms: 63_250, ["input": "help", "parent": "run", "depth": 1]),
        event(17, .completed, run: "run/helper-1", agent: "helper", step: 1, ms: 63_250, ["output": "helped"]),
        event(18, .delegationResult, step: 2, ms: 63_250, ["to": "helper", "childRunID": "run/helper-1", "output": "helped"]),
        event(19, .paused, step: 2, ms: 63_250, ["prompt": "which one?", "callID": "c2"]),
        event(20, .guardrail, step: 2, ms: 63_250, ["callID": "c3", "tool": "shop_buy", "reason": "too many identical calls"]),
        event(21, .faultInjected, run: "", agent: "", ms: 63_250, ["target": "broker", "kind": "drop", "topic": "news"]),
        event(22, .failed, step: 3, ms: 63_250, ["code": "max_steps", "message": .string(nasty)]),
        event(23, TraceEvent.Kind(rawValue: "custom <kind>\""), step: 3, ms: 63_250, ["x": .string(nasty)]),
    ]

    /// A failing outcome over ``richTrace`` with hostile text everywhere.
    static func failing(name: String = nasty, file: String = "Scenarios/<nasty> & \"file\".yaml") -> ScenarioOutcome {
        outcome(
            scenario: scenario(name: name, file: file),
            result: result(status: .failed, output: nasty, steps: 3, failure: RunFailure(code: "max_steps", message: nasty)),
            error: nil, trace: richTrace,
            checks: [
                .init(name: "status", line: 12, passed: true, message: "the run ended completed"),
                .init(name: "output", line: 14, passed: false, message: "the output \(nasty) does not contain x"),
                .init(name: "fault_fired", line: 0, passed: false, message: "a fault never fired"),
            ],
            crashes: 1, virtualDuration: .milliseconds(63_250))
    }

    /// An outcome with these parts and checks.
    static func outcome(
        scenario: Scenario, result: RunResult?, error: String?, trace: [TraceEvent], checks: [ScenarioOutcome.Check],
        crashes: Int, virtualDuration: Duration
    ) -> ScenarioOutcome {
        let record = RunRecord(
            scenario: scenario.name, file: scenario.file, seed: scenario.seed, runID: scenario.run.runID, result: result,
            error: error, trace: trace, crashes: crashes, virtualDuration: virtualDuration)
        return ScenarioOutcome(scenario: scenario, record: record, checks: checks)
    }

    /// A passing outcome with an empty trace.
    static func passing(name: String = "books a flight", file: String = "Scenarios/book.yaml") -> ScenarioOutcome {
        outcome(
            scenario: scenario(name: name, file: file), result: result(status: .completed, output: "Booked.", steps: 2),
            error: nil, trace: [],
            checks: [.init(name: "status", line: 9, passed: true, message: "the run ended completed")],
            crashes: 0, virtualDuration: .milliseconds(1500))
    }

    /// An outcome whose run threw (no result).
    static func erroring() -> ScenarioOutcome {
        outcome(
            scenario: scenario(name: "broken world", file: "Scenarios/broken.yaml"), result: nil, error: "no such cassette: \(nasty)",
            trace: [],
            checks: [.init(name: "world", line: 0, passed: false, message: "the world could not be built")],
            crashes: 0, virtualDuration: .zero)
    }

    /// A real run: a fixture tool, a model overload with retry-after, a crash after a checkpoint, and one
    /// expectation that fails on purpose (line 36).
    static let realYAML = """
        name: "shop <once> & \\"resume\\""
        description: buys a thing, survives an overload and a crash
        seed: 7
        fixtures:
          - service: shop
            endpoints:
              - name: buy
                effect: true
                responses:
                  - result: {ok: true, note: "</script><img src=x onerror=alert(1)>"}
        agents:
          - name: main
            builtin_tools: false
            model:
              script:
                - call: {tool: shop_buy, arguments: {item: "<b>&"}}
                - text: "Bought </script> & done"
        run:
          agent: main
          prompt: buy it
        faults:
          - target: model
            kind: overloaded
            call: 1
            retry_after: 2s
          - target: process
            kind: crash
            call: 3
        expect:
          - status: completed
          - tool_called: shop_buy
          - fault_injected: true
          - no_duplicate_side_effects: true
          - checkpoints: {min: 1}
          - output: {contains: "this is not in the output"}
        """

    static func realOutcome() async throws -> ScenarioOutcome {
        let scenario = try Scenario(parsing: realYAML, file: "Scenarios/shop.yaml", catalog: .travel)
        return await ScenarioRunner.run(scenario)
    }
}
