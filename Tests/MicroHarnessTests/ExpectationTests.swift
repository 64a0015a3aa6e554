import Foundation
import MicroHarness
import MicroTravel
import Testing

/// Each expectation passes on a run that meets it and fails, with a message saying why, on one that does not.
@Suite struct ExpectationTests {
    /// A booker that searches, books (a ledger charge) and answers, with prices and usage.
    static let world = """
        name: expectations
        seed: 4
        services: [hotels, payments]
        agents:
          - name: booker
            model:
              price: {input: 1.0, output: 2.0}
              script:
                - call: {tool: travel_hotels_search, arguments: {city: Lisbon, checkIn: "2026-05-01", nights: 2}}
                  usage: {input: 100, output: 10}
                - call: {tool: travel_hotels_book, arguments: {hotelID: "lisbon:0", checkIn: "2026-05-01", nights: 2, guestName: Ada}}
                  usage: {input: 200, output: 20}
                - text: '{"booked": "lisbon:0", "nights": 2}'
                  usage: {input: 300, output: 30}
        run:
          agent: booker
          prompt: Book Lisbon.
        expect:

        """

    static func outcome(_ expectation: String) async throws -> ScenarioOutcome {
        let scenario = try Scenario(parsing: world + "  - " + expectation + "\n", file: "expectations.yaml", catalog: .travel)
        return await ScenarioRunner.run(scenario)
    }

    @Test(arguments: [
        "status: completed",
        "output: {contains: lisbon:0}",
        "output: {matches: '\"nights\": [0-9]'}",
        "output: {json_path: $.nights, equals: 2}",
        "tool_called: travel_hotels_book",
        "tool_called: {name: travel_hotels_search, arguments: {city: Lisbon}, count: 1}",
        "tool_called: {name: travel_hotels_book, arguments: {hotelID: 'lisbon:0', checkIn: '2026-05-01', nights: 2, guestName: Ada}, exact: true}",
        "tool_sequence: [travel_hotels_search, travel_hotels_book]",
        "tool_sequence: {any_order: [travel_hotels_book, travel_hotels_search]}",
        "steps: 3",
        "tokens: {min: 660, max: 660}",
        "cost: {min: 0.00071, max: 0.00073}",
        "checkpoints: {min: 8, max: 40}",
        "within_context_window: true",
        "no_duplicate_side_effects: true",
        "compactions: 0",
        "fault_injected: {count: 0}",
        "approvals: {asked: 0, policy_denied: 0}",
    ])
    func passes(expectation: String) async throws {
        let failures = try await Self.outcome(expectation).failures
        #expect(failures.isEmpty, "\(failures)")
    }

    /// One failing case per kind, on the world as it is.
    static let failing: [(expectation: String, message: String)] = [
        ("status: failed", "status completed, expected failed"),
        ("output: {equals: done}", "expected \"done\""),
        ("output: {json_path: $.nights, equals: 3}", "$.nights is 2, expected 3"),
        ("tool_called: {name: travel_hotels_search, arguments: {city: Porto}}", "called 0 time(s) with arguments containing {\"city\":\"Porto\"}"),
        ("tool_called: {name: travel_hotels_book, max: 0}", "called 1 time(s), expected at most 0"),
        ("tool_sequence: [travel_hotels_book, travel_hotels_search]", "expected in order"),
        ("steps: {max: 2}", "3 model call(s), expected at most 2"),
        ("tokens: {max: 100}", "660 tokens, expected at most 100"),
        ("cost: {max: 0.0001}", "cost $0.000720"),
        ("resumed_from_step: 1", "expected step 1"),
        ("compactions: {min: 1}", "0 compaction(s)"),
        ("delegated: booker", "expected booker"),
        ("deadline_exceeded: tool", "0 tool deadline(s) exceeded"),
        ("fault_injected: true", "0 fault(s) injected, expected at least 1"),
        ("error: max_steps", "the run did not fail"),
        ("golden_trace: /nonexistent/golden.jsonl", "is missing"),
        ("checkpoints: {max: 2}", "checkpoint(s) committed by run run, expected at most 2"),
        ("output: {contains: Porto}", "expected it to contain \"Porto\""),
        ("output: {matches: '^booked'}", "expected it to match /^booked/"),
        ("approvals: {asked: 1}", "approvals: 0 asked, 0 approved, 0 denied, 0 edited, 0 policy denied; expected asked exactly 1"),
        ("trajectory: {match: exact, arguments: ignore, steps: [travel_hotels_book, travel_hotels_search]}", "F1 0.00 (threshold 1.00)"),
        (#"judge: {rubric: r, model: {script: [{text: '{"pass": false, "reasoning": "no"}'}]}}"#, "judged fail: no"),
        ("stages: [lookup]", "no flow run happened"),
        ("verifications: {attempts: 1}", "verifications: 0 attempts, 0 rejected, 0 passed; expected attempts exactly 1"),
        ("loop_iterations: 1", "loop iterations: 0, 0 ended by the condition, 0 by the cap; expected iterations exactly 1"),
        ("flow_runs: 1", "0 flow run(s) (), expected exactly 1"),
    ]

    @Test(arguments: failing)
    func failsSayingWhy(expectation: String, message: String) async throws {
        let outcome = try await Self.outcome(expectation)
        let failure = try #require(outcome.failures.first, "\(expectation) should fail")
        #expect(failure.message.contains(message), "\(failure.message)")
        #expect(failure.line == 19)
    }

    @Test func anUnfiredFaultFailsTheScenario() async throws {
        let scenario = try Scenario(
            parsing: Self.world.replacingOccurrences(of: "expect:\n", with: "faults:\n  - {target: tool, kind: error, tool: nope}\n"),
            file: "x.yaml", catalog: .travel)
        let outcome = await ScenarioRunner.run(scenario)
        #expect(outcome.failures.map(\.name) == ["fault_fired"])
        #expect(outcome.failures.first?.line == 19)
    }

    @Test func aRunThatDoesNotCompleteFailsUnlessExpected() async throws {
        let scenario = try Scenario(
            parsing: Self.world.replacingOccurrences(of: "agents:\n  - name: booker\n", with: "agents:\n  - name: booker\n    guardrails: {max_steps: 1}\n")
                .replacingOccurrences(of: "expect:\n", with: ""),
            file: "x.yaml", catalog: .travel)
        let outcome = await ScenarioRunner.run(scenario)
        #expect(outcome.failures.map(\.name) == ["status"])
        #expect(outcome.failures.first?.message.contains("max_steps") == true)
    }

    /// Failing cases that need another world: (expectation, text replaced in the world, replacement, message).
    static let failingInAnotherWorld: [(expectation: String, replace: String, with: String, message: String)] = [
        // Compaction off and a window the tool specs alone overflow: the measured request, not memory's
        // estimate, is over the window.
        (
            "within_context_window: true", "    model:\n", "    memory: {compaction: false}\n    model:\n      context_window: 300\n",
            "3 of 3 request(s) exceed the context window, first step 1 of run run (booker): "
        ),
    ]

    @Test(arguments: failingInAnotherWorld)
    func failsInAWorldThatBreaksIt(expectation: String, replace: String, with: String, message: String) async throws {
        let text = Self.world.replacingOccurrences(of: replace, with: with) + "  - " + expectation + "\n"
        let outcome = await ScenarioRunner.run(try Scenario(parsing: text, file: "expectations.yaml", catalog: .travel))
        let name = String(expectation.prefix { $0 != ":" })
        let failure = try #require(outcome.failures.first { $0.name == name }, "\(expectation) should fail: \(outcome.checks)")
        #expect(failure.message.contains(message), "\(failure.message)")
    }

    /// A side effect recorded twice under one idempotency key (as a resumed run that repeats a call leaves
    /// it) fails `no_duplicate_side_effects`; the record is checked again, with no world.
    @Test func aDuplicatedSideEffectFails() async throws {
        let expectation = "no_duplicate_side_effects: true"
        var record = try await Self.outcome(expectation).record
        let effect = try #require(record.sideEffects.first)
        record.sideEffects.append(effect)
        let verdict = NoDuplicateSideEffectsExpectation().check(record)
        #expect(!verdict.passed)
        #expect(verdict.message == "duplicated side effects: \(effect.key) ×2")
    }

    /// Every kind the parser accepts has a case above proving it fails when it should.
    @Test func everyKindHasAFailingCase() {
        let covered = Set(
            (Self.failing.map(\.expectation) + Self.failingInAnotherWorld.map(\.expectation) + ["no_duplicate_side_effects"])
                .map { String($0.prefix { $0 != ":" }) })
        let kinds = Catalog.travel.allExpectations.map { $0.name }
        #expect(kinds.count >= 16)
        #expect(Set(kinds).subtracting(covered).isEmpty, "kinds without a failing case: \(Set(kinds).subtracting(covered).sorted())")
    }
}
