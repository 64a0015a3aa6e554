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
    ])
    func passes(expectation: String) async throws {
        let failures = try await Self.outcome(expectation).failures
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test(arguments: [
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
        ("fault_injected: true", "0 fault(s) injected, expected at least 1"),
        ("error: max_steps", "the run did not fail"),
        ("golden_trace: /nonexistent/golden.jsonl", "is missing"),
    ])
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
}
