import Foundation
import Micro
import MicroTravel
import Testing

@testable import MicroHarness

/// The baseline gate: a saved baseline reads back the same, an unchanged run passes, each figure that grows
/// past its tolerance fails naming the scenario, the figure and old → new, shrinking is an improvement,
/// scenarios the baseline lacks are reported, and a malformed file is a typed error naming the field.
@Suite struct BaselineTests {
    static let entry = Baseline.Entry(
        file: "Scenarios/a.yaml", steps: 10, tokens: TokenCounts(input: 1000, output: 100, cached: 200, summarizer: 50, judge: 40),
        cost: 0.01, judgeCost: 0.001)

    static func baseline(_ entries: [String: Baseline.Entry]) -> Baseline { Baseline(scenarios: entries) }

    @Test func aSavedBaselineReadsBackTheSameAndIsCanonical() throws {
        let baseline = Self.baseline(["a": Self.entry, "b \"quoted\"": Baseline.Entry(
            file: "b.yaml", steps: 1, tokens: TokenCounts(), cost: nil, judgeCost: nil)])
        let text = baseline.jsonText
        #expect(try Baseline(json: JSONValue(parsing: text), file: "x") == baseline)
        #expect(text == (try JSONValue(parsing: text)).prettyString() + "\n")
        #expect(text.contains(#""costUSD": null"#))
    }

    @Test func aRealRunComparedWithItselfPasses() async throws {
        let scenario = try Scenario(parsing: ExpectationTests.world + "  - status: completed\n", file: "e.yaml", catalog: .travel)
        let outcome = await ScenarioRunner.run(scenario)
        let saved = Baseline(outcomes: [outcome])
        let entry = try #require(saved.scenarios["expectations"])
        #expect(entry.steps == 3)
        #expect(entry.tokens == TokenCounts(input: 600, output: 60))
        #expect(entry.cost.map { abs($0 - 0.00072) < 1e-12 } == true)
        let again = Baseline(outcomes: [await ScenarioRunner.run(scenario)])
        let comparison = BaselineComparison(baseline: saved, current: again, tolerances: BaselineTolerances())
        #expect(comparison.passed)
        #expect(comparison.changes.isEmpty)
        #expect(comparison.lines == ["baseline: no figure grew past its tolerance (0 improved)"])
    }

    /// Each gated figure grown by 20% (a step more for steps) fails, naming it.
    @Test(arguments: BaselineMetric.allCases.filter(\.isGated))
    func eachFigureThatGrowsFails(metric: BaselineMetric) throws {
        var grown = Self.entry
        switch metric {
        case .tokens, .input: grown.tokens.input = 1200
        case .output: grown.tokens.output = 120
        case .summarizer: grown.tokens.summarizer = 60
        case .judge: grown.tokens.judge = 48
        case .cost: grown.cost = 0.012
        case .judgeCost: grown.judgeCost = 0.0012
        case .steps: grown.steps = 12
        case .cached: Issue.record("cached is not gated")
        }
        let comparison = BaselineComparison(
            baseline: Self.baseline(["a": Self.entry]), current: Self.baseline(["a": grown]), tolerances: BaselineTolerances(all: 0.1))
        #expect(!comparison.passed)
        let failing = comparison.regressions.map(\.metric)
        #expect(failing.contains(metric), "\(comparison.lines)")
        // tokens (the total) grows with its parts; nothing else does.
        #expect(Set(failing).isSubset(of: metric == .tokens ? [.tokens, .input] : [metric, .tokens]), "\(comparison.lines)")
        let line = try #require(comparison.lines.first { $0.contains(": \(metric) ") })
        #expect(line.hasPrefix("baseline: ✗ a: \(metric) "), "\(line)")
        #expect(line.contains(" → "))
        #expect(line.contains("tolerance 10%"), "\(line)")
        // Within a tolerance of 25% it passes, reported as growth.
        let lenient = BaselineComparison(
            baseline: Self.baseline(["a": Self.entry]), current: Self.baseline(["a": grown]), tolerances: BaselineTolerances(all: 0.25))
        #expect(lenient.passed, "\(lenient.lines)")
        #expect(lenient.changes.contains { $0.metric == metric && $0.kind == .growth })
    }

    @Test func messagesSayOldAndNew() {
        var grown = Self.entry
        grown.tokens.output = 150
        grown.cost = 0.02
        let comparison = BaselineComparison(
            baseline: Self.baseline(["crash and resume": Self.entry]), current: Self.baseline(["crash and resume": grown]),
            tolerances: BaselineTolerances(all: 0.1, perMetric: [.cost: 2]))
        #expect(comparison.lines.contains("baseline: ✗ crash and resume: output 100 → 150 (+50.0%, tolerance 10%)"))
        #expect(comparison.lines.contains("baseline: ✗ crash and resume: tokens 1150 → 1200 (+4.3%, tolerance 10%)") == false)
        // The per-metric tolerance lets the cost double.
        #expect(comparison.lines.contains("baseline: crash and resume: cost $0.010000 → $0.020000 (+100.0%, within 200%)"))
        #expect(comparison.lines.last == "baseline: 1 figure(s) grew past their tolerance")
    }

    @Test func shrinkingIsAnImprovementAndCachedGrowthNeverFails() {
        var better = Self.entry
        better.tokens.input = 800
        better.tokens.cached = 600
        better.steps = 8
        let comparison = BaselineComparison(
            baseline: Self.baseline(["a": Self.entry]), current: Self.baseline(["a": better]), tolerances: BaselineTolerances())
        #expect(comparison.passed, "\(comparison.lines)")
        #expect(Set(comparison.improvements.map(\.metric)) == [.input, .tokens, .steps])
        #expect(comparison.lines.contains("baseline: improved: a: steps 10 → 8 (−20.0%)"))
        #expect(comparison.lines.contains("baseline: a: cached 200 → 600 (+200.0%, within 0%)"))
    }

    @Test func missingScenariosAreReportedNotFailedAndAnUnknownCostFails() {
        var unknown = Self.entry
        unknown.cost = nil
        let comparison = BaselineComparison(
            baseline: Self.baseline(["a": Self.entry, "gone": Self.entry]), current: Self.baseline(["a": unknown, "new": Self.entry]),
            tolerances: BaselineTolerances())
        #expect(comparison.missing == ["new"])
        #expect(comparison.notRun == ["gone"])
        #expect(comparison.lines.contains("baseline: new: not in the baseline (not compared)"))
        #expect(comparison.regressions.map(\.metric) == [.cost])
        #expect(comparison.regressions.first?.kind == .becameUnknown)
        let onlyNew = BaselineComparison(
            baseline: Self.baseline([:]), current: Self.baseline(["new": Self.entry]), tolerances: BaselineTolerances())
        #expect(onlyNew.passed)
    }

    @Test(arguments: [
        ("not json", BaselineError.Code.invalidJSON, ""),
        ("[]", .invalidField, ""),
        (#"{"scenarios": {}}"#, .missingField, "version"),
        (#"{"version": 2, "scenarios": {}}"#, .unsupportedVersion, "version"),
        (#"{"version": 1}"#, .missingField, "scenarios"),
        (#"{"version": 1, "scenarios": []}"#, .invalidField, "scenarios"),
        (#"{"version": 1, "scenarios": {"a": 3}}"#, .invalidField, #"scenarios["a"]"#),
        (#"{"version": 1, "scenarios": {"a": {"tokens": {"input": 1, "output": 1, "cached": 0, "summarizer": 0, "judge": 0}, "costUSD": null}}}"#,
         .missingField, #"scenarios["a"].steps"#),
        (#"{"version": 1, "scenarios": {"a": {"steps": 1, "costUSD": 0}}}"#, .missingField, #"scenarios["a"].tokens"#),
        (#"{"version": 1, "scenarios": {"a": {"steps": 1, "tokens": {"input": "12", "output": 1, "cached": 0, "summarizer": 0, "judge": 0}, "costUSD": 0}}}"#,
         .invalidField, #"scenarios["a"].tokens.input"#),
        (#"{"version": 1, "scenarios": {"a": {"steps": -1, "tokens": {"input": 1, "output": 1, "cached": 0, "summarizer": 0, "judge": 0}, "costUSD": 0}}}"#,
         .invalidField, #"scenarios["a"].steps"#),
        (#"{"version": 1, "scenarios": {"a": {"steps": 1, "tokens": {"input": 1, "output": 1, "cached": 0, "summarizer": 0, "judge": 0}}}}"#,
         .missingField, #"scenarios["a"].costUSD"#),
        (#"{"version": 1, "scenarios": {"a": {"steps": 1, "tokens": {"input": 1, "output": 1, "cached": 0, "summarizer": 0, "judge": 0}, "costUSD": "1"}}}"#,
         .invalidField, #"scenarios["a"].costUSD"#),
    ])
    func aMalformedBaselineIsATypedErrorNamingTheFileAndField(text: String, code: BaselineError.Code, field: String) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("baseline-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        #expect {
            _ = try Baseline.load(file: file)
        } throws: { error in
            guard let error = error as? BaselineError else { return false }
            return error.code == code && error.file == file && error.field == field && "\(error)".hasPrefix(file)
        }
    }

    @Test func anUnreadableBaselineSaysSo() {
        #expect {
            _ = try Baseline.load(file: "/nonexistent/baseline.json")
        } throws: { error in
            (error as? BaselineError)?.code == .unreadable
        }
    }

    @Test(arguments: [("10%", 0.1, nil), ("cost=5%", 0, 0.05), ("steps = 0%", 0, 0)] as [(String, Double, Double?)])
    func tolerancesParse(argument: String, all: Double, metric: Double?) throws {
        let tolerances = try BaselineTolerances(parsing: [argument])
        #expect(tolerances.all == all)
        if let metric { #expect(tolerances.perMetric.values.first == metric) }
    }

    @Test(arguments: ["10", "ten%", "-5%", "speed=5%", "cost=5"])
    func badTolerancesAreTypedErrors(argument: String) {
        #expect {
            _ = try BaselineTolerances(parsing: [argument])
        } throws: { error in
            (error as? BaselineError)?.code == .invalidTolerance && "\(error)".contains("--tolerance \(argument)")
        }
    }
}
