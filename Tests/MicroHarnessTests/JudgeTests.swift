import Foundation
import Micro
import MicroAgent
import MicroScenarioTesting
import MicroTravel
import Testing

@testable import MicroHarness

/// `judge:` expectations: a model grades the run from its record; its verdict, reasoning and tokens are in
/// the Trace, the record and the reports; a bad answer is a typed error, never a pass.
@Suite struct JudgeTests {
    /// A booker that searches and answers; `judge` is the judge expectation's YAML (indented as an item).
    static func scenario(_ judge: String) throws -> Scenario {
        let yaml = """
            name: judged
            seed: 2
            services: [hotels]
            agents:
              - name: booker
                builtin_tools: false
                model:
                  price: {input: 1, output: 2}
                  script:
                    - call: {tool: travel_hotels_search, arguments: {city: Lisbon, checkIn: "2026-05-01", nights: 2}}
                      usage: {input: 100, output: 10}
                    - text: The cheapest hotel in Lisbon is lisbon:0.
                      usage: {input: 200, output: 20}
            run:
              agent: booker
              prompt: Find the cheapest hotel in Lisbon.
            expect:
              - judge:
            \(judge)
              - tokens: 330

            """
        return try Scenario(parsing: yaml, file: "judged.yaml", catalog: .travel)
    }

    static func judge(answer: String, pass: String = "", trajectory: Bool = false, expect: String? = nil) -> String {
        var lines = ["      rubric: The answer names the cheapest hotel."]
        if !pass.isEmpty { lines.append("      pass: \(pass)") }
        if trajectory { lines.append("      trajectory: true") }
        lines.append("      model:")
        lines.append("        price: {input: 0.5, output: 1}")
        lines.append("        script:")
        lines.append("          - text: '\(answer)'")
        lines.append("            usage: {input: 400, output: 40}")
        if let expect { lines.append("            expect: \(expect)") }
        return lines.joined(separator: "\n")
    }

    @Test func aPassingVerdictIsRecordedWithItsTokensApart() async throws {
        let outcome = await ScenarioRunner.run(
            try Self.scenario(Self.judge(answer: #"{"pass": true, "score": 0.95, "reasoning": "It names lisbon:0."}"#)))
        #expect(outcome.failures.isEmpty, "\(outcome.failures)")
        let check = try #require(outcome.checks.first { $0.name == "judge" })
        #expect(check.message == "judged pass (score 0.95): It names lisbon:0.")
        let event = try #require(outcome.trace.last)
        #expect(event.kind == .judgeVerdict)
        #expect(event.agent == "judge")
        let verdict = try #require(outcome.record.judgeVerdicts.first)
        #expect(verdict.id == "expect[0].judge")
        #expect(verdict.model == "scripted/judge")
        #expect(verdict.passed == true && verdict.score == 0.95 && verdict.reasoning == "It names lisbon:0.")
        // The judge's tokens are judge tokens: not the agents' (tokens: 330 passed), priced apart.
        let costs = outcome.record.costs
        #expect(costs.tokens.judge == 440)
        #expect(costs.tokens.total == 330)
        #expect(abs(try #require(costs.judgeCost) - 0.00024) < 1e-12)
        #expect(abs(try #require(costs.cost) - 0.00036) < 1e-12)
        // And the reports show the verdict.
        #expect(TerminalReport.summary([outcome], color: false).contains(
            "    expect[0].judge (scripted/judge): pass, score 0.95: It names lisbon:0. — 440 judge tokens, $0.000240"))
        #expect(JSONReport.scenario(outcome)["judges"]?[0]?["pass"] == true)
        #expect(JUnitReport.xml([outcome], suiteName: "s", wallTime: nil).contains(#"name="expect[0].judge.verdict" value="pass""#))
        #expect(HTMLReport.page(for: outcome).contains("It names lisbon:0."))
    }

    @Test(arguments: [
        (#"{"pass": false, "score": 0.2, "reasoning": "It does not name a price."}"#, "", "judged fail (score 0.2): It does not name a price."),
        (#"{"pass": true, "score": 0.6, "reasoning": "Vague."}"#, "0.8", "score 0.6 < 0.8: Vague."),
        (#"{"pass": true, "reasoning": "No score."}"#, "0.8", "the judge gave no score, expected at least 0.8: No score."),
        ("I think it is fine.", "", "the judge gave no usable verdict: unparseable: the answer holds no JSON object: I think it is fine."),
        (#"{"pass": "maybe"}"#, "", #"the judge gave no usable verdict: invalid_field: pass must be true or false, found "maybe""#),
        (#"{"reasoning": "?"}"#, "", "the judge gave no usable verdict: missing_field: the verdict has neither pass nor score"),
    ])
    func aFailingOrUnusableVerdictFailsSayingWhy(answer: String, pass: String, message: String) async throws {
        let outcome = await ScenarioRunner.run(try Self.scenario(Self.judge(answer: answer, pass: pass)))
        #expect(outcome.failures.map(\.name) == ["judge"])
        let failure = try #require(outcome.failures.first)
        #expect(failure.message.hasPrefix(message), "\(failure.message)")
        #expect(failure.line == 18)
        #expect(outcome.record.judgeVerdicts.count == 1)
    }

    @Test func aJudgeWhoseModelFailsFailsTheCheck() async throws {
        let judge = """
                  rubric: anything
                  model:
                    script:
                      - fail: {code: overloaded, message: busy}
            """
        let outcome = await ScenarioRunner.run(try Self.scenario(judge))
        let failure = try #require(outcome.failures.first { $0.name == "judge" })
        #expect(failure.message.hasPrefix("the judge gave no usable verdict: model_failed: "), "\(failure.message)")
        #expect(failure.message.contains("busy"))
    }

    @Test func theRequestIsBuiltFromTheRecord() async throws {
        // The scripted judge insists on seeing the tool call: without the trajectory it is not there.
        let answer = #"{"pass": true, "score": 1}"#
        let with = await ScenarioRunner.run(try Self.scenario(Self.judge(answer: answer, trajectory: true, expect: "travel_hotels_search")))
        #expect(with.failures.isEmpty, "\(with.failures)")
        let without = await ScenarioRunner.run(try Self.scenario(Self.judge(answer: answer, expect: "travel_hotels_search")))
        #expect(without.failures.first?.message.contains("model_failed") == true, "\(without.failures)")

        let spec = try #require(try Self.scenario(Self.judge(answer: answer, trajectory: true)).expectations.first?.expectation as? JudgeExpectation)
        let request = Judge.request(spec, record: with.record, model: "m")
        let text = request.messages.first?.text ?? ""
        #expect(request.system == Judge.instructions)
        #expect(text.hasPrefix("Rubric:\nThe answer names the cheapest hotel.\n\nThe task given to the agent:\nFind the cheapest hotel in Lisbon.\n"))
        #expect(text.contains("The agent's final output:\nThe cheapest hotel in Lisbon is lisbon:0.\n"))
        #expect(text.contains(#"1. booker called travel_hotels_search {"checkIn":"2026-05-01","city":"Lisbon","nights":2}"#))
    }

    @Test func aSavedRecordIsJudgedAgainWithoutAModel() async throws {
        let scenario = try Self.scenario(Self.judge(answer: #"{"pass": true}"#))
        let outcome = await ScenarioRunner.run(scenario)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("judged-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try outcome.record.jsonText().write(toFile: file, atomically: true, encoding: .utf8)
        let again = ScenarioOutcome(scenario: scenario, record: try RunRecord.load(file: file))
        #expect(again.passed)
        #expect(again.record.judgeVerdicts == outcome.record.judgeVerdicts)
        // A stricter rubric has no verdict in that record: it fails rather than pass unjudged.
        var stricter = scenario
        stricter.expectations[0] = ExpectationSpec(
            JudgeExpectation(rubric: "something else", model: (scenario.expectations[0].expectation as! JudgeExpectation).model, id: "expect[9].judge"),
            line: 40)
        let failed = ScenarioOutcome(scenario: stricter, record: again.record)
        #expect(failed.failures.first?.message == "no verdict of expect[9].judge in the record (the judge did not run)")
    }

    @Test(arguments: [
        ("```json\n{\"pass\": true, \"score\": 0.7, \"reasoning\": \"ok\"}\n```", true, 0.7, "ok"),
        ("Verdict: {\"pass\": \"fail\", \"score\": 0}", false, 0, ""),
        ("{\"score\": 1}", nil, 1, ""),
    ] as [(String, Bool?, Double?, String)])
    func answersParse(answer: String, passed: Bool?, score: Double?, reasoning: String) throws {
        let parsed = try JudgeVerdict.parse(answer)
        #expect(parsed.passed == passed && parsed.score == score && parsed.reasoning == reasoning)
    }

    @Test(arguments: [
        ("no json", JudgeError.Code.unparseable), ("{not json}", .unparseable), ("[1]", .unparseable), ("{}", .missingField),
        (#"{"score": "high"}"#, .invalidField), (#"{"pass": true, "reasoning": 3}"#, .invalidField),
    ])
    func badAnswersAreTypedErrors(answer: String, code: JudgeError.Code) {
        #expect {
            _ = try JudgeVerdict.parse(answer)
        } throws: { error in
            (error as? JudgeError)?.code == code
        }
    }

    @Test(arguments: [
        ("      rubric: x\n      model: {backend: nope}", "unknown model backend"),
        ("      model: {script: [{text: x}]}", "judge.rubric"),
        ("      rubric: x\n      model: {script: [{text: x}]}\n      pass: high", "judge.pass"),
        ("      rubric: x\n      model: {script: [{text: x}]}\n      grade: 1", "unknown field grade"),
    ])
    func badJudgesNameTheField(judge: String, message: String) {
        #expect {
            _ = try Self.scenario(judge)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func theBundledJudgeScenarioPasses() async throws {
        let file = try #require(ScenarioTests.files(in: "Scenarios").first { $0.name == "judge.yaml" })
        let outcome = await ScenarioRunner.run(try Scenario.load(file: file.path, catalog: .travel))
        #expect(outcome.failures.isEmpty, "\(outcome.failures)")
        let verdicts = outcome.record.judgeVerdicts
        #expect(verdicts.map(\.model) == ["scripted/judge", "openai/gpt-4o-mini"])
        #expect(verdicts.allSatisfy { $0.passed == true })
        // The cassette judge is priced from the bundled table.
        #expect(outcome.record.costs.judges.allSatisfy { $0.cost != nil })
        #expect(outcome.record.judgePrices.values.contains { $0.source == "bundled \(PriceTable.bundledDate)" })
    }
}
