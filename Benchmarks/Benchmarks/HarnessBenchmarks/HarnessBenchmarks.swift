import Benchmark
import Foundation
import MicroHarness

// The harness: how fast scenarios replay. A small scenario (one agent, one tool call, two model turns,
// in-memory world) and the whole bundled suite in Scenarios/ (recorded adapters included).

let scenariosFolder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Scenarios").path

let smallScenario = """
    name: small
    seed: 1
    services: [weather]
    agents:
      - name: a
        model:
          script:
            - call: {tool: weather_forecast, arguments: {city: Lisbon, from: "2026-05-01", days: 1}}
            - text: mild
    run: {agent: a, prompt: weather?}
    expect:
      - status: completed
      - tool_called: weather_forecast
    """

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(5))

    Benchmark("Small scenario: parse, build the world, run, check", configuration: .init(scalingFactor: .kilo)) { benchmark in
        for _ in benchmark.scaledIterations {
            let scenario = try Scenario(parsing: smallScenario, file: "small.yaml")
            let outcome = await ScenarioRunner.run(scenario)
            precondition(outcome.passed, "\(outcome.failures)")
        }
    }

    Benchmark("Bundled suite: every scenario in Scenarios/, one after another") { benchmark in
        let files = Scenario.files(under: scenariosFolder)
        for _ in benchmark.scaledIterations {
            for file in files {
                let outcome = await ScenarioRunner.run(try Scenario.load(file: scenariosFolder + "/" + file))
                precondition(outcome.passed, "\(file): \(outcome.failures)")
            }
        }
    }
}
