import MicroHarness
import MicroTravel
import MicroScenarioTesting
import Testing

/// Same scenario and seed, byte-identical Trace; another seed changes what is seeded.
@Suite struct ScenarioDeterminismTests {
    @Test(arguments: ScenarioTests.files(in: "Scenarios"))
    func threeRunsGiveTheSameTraceBytes(_ file: ScenarioFile) async throws {
        let scenario = try Scenario.load(file: file.path, catalog: .travel)
        var traces: [String] = []
        for _ in 0..<3 { traces.append(await ScenarioRunner.run(scenario).traceText) }
        #expect(!traces[0].isEmpty)
        #expect(traces[1] == traces[0])
        #expect(traces[2] == traces[0])
    }

    @Test func theSeedDrivesProbabilisticFaultsAndJitter() async throws {
        func trace(seed: UInt64) async throws -> String {
            let scenario = try Scenario(
                parsing: """
                    name: seeded
                    seed: \(seed)
                    services: [weather]
                    agents:
                      - name: a
                        guardrails: {max_identical_calls: 20, retry: {max_attempts: 10, jitter: 0.5}}
                        model:
                          script:
                            - call: {tool: weather_forecast, arguments: {city: Rome, from: "2026-01-01"}}
                            - call: {tool: weather_forecast, arguments: {city: Rome, from: "2026-01-02"}}
                            - call: {tool: weather_forecast, arguments: {city: Rome, from: "2026-01-03"}}
                            - text: ok
                    run: {agent: a, prompt: go}
                    faults:
                      - {target: model, kind: server_error, probability: 0.5}
                      - {target: tool, kind: error, probability: 0.5}
                    """, file: "seeded.yaml", catalog: .travel)
            return await ScenarioRunner.run(scenario).traceText
        }
        let first = try await trace(seed: 1)
        #expect(try await trace(seed: 1) == first)
        var differs = false
        for seed in 2...6 where try await trace(seed: UInt64(seed)) != first { differs = true }
        #expect(differs)
    }
}
