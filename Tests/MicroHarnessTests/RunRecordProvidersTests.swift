import Foundation
import Micro
import MicroHarness
import MicroScenarioTesting
import MicroTravel
import Testing

/// A record keeps each agent's model provider (for `gen_ai.provider.name` in exported spans); records saved
/// before it did still read.
@Suite struct RunRecordProvidersTests {
    @Test(arguments: [
        ("recorded-anthropic.yaml", "anthropic"), ("recorded-gemini.yaml", "gemini"), ("single-agent-tools.yaml", "scripted"),
    ])
    func eachAgentsProviderIsRecorded(_ name: String, provider: String) async throws {
        let file = try #require(ScenarioTests.files(in: "Scenarios").first { $0.name == name })
        let outcome = try await ScenarioTests.run(file, catalog: .travel)
        #expect(!outcome.record.providers.isEmpty)
        #expect(outcome.record.providers.values.allSatisfy { $0 == provider })
        #expect(Set(outcome.record.providers.keys) == Set(outcome.scenario.agents.map(\.name)))
    }

    @Test func aRecordWithoutProvidersReadsWithNone() throws {
        let record = RunRecord(scenario: "s", file: "s.yaml", seed: 1, runID: "r", result: nil, error: nil, trace: [], providers: ["a": "openai"])
        var json = try JSONValueEncoder().encode(record)
        #expect(json["providers"] == ["a": "openai"])
        var fields = try #require(json.objectValue)
        fields["providers"] = nil
        json = .object(fields)
        #expect(try JSONValueDecoder().decode(RunRecord.self, from: json).providers == [:])
    }
}
