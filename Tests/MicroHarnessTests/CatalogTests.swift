import Foundation
import Micro
import MicroAgent
import MicroHarness
import Testing

/// A small user system, not the travel example: a typed `counter` service on the world's store and clock, an
/// agent defined in Swift with a named model backend, a custom expectation and a custom tool fault.
enum Shop {
    struct Add: Codable, Sendable, SchemaDescribing {
        var amount: Int
        static var fieldDescriptions: [String: String] { ["amount": "How much to add."] }
    }

    struct Total: Codable, Sendable {
        var total: Int
        var at: Int64
    }

    /// Adds to a running total in the world's store, and records each addition in the ledger once per key.
    static func counter(_ world: WorldRuntime) -> Service {
        Service("shop.counter", description: "A running total") {
            Endpoint("add", description: "Adds to the total") { (request: Add, context: CallContext) async throws -> Total in
                let previous = try await world.store.read("total", in: "shop").flatMap { Int(String(decoding: $0.value, as: UTF8.self)) } ?? 0
                let total = previous + request.amount
                try await world.store.write(StoreRecord(key: "total", value: Array(String(total).utf8)), in: "shop")
                _ = try await world.ledger.perform(
                    key: context.idempotencyKey, kind: "shop.add", payload: ["amount": .integer(request.amount)],
                    at: context.environment.now())
                return Total(total: total, at: context.environment.now().millisecondsSinceEpoch)
            }
        }
    }

    /// `total_added: N`: the ledger's additions sum to N.
    struct TotalAdded: ScenarioExpectation {
        static let name = "total_added"
        let amount: Int
        init(parsing node: YAMLNode) throws(ScenarioError) {
            amount = try node.int()
            if amount < 0 { throw node.error("total_added must not be negative") }
        }
        func check(_ record: RunRecord) -> Verdict {
            let total = record.sideEffects.filter { $0.kind == "shop.add" }.compactMap { $0.payload["amount"]?.intValue }.reduce(0, +)
            return Verdict(total == amount, "the additions sum to \(total), expected \(amount)")
        }
    }

    static let script: [ScriptedModel.Turn] = [
        .calls([ToolCall(id: "a1", name: "shop_counter_add", arguments: ["amount": 3])]),
        .calls([ToolCall(id: "a2", name: "shop_counter_add", arguments: ["amount": 4])]),
        .answer("The total is 7."),
    ]

    static let catalog = Catalog(
        services: [
            CatalogService("counter") { world in [counter(world)] },
            CatalogService("broken") { _ in throw CatalogError("the broken service needs a database") },
        ],
        agents: [CatalogAgent("cashier", description: "adds things up", instructions: "Add what you are asked.", tools: ["counter"], model: .named("cashier-llm"))],
        models: ["cashier-llm": { _ in ScriptedModel(script, selection: .byAssistantTurns) }],
        remoteAgents: ["auditor": { _ in Auditor() }],
        expectations: [TotalAdded.self],
        toolFaults: [
            ToolFaultKind("card_declined") { _, _, _ in throw ServiceError(.handlerFailed, "card declined (the shop's own error)") },
        ])

    struct Auditor: RemoteAgent {
        var name: String { "auditor" }
        var description: String { "audits totals" }
        func send(task: String, context: CallContext) async throws -> String { "audited: \(task)" }
    }

    static func scenario(_ body: String) throws -> Scenario {
        try Scenario(parsing: "name: shop\nservices: [counter]\n" + body, file: "shop.yaml", catalog: catalog)
    }
}

@Suite struct CatalogTests {
    @Test func aCatalogueAgentRunsTheUsersServiceOnTheWorldsClockAndStore() async throws {
        let scenario = try Shop.scenario("""
            agents:
              - use: cashier
            run: {agent: cashier, prompt: Add 3 and 4.}
            expect:
              - output: The total is 7.
              - total_added: 7
              - tool_called: {name: shop_counter_add, count: 2}
            """)
        let outcome = await ScenarioRunner.run(scenario)
        #expect(outcome.passed, "\(outcome.failures)")
        // The handler read the world's virtual clock (2026-01-01), never the wall clock.
        let result = try #require(outcome.trace.last { $0.kind == .toolResult })
        #expect(result.data["content"]?["at"]?.intValue == 1_767_225_600_000)
        #expect(outcome.record.sideEffects.map(\.key) == ["run/1/0", "run/2/0"])
    }

    @Test func aScenarioOverridesACatalogueAgentsModel() async throws {
        let scenario = try Shop.scenario("""
            agents:
              - use: cashier
                model:
                  script:
                    - call: {tool: shop_counter_add, arguments: {amount: 10}}
                    - text: Ten.
            run: {agent: cashier, prompt: Add 10.}
            expect:
              - output: Ten.
              - total_added: 10
            """)
        let outcome = await ScenarioRunner.run(scenario)
        #expect(outcome.passed, "\(outcome.failures)")
    }

    @Test func aCustomExpectationFailsSayingWhyAtItsLine() async throws {
        let scenario = try Shop.scenario("""
            agents:
              - use: cashier
            run: {agent: cashier, prompt: Add.}
            expect:
              - total_added: 8
            """)
        let outcome = await ScenarioRunner.run(scenario)
        #expect(outcome.failures.map(\.name) == ["total_added"])
        #expect(outcome.failures.first?.line == 7)
        #expect(outcome.failures.first?.message == "the additions sum to 7, expected 8")
    }

    @Test func aCustomToolFaultRunsInsteadOfTheHandler() async throws {
        let scenario = try Shop.scenario("""
            agents:
              - use: cashier
            run: {agent: cashier, prompt: Add.}
            faults:
              - {target: tool, kind: card_declined, tool: shop_counter_add, call: 1}
            expect:
              - total_added: 4
              - fault_injected: {target: tool, kind: card_declined, count: 1}
            """)
        let outcome = await ScenarioRunner.run(scenario)
        #expect(outcome.passed, "\(outcome.failures)")
        let declined = try #require(outcome.trace.first { $0.kind == .toolResult })
        #expect(declined.data["content"]?.canonicalString().contains("card declined (the shop's own error)") == true, "\(declined.data)")
    }

    @Test func aCatalogueRemoteAgentIsReachedThroughDelegate() async throws {
        let scenario = try Shop.scenario("""
            agents:
              - name: boss
                model:
                  script:
                    - call: {tool: delegate, arguments: {agent: auditor, task: check the total}}
                    - text: done
            remote_agents: [auditor]
            run: {agent: boss, prompt: Audit.}
            expect:
              - delegated: auditor
            """)
        let outcome = await ScenarioRunner.run(scenario)
        #expect(outcome.passed, "\(outcome.failures)")
        #expect(outcome.trace.contains { $0.kind == .delegationResult && $0.data["output"]?.stringValue == "audited: check the total" })
    }

    /// Unknown names and bad values in the file name the file, the line, the field and the nearest names.
    @Test(arguments: [
        ("services: [countr]\n", 2, "services[0]", "unknown service countr (did you mean counter?)"),
        ("agents:\n  - use: casheir\n", 4, "agents[0].use", "unknown agent casheir (did you mean cashier?)"),
        ("agents:\n  - name: a\n    model: {backend: cashier-lm}\n", 5, "agents[0].model.backend", "unknown model backend cashier-lm (did you mean cashier-llm?)"),
        ("agents:\n  - use: cashier\nremote_agents: [audtor]\n", 5, "remote_agents[0]", "unknown remote agent audtor (did you mean auditor?)"),
        ("agents:\n  - use: cashier\nexpect:\n  - total_added: -1\n", 6, "expect[0].total_added", "must not be negative"),
        ("agents:\n  - use: cashier\nexpect:\n  - total_aded: 1\n", 6, "expect[0].total_aded", "did you mean total_added?"),
        ("agents:\n  - use: cashier\nfaults:\n  - {target: tool, kind: card_decline}\n", 6, "faults[0].kind", "card_declined"),
        ("agents:\n  - use: cashier\n    name: x\n", 4, "agents[0]", "not both"),
    ])
    func unknownNamesAreErrorsAtTheirLine(body: String, line: Int, field: String, message: String) {
        let yaml = body.contains("services:") ? "name: shop\n" + body + "agents:\n  - use: cashier\nrun: {agent: cashier, prompt: p}\n"
            : "name: shop\nservices: [counter]\n" + body + "run: {agent: cashier, prompt: p}\n"
        #expect {
            try Scenario(parsing: yaml, file: "shop.yaml", catalog: Shop.catalog)
        } throws: { error in
            guard let error = error as? ScenarioError else { return false }
            let matches = error.file == "shop.yaml" && error.line == line && error.field == field && error.message.contains(message)
            if !matches { Issue.record("got \(error)") }
            return matches
        }
    }

    @Test func aFactoryThatThrowsFailsTheScenarioAtItsServices() async throws {
        let scenario = try Scenario(
            parsing: "name: shop\nservices: [counter, broken]\nagents:\n  - use: cashier\nrun: {agent: cashier, prompt: p}\n", file: "shop.yaml",
            catalog: Shop.catalog)
        let outcome = await ScenarioRunner.run(scenario)
        #expect(outcome.failures.map(\.name) == ["world"])
        #expect(outcome.failures.first?.message.contains("shop.yaml:2: services.broken: the catalogue's factory for broken threw: the broken service needs a database") == true)
    }

    @Test func toolsNamingNoServiceAreAnErrorWithTheNearestName() async throws {
        let scenario = try Shop.scenario("agents:\n  - use: cashier\n    tools: [countr]\nrun: {agent: cashier, prompt: p}\n")
        let outcome = await ScenarioRunner.run(scenario)
        #expect(outcome.failures.first?.message.contains("shop.yaml:4: agents.cashier.tools: no service of the scenario is called countr (did you mean counter?)") == true)
    }

    @Test func mergingReplacesEntriesOfTheSameName() {
        let other = Catalog(services: [CatalogService("counter", description: "replaced") { _ in [] }])
        let merged = Shop.catalog.merging(other)
        #expect(merged.services.map(\.name) == ["broken", "counter"])
        #expect(merged.service("counter")?.description == "replaced")
        #expect(merged.agent("cashier") != nil)
    }
}
