import Foundation
import Micro
import MicroHarness
import MicroTravel
import Testing

/// `trajectory:` on the expectations world (search Lisbon, then book lisbon:0 for Ada, 2 nights): every match
/// mode, argument mode and matcher passes on a trajectory that fits it and fails, with its scores, on one that
/// does not.
@Suite struct TrajectoryExpectationTests {
    static func check(_ value: String) async throws -> ScenarioOutcome.Check {
        let outcome = try await ExpectationTests.outcome("trajectory: " + value)
        return try #require(outcome.checks.first { $0.name == "trajectory" })
    }

    /// (value, F1 the run scores).
    static let passing: [(value: String, f1: Double)] = [
        ("{match: exact, arguments: ignore, steps: [travel_hotels_search, travel_hotels_book]}", 1),
        ("{match: in_order, steps: [travel_hotels_search, travel_hotels_book]}", 1),
        ("{match: any_order, steps: [travel_hotels_book, travel_hotels_search]}", 1),
        ("{match: subset, steps: [{tool: travel_hotels_book, arguments: {guestName: Ada}}]}", 1),
        ("{arguments: required, steps: [{tool: travel_hotels_search, arguments: {city: Lisbon}}, travel_hotels_book]}", 1),
        (
            "{steps: [travel_hotels_search, {tool: travel_hotels_book, mode: exact, arguments: {hotelID: 'lisbon:0', checkIn: '2026-05-01', nights: 2, guestName: Ada}}]}",
            1
        ),
        ("{arguments: ignore, steps: [{tool: travel_hotels_search, arguments: {city: Porto}}, travel_hotels_book]}", 1),
        ("{match: subset, steps: [{tool: travel_hotels_book, arguments: {guestName: {regex: '^A[a-z]+$'}}}]}", 1),
        ("{match: subset, steps: [{tool: travel_hotels_book, arguments: {nights: {range: {min: 1, max: 3}}}}]}", 1),
        ("{match: subset, steps: [{tool: travel_hotels_book, arguments: {'$.hotelID': 'lisbon:0'}}]}", 1),
        ("{match: subset, steps: [{tool: travel_hotels_book, mode: exact, arguments: {'$.hotelID': {equals: 'lisbon:0'}, checkIn: {regex: '^2026'}, nights: {range: {max: 2}}, guestName: Ada}}]}", 1),
        // Partial credit: 2 of 3 steps matched, both calls expected: P 1, R 2/3, F1 0.8 ≥ 0.6.
        ("{threshold: 0.6, steps: [travel_hotels_search, travel_weather_forecast, travel_hotels_book]}", 0.8),
        ("{agent: booker, match: exact, steps: [travel_hotels_search, travel_hotels_book]}", 1),
    ]

    @Test(arguments: passing)
    func passes(value: String, f1: Double) async throws {
        let check = try await Self.check(value)
        #expect(check.passed, "\(check.message)")
        #expect(abs((check.scores["f1"] ?? -1) - f1) < 0.001, "\(check.scores)")
    }

    /// (value, F1, what the message says).
    static let failing: [(value: String, f1: Double, message: String)] = [
        ("{match: exact, arguments: ignore, steps: [travel_hotels_book, travel_hotels_search]}", 0, "calls not expected"),
        // One step where there were two calls: P 0.5, R 1.
        ("{match: exact, steps: [travel_hotels_search]}", 0.667, "1 of 1 expected step(s) matched among 2 call(s)"),
        ("{match: in_order, steps: [travel_hotels_book, travel_hotels_search]}", 0.5, "unmatched: #1 travel_hotels_book (a call fits it"),
        // any_order counts the extra call against precision; subset would not.
        ("{match: any_order, steps: [travel_hotels_book]}", 0.667, "calls not expected: travel_hotels_search"),
        ("{match: subset, steps: [travel_weather_forecast]}", 0, "#1 travel_weather_forecast (never called)"),
        (
            "{steps: [{tool: travel_hotels_search, arguments: {city: Porto}}, travel_hotels_book]}", 0.5,
            "city: \"Lisbon\", expected to contain \"Porto\""
        ),
        ("{match: subset, steps: [{tool: travel_hotels_book, mode: exact, arguments: {nights: 2}}]}", 0, "fields not expected: checkIn, guestName, hotelID"),
        ("{arguments: ignore, steps: [travel_hotels_search, travel_flights_book]}", 0.5, "#2 travel_flights_book (never called)"),
        ("{match: subset, steps: [{tool: travel_hotels_book, arguments: {guestName: {regex: '^B'}}}]}", 0, "\"Ada\" does not match /^B/"),
        ("{match: subset, steps: [{tool: travel_hotels_book, arguments: {nights: {range: {min: 3}}}}]}", 0, "nights: 2 is not at least 3"),
        ("{match: subset, steps: [{tool: travel_hotels_book, arguments: {'$.hotelID': 'porto:0'}}]}", 0, "$.hotelID: \"lisbon:0\""),
        ("{match: subset, steps: [{tool: travel_hotels_book, arguments: {'$.room.floor': 2}}]}", 0, "$.room.floor: missing"),
        ("{threshold: 0.9, steps: [travel_hotels_search, travel_weather_forecast, travel_hotels_book]}", 0.8, "F1 0.80 (threshold 0.90)"),
        ("{match: subset, steps: [{tool: travel_hotels_book, mode: exact, arguments: {'$.hotelID': {equals: 'lisbon:1'}}}]}", 0, "$.hotelID: \"lisbon:0\", expected \"lisbon:1\""),
        ("{agent: someone-else, match: subset, steps: [travel_hotels_book]}", 0, "0 of 1 expected step(s) matched among 0 call(s)"),
    ]

    @Test(arguments: failing)
    func failsWithItsScores(value: String, f1: Double, message: String) async throws {
        let check = try await Self.check(value)
        #expect(!check.passed)
        #expect(check.message.contains(message), "\(check.message)")
        #expect(abs((check.scores["f1"] ?? -1) - f1) < 0.001, "\(check.scores)")
        #expect(check.scores["threshold"] != nil && check.scores["precision"] != nil && check.scores["recall"] != nil)
    }

    /// Bad values are scenario errors naming the file, the line and the field.
    static let invalid: [(value: String, field: String, message: String)] = [
        ("{match: sorted, steps: [a]}", "trajectory.match", "unknown match mode sorted; expected one of: exact, in_order, any_order, subset"),
        ("{arguments: strict, steps: [a]}", "trajectory.arguments", "unknown argument mode strict; expected one of: ignore, required, exact"),
        ("{steps: [{tool: a, mode: loose}]}", "mode", "unknown argument mode loose"),
        ("{steps: [{tool: a, arguments: {x: {regex: '(['}}}]}", "regex", "invalid regular expression: (["),
        ("{steps: [{tool: a, arguments: {x: {range: {min: 3, max: 1}}}}]}", "range", "min is greater than max"),
        ("{steps: [{tool: a, arguments: {'$..x': 1}}]}", "$..x", "invalid JSON path $..x"),
        ("{threshold: 1.5, steps: [a]}", "threshold", "threshold must be between 0 and 1"),
        ("{match: exact}", "trajectory", "missing required field steps"),
        ("{steps: [{tool: a, args: {}}]}", "args", "unknown field args"),
    ]

    @Test(arguments: invalid)
    func badValuesAreTypedErrors(value: String, field: String, message: String) throws {
        let text = ExpectationTests.world + "  - trajectory: " + value + "\n"
        #expect {
            try Scenario(parsing: text, file: "expectations.yaml", catalog: .travel)
        } throws: { error in
            guard let error = error as? ScenarioError else { return false }
            return error.file == "expectations.yaml" && error.line == 19 && error.field.contains(field) && error.message.contains(message)
        }
    }

    /// A call repeated after a crash (same run and call ID) counts once.
    @Test func aRepeatedCallCountsOnce() async throws {
        var record = try await ExpectationTests.outcome("status: completed").record
        let call = try #require(record.trace.first { $0.kind == .toolCall })
        record.trace.append(call)
        let expectation = TrajectoryExpectation([.init(tool: "travel_hotels_search"), .init(tool: "travel_hotels_book")], match: .exact)
        #expect(expectation.calls(in: record).count == 2)
        #expect(expectation.check(record).passed)
    }

    /// The scores are in every report: terminal, JSON, JUnit properties and HTML.
    @Test func scoresAppearInEveryReport() async throws {
        let outcome = try await ExpectationTests.outcome(
            "trajectory: {threshold: 0.6, steps: [travel_hotels_search, travel_weather_forecast, travel_hotels_book]}")
        #expect(outcome.passed)
        let terminal = TerminalReport.summary([outcome], color: false)
        #expect(terminal.contains("expectations.yaml:19: trajectory: precision 1.00, recall 0.67, f1 0.80, threshold 0.60"), "\(terminal)")
        let json = JSONReport.value([outcome])
        let check = try #require(json["scenarios"]?[0]?["checks"]?.arrayValue?.first { $0["name"] == "trajectory" })
        #expect(check["scores"]?["f1"]?.doubleValue.map { abs($0 - 0.8) < 0.001 } == true)
        #expect(check["scores"]?["threshold"] == .number(0.6))
        let junit = JUnitReport.xml([outcome], suiteName: "s", wallTime: nil)
        #expect(junit.contains("<property name=\"trajectory.f1\" value=\"0.8"), "\(junit)")
        #expect(junit.contains("<property name=\"trajectory.recall\" value=\"0.66"))
        let html = HTMLReport.page(for: outcome)
        #expect(html.contains("<b class=\"scores\">precision 1.00, recall 0.67, f1 0.80, threshold 0.60</b>"))
    }
}
