import Foundation
import Micro
import MicroAgent
import MicroHarness
import MicroScenarioTesting
import MicroTravel
import Testing

/// The bundled `deadlines.yaml`: injected timeouts hang until a deadline cuts them, the agent recovers, and
/// the Trace (which says which deadline fired) replays byte for byte.
@Suite struct DeadlineScenarioTests {
    static func scenario(extraExpectations: String = "") throws -> Scenario {
        let file = try #require(ScenarioTests.files(in: "Scenarios").first { $0.name == "deadlines.yaml" })
        let text = try String(contentsOfFile: file.path, encoding: .utf8) + extraExpectations
        return try Scenario(parsing: text, file: file.path, catalog: .travel)
    }

    @Test func theAgentReadsTheToolDeadlineErrorAndRecoversAndTheModelCallIsRetried() async throws {
        let outcome = await ScenarioRunner.run(try Self.scenario())
        #expect(outcome.passed, "\(outcome.failures)")
        let cuts = outcome.trace.filter { $0.kind == .deadlineExceeded }
        #expect(cuts.map { $0.data["deadline"]?["kind"] } == ["tool", "model"])
        let started = try #require(outcome.trace.first).at
        #expect(cuts.map { $0.at.duration(since: started) } == [.seconds(5), .seconds(65)])
        // The model's next request carries the deadline error as the search's result.
        let next = try #require(outcome.trace.first { $0.kind == .modelRequest && $0.sequence > cuts[0].sequence })
        #expect(next.data["lastMessage"]?.canonicalString().contains("the tool deadline (5s)") == true)
        #expect(outcome.result?.output?.contains("NO547") == true)
    }

    @Test func theSameScenarioTwiceGivesByteIdenticalTraces() async throws {
        let scenario = try Self.scenario()
        let first = await ScenarioRunner.run(scenario).traceText
        let second = await ScenarioRunner.run(scenario).traceText
        #expect(first.contains("\"kind\":\"deadline_exceeded\""))
        #expect(second == first)
    }

    /// The `deadline_exceeded` expectation fails when the deadlines that fired are not the ones expected.
    @Test(arguments: [
        ("deadline_exceeded: run", "0 run deadline(s) exceeded (all: [tool, model]), expected at least 1"),
        ("deadline_exceeded: {kind: tool, count: 2}", "1 tool deadline(s) exceeded (all: [tool, model]), expected exactly 2"),
        ("deadline_exceeded: {max: 1}", "2 deadline(s) exceeded (all: [tool, model]), expected at most 1"),
    ])
    func theDeadlineExpectationFailsOnOtherDeadlines(expectation: String, message: String) async throws {
        let outcome = await ScenarioRunner.run(try Self.scenario(extraExpectations: "  - \(expectation)\n"))
        #expect(outcome.failures.map(\.message) == [message])
    }
}
