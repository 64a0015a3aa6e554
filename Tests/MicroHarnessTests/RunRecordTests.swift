import Foundation
import Micro
import MicroHarness
import MicroScenarioTesting
import MicroTravel
import Testing

/// A run ends in one immutable record; saved as JSON it reads back equal, and checking it again gives the
/// same verdicts without running anything.
@Suite struct RunRecordTests {
    static func outcome(_ name: String) async throws -> ScenarioOutcome {
        let file = try #require(ScenarioTests.files(in: "Scenarios").first { $0.name == name })
        return try await ScenarioTests.run(file, catalog: .travel)
    }

    @Test(arguments: ["crash-resume.yaml", "travel-delegation-tree.yaml", "tool-failures.yaml"])
    func aSavedRecordReadsBackEqualAndChecksTheSame(_ name: String) async throws {
        let outcome = try await Self.outcome(name)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("record-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try outcome.record.jsonText().write(toFile: path, atomically: true, encoding: .utf8)
        let loaded = try RunRecord.load(file: path)
        #expect(loaded == outcome.record)
        #expect(ScenarioOutcome(scenario: outcome.scenario, record: loaded).checks == outcome.checks)
        #expect(try loaded.jsonText() == outcome.record.jsonText(), "canonical: the same record, the same bytes")
    }

    @Test func aRecordCheckedAgainstStricterExpectationsFailsWithoutRunning() async throws {
        let outcome = try await Self.outcome("crash-resume.yaml")
        #expect(outcome.passed)
        var stricter = outcome.scenario
        stricter.expectations = [ExpectationSpec(StepsExpectation(.exactly(1)), line: 3), ExpectationSpec(StatusExpectation(.failed), line: 4)]
        let checked = ScenarioOutcome(scenario: stricter, record: outcome.record)
        #expect(checked.failures.map(\.line) == [3, 4])
        #expect(checked.failures.first?.message.hasSuffix("expected exactly 1") == true)
    }

    @Test func endOfRunFactsFailTheRunsChecks() async throws {
        var record = try await Self.outcome("single-agent-tools.yaml").record
        record.checkpointGaps = ["run: [1, 2, 4]"]
        record.factErrors = ["reading the side-effect ledger failed: disk on fire"]
        record.unfiredFaults = [RunRecord.UnfiredFault(label: "tool error", line: 12)]
        record.unusedRecordings = ["agent: 1 interaction"]
        var scenario = try await Self.outcome("single-agent-tools.yaml").scenario
        scenario.expectations = []
        let checked = ScenarioOutcome(scenario: scenario, record: record)
        #expect(checked.failures.map(\.name) == ["fault_fired", "checkpoint_gap", "facts", "recordings"])
        #expect(checked.failures.first?.line == 12)
    }

    @Test(arguments: [
        ("not json", "not a run record"),
        (#"{"version": 1, "scenario": "x"}"#, "not a run record"),
        (#"{"version": 9, "scenario": "x", "file": "f", "seed": 0, "runID": "r", "trace": [], "crashes": 0, "virtualDurationMs": 0, "unfiredFaults": [], "checkpointGaps": [], "sideEffects": [], "unusedRecordings": [], "contextWindows": {}, "prices": {}, "factErrors": []}"#, "run record version 9"),
    ])
    func aBadRecordFileIsAClearError(text: String, message: String) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try RunRecord.load(file: path)
        } throws: { error in
            guard let error = error as? RunRecordError else { return false }
            return error.file == path && error.message.contains(message)
        }
        #expect(throws: RunRecordError.self) { try RunRecord.load(file: path + ".missing") }
    }
}
