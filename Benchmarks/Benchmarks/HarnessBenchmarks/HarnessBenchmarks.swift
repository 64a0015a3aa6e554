import Benchmark
import Foundation
import Micro
import MicroAgent
import MicroHarness
import MicroTravel

// The harness: how fast scenarios replay. A small scenario (one agent, one tool call, two model turns,
// in-memory world) on the travel catalogue and on a user's own catalogue, the whole bundled suite in
// Scenarios/ (recorded adapters included), and a black-box agent: a Python process started per run, talking
// to the world's provider endpoint and MCP server over loopback.

let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let scenariosFolder = root.appendingPathComponent("Scenarios").path
let externalAgent = root.appendingPathComponent("Tests/Fixtures/ExternalAgents/stdlib_loop.py").path

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

/// A user's own system: a typed service on the world's store, an agent defined in Swift with a named backend.
struct Add: Codable, Sendable, SchemaDescribing {
    var amount: Int
}

struct Total: Codable, Sendable {
    var total: Int
}

let userCatalog = Catalog(
    services: [
        CatalogService("counter") { world in
            [Service("shop.counter") {
                Endpoint("add", description: "Adds to the total") { (request: Add, context: CallContext) async throws -> Total in
                    let previous = try await world.store.read("total", in: "shop").flatMap { Int(String(decoding: $0.value, as: UTF8.self)) } ?? 0
                    try await world.store.write(StoreRecord(key: "total", value: Array(String(previous + request.amount).utf8)), in: "shop")
                    return Total(total: previous + request.amount)
                }
            }]
        }
    ],
    agents: [CatalogAgent("cashier", instructions: "Add what you are asked.", tools: ["counter"], model: .named("cashier-llm"))],
    models: [
        "cashier-llm": { _ in
            ScriptedModel(
                [.calls([ToolCall(id: "a", name: "shop_counter_add", arguments: ["amount": 3])]), .answer("3")],
                selection: .byAssistantTurns)
        }
    ])

let userScenario = """
    name: user catalogue
    services: [counter]
    agents:
      - use: cashier
    run: {agent: cashier, prompt: Add 3.}
    expect:
      - output: "3"
      - tool_called: shop_counter_add
    """

let externalScenario = """
    name: black box
    fixtures:
      - service: notifier
        endpoints:
          - name: send
            effect: true
            input: {type: object, properties: {to: {type: string}}, required: [to]}
            responses:
              - result: {sent: true}
    agents:
      - name: bot
        external: {command: [python3, \(externalAgent)]}
        model:
          script:
            - call: {tool: notifier_send, arguments: {to: ada}}
            - text: Sent it.
    run: {agent: bot, prompt: Notify Ada.}
    expect:
      - output: Sent it.
    """

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(5))

    Benchmark("Small scenario: parse, build the world, run, check", configuration: .init(scalingFactor: .kilo)) { benchmark in
        for _ in benchmark.scaledIterations {
            let scenario = try Scenario(parsing: smallScenario, file: "small.yaml", catalog: .travel)
            let outcome = await ScenarioRunner.run(scenario)
            precondition(outcome.passed, "\(outcome.failures)")
        }
    }

    Benchmark("Small scenario on a user's catalogue (typed service, Swift agent, named backend)", configuration: .init(scalingFactor: .kilo)) {
        benchmark in
        for _ in benchmark.scaledIterations {
            let scenario = try Scenario(parsing: userScenario, file: "user.yaml", catalog: userCatalog)
            let outcome = await ScenarioRunner.run(scenario)
            precondition(outcome.passed, "\(outcome.failures)")
        }
    }

    Benchmark("Bundled suite: every scenario in Scenarios/, one after another") { benchmark in
        let files = Scenario.files(under: scenariosFolder)
        for _ in benchmark.scaledIterations {
            for file in files {
                let outcome = await ScenarioRunner.run(try Scenario.load(file: scenariosFolder + "/" + file, catalog: .travel))
                precondition(outcome.passed, "\(file): \(outcome.failures)")
            }
        }
    }

    Benchmark(
        "Black-box scenario: start a Python agent, two model calls and one MCP tool call over loopback, check",
        configuration: .init(maxDuration: .seconds(10), maxIterations: 20)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            let scenario = try Scenario(parsing: externalScenario, file: "black-box.yaml")
            let outcome = await ScenarioRunner.run(scenario)
            precondition(outcome.passed, "\(outcome.failures)")
        }
    }
}
