import Foundation
import Micro
import MicroA2A
import MicroAgent
import MicroHarness
@testable import MicroCLI
import Testing

@Suite struct A2ACommandTests {
    @Test func cardAndSendTalkToAnA2AServer() async throws {
        let environment = Environment.live
        let runtime = Runtime.inMemory(environment: environment)
        let agent = Agent(
            name: "greeter", description: "greets", instructions: "Greet.",
            model: ScriptedModel([.answer("Hello from A2A.")], selection: .byAssistantTurns), tools: .services([]))
        let runner = AgentRunner(runtime: runtime, checkpointer: InMemoryCheckpointer(), agents: [agent], owner: "cli-test")
        try await A2AServer(runner: runner, agent: "greeter").withRunning { url in
            let card = await runMicro(["a2a", "card", url])
            #expect(card.code == 0)
            let json = try JSONValue(parsing: card.out)
            #expect(json["name"] == "greeter")

            let sent = await runMicro(["a2a", "send", url, "hi"])
            #expect(sent.code == 0)
            #expect(sent.out == "Hello from A2A.\n")

            let streamed = await runMicro(["a2a", "send", url, "hi", "--stream"])
            #expect(streamed.code == 0)
            let lines = streamed.out.split(separator: "\n")
            #expect(lines.contains { $0.hasPrefix("artifact ") && $0.hasSuffix("Hello from A2A.") })
            #expect(lines.last?.hasSuffix("completed (final)") == true)
        }
    }

    @Test func sendWithTaskAnswersAPausedTask() async throws {
        let environment = Environment.live
        let agent = Agent(
            name: "asker", instructions: "Ask, then answer.",
            model: ScriptedModel([
                .calls([ToolCall(id: "ask", name: "request_input", arguments: ["prompt": "Which date?"])]),
                .answer("Booked for the date you gave."),
            ], selection: .byAssistantTurns), tools: .services([]))
        let runner = AgentRunner(
            runtime: Runtime.inMemory(environment: environment), checkpointer: InMemoryCheckpointer(), agents: [agent],
            owner: "cli-test")
        try await A2AServer(runner: runner, agent: "asker").withRunning { url in
            let asked = await runMicro(["a2a", "send", url, "book"])
            #expect(asked.out.hasPrefix("input required: ") && asked.out.contains("asks: Which date?"))
            let taskID = try #require(asked.out.split(separator: "(task ").last?.split(separator: ")").first.map(String.init))
            let answered = await runMicro(["a2a", "send", url, "May 1st", "--task", taskID])
            #expect(answered.code == 0)
            #expect(answered.out == "Booked for the date you gave.\n")
        }
    }
}

@Suite struct A2AServeScenarioTests {
    static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Scenarios").path

    @Test func refusesAnAgentTheScenarioDoesNotHave() async {
        let (code, _, err) = await runMicro(["a2a", "serve", Self.scenarios + "/request-input.yaml", "--agent", "nobody"])
        #expect(code != 0)
        #expect(err.contains("no agent nobody in"))
        #expect(err.contains("agents: concierge"))
    }

    @Test(arguments: [
        (["a2a", "serve", "--port", "0", "--broker", "redis://x"], "--broker redis://x: use memory:// or nats://host[:port]"),
        (["mcp", "serve", "--http", "0", "--broker", "nats://a:b@"], "no host"),
        (["a2a", "serve", "--port", "0", "--broker", "nats://127.0.0.1:1"], "cannot connect to nats://127.0.0.1:1"),
        (["a2a", "serve", "--port", "0", "--broker", "NATS://127.0.0.1:1"], "cannot connect to nats://127.0.0.1:1"),
        (["a2a", "serve", "--port", "0", "--broker", "nat://a:b@127.0.0.1"], "use memory:// or nats://host[:port]"),
    ])
    func aBrokerThatCannotBeUsedIsAnErrorNamingIt(arguments: [String], message: String) async {
        let (code, _, err) = await runMicro(arguments)
        #expect(code != 0)
        #expect(err.contains(message), "\(err)")
        #expect(!err.contains("a:b"), "no credentials in the message")
    }

    /// A scenario's world has its own broker and registry: refused before any engine is connected, so an engine
    /// that is down (port 1) does not hide the usage error.
    @Test(arguments: [
        (["--broker", "nats://127.0.0.1:1"], "--broker serves the catalogue's agents"),
        (["--registry", "etcd://127.0.0.1:1"], "--registry serves the catalogue's agents"),
    ])
    func aScenarioWithAnEngineIsAUsageError(option: [String], message: String) async {
        let (code, _, err) = await runMicro(["a2a", "serve", Self.scenarios + "/request-input.yaml", "--port", "0"] + option)
        #expect(code != 0)
        #expect(err.contains(message), "\(err)")
        #expect(!err.contains("cannot connect"), "\(err)")
    }

    @Test func refusesABrokenScenarioWithItsLine() async {
        let (code, _, err) = await runMicro(["a2a", "serve", "/nonexistent/scenario.yaml"])
        #expect(code != 0)
        #expect(err.contains("/nonexistent/scenario.yaml"))
    }
}

/// `a2a serve` without a scenario serves the catalogue's own agents (a user's package serves its agents).
@Suite struct CatalogAgentsTests {
    @Test func catalogueAgentsBecomeRunnableAgentsWithTheirModelsAndTools() async throws {
        let catalog = Catalog(
            services: [CatalogService("desk") { _ in [Service("support.tickets", description: "t") {
                Endpoint("open", description: "o") { (_: JSONValue, _: CallContext) async throws -> JSONValue in ["ok": true] }
            }] }],
            agents: [
                CatalogAgent("named", instructions: "i", tools: ["desk"], model: .named("rules")),
                CatalogAgent("scripted", instructions: "i", model: .scripted([.answer("hi")])),
                CatalogAgent("recorded", instructions: "i", model: .recorded(provider: "openai", model: "m", cassette: "c.json", baseURL: nil)),
                CatalogAgent("modelless", instructions: "i"),
            ],
            models: ["rules": { _ in ScriptedModel([.answer("ruled")]) }])
        let runtime = Runtime.inMemory()
        try await runtime.serve(try catalog.services[0].make(WorldRuntime(runtime: runtime, ledger: SideEffectLedger(store: runtime.store))))
        let agents = try AgentWorld.catalogAgents(on: runtime, catalog: catalog)
        #expect(agents.map(\.name) == ["named", "scripted"])
        #expect(agents.first?.tools == .services(["support.tickets"]))
        let runner = AgentRunner(runtime: runtime, checkpointer: InMemoryCheckpointer(), agents: agents)
        #expect(try await runner.run("named", input: "go").output == "ruled")
        #expect(try await runner.run("scripted", input: "go").output == "hi")
    }
}
