import ArgumentParser
import Foundation
import Hummingbird
import Micro
import MicroA2A
import MicroAgent
import MicroExamples
import MicroHarness
import MicroProviders
import MicroSQLite

struct A2ACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "a2a", abstract: "Serve an agent over A2A, or talk to an A2A agent.",
        subcommands: [Serve.self, Card.self, Send.self])

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve a scenario's agent, or one of the catalogue's agents, over A2A (1.0 and 0.3 JSON-RPC, SSE) on 127.0.0.1.",
            discussion: """
                With SCENARIO, the agent (by default the one the scenario's run starts) is served in that \
                scenario's world: its services, fixtures and model backend (scripted or replayed from its \
                cassette), on virtual time. Without it, the catalogue's agents are served with their own models \
                (the first by default); for micro, the travel agents: coordinator (default), booker, and concierge \
                (asks a question first, so its tasks pause in input-required), and conformance (follows the A2A \
                conformance kit's message-id conventions; run the kit against it). The card is at \
                http://127.0.0.1:PORT/.well-known/agent-card.json and the JSON-RPC endpoint at http://127.0.0.1:PORT/. \
                With --db, tasks, runs and the services' data are kept in that SQLite file and survive a restart: \
                a restarted server (another owner) waits out the dead one's leases (--lease) and finishes its \
                tasks from their checkpoints. The HTTP+JSON binding is served beside JSON-RPC (POST /message:send, \
                GET /tasks/ID, …).
                """)

        @Argument(help: "A scenario file whose agent to serve.") var scenario: String?
        @Option(help: "The agent to serve.") var agent: String?
        @Option(help: "Port to listen on (0 picks a free one).") var port = 8090
        @Option(help: "SQLite file for tasks, checkpoints and service data (default: in memory).") var db: String?
        @Option(name: .customLong("token-file"), help: "Require `Authorization: Bearer TOKEN` on JSON-RPC requests, the token read from this file (or MICRO_A2A_TOKEN).")
        var tokenFile: String?
        @Option(name: .customLong("allow-origin"), help: "An Origin to accept besides loopback ones (repeatable).")
        var allowedOrigins: [String] = []
        @Option(name: .customLong("allow-host"), help: "A Host (name[:port]) to accept besides loopback names, for a server reached by name (repeatable).")
        var allowedHosts: [String] = []
        @Option(name: .customLong("public-url"), help: "The JSON-RPC URL the card announces (default: built from the checked Host).")
        var publicURL: String?
        @Option(name: .customLong("crash-after"), help: "Kill this process (SIGKILL) after N checkpoints: a real crash mid-task, for recovery tests.")
        var crashAfter: Int?
        @Option(name: .customLong("lease"), help: "Seconds a run's lease lasts: how long a restarted server waits for a dead one's runs.")
        var leaseSeconds = 60
        @OptionGroup var brokerOption: BrokerOption
        @OptionGroup var registryOption: RegistryOption

        func validate() throws {
            // Before anything connects: a usage error is not hidden behind an engine that is down.
            if scenario != nil && brokerOption.scheme != "memory" {
                throw ValidationError("--broker serves the catalogue's agents; a scenario's world has its own broker")
            }
            if scenario != nil && registryOption.scheme != "memory" {
                throw ValidationError("--registry serves the catalogue's agents; a scenario's world has its own registry")
            }
        }

        func run() async throws {
            try await registryOption.withRegistry { registry in
                try await brokerOption.withBroker { broker in try await serve(broker: broker, registry: registry) }
            }
        }

        private func serve(broker: any Broker, registry: (any Registry)?) async throws {
            let token = try ServerToken.resolve(file: tokenFile, variable: "MICRO_A2A_TOKEN")
            let (runner, agent) =
                if let scenario {
                    try await A2ACommand.scenarioAgent(file: scenario, named: agent, db: db, lease: .seconds(leaseSeconds), crashAfter: crashAfter)
                } else {
                    try await A2ACommand.travelAgent(
                        named: agent, db: db, lease: .seconds(leaseSeconds), crashAfter: crashAfter, broker: broker, registry: registry)
                }
            // The conformance agent speaks the kit's conventions: message ids reach it, JSON answers become
            // parts, and the kit's reused message ids are new requests.
            let conformance = scenario == nil && agent == A2AConformanceAgent.name
            let server = A2AServer(
                runner: runner, agent: agent, port: port, publicURL: publicURL, token: token, allowedOrigins: Set(allowedOrigins),
                allowedHosts: Set(allowedHosts), presentation: conformance ? .structured : .text, deduplicatesMessages: !conformance,
                logger: .quiet("micro-a2a"))
            let console = Console.current
            let application = server.application { port in
                console.out("serving agent \(agent) over A2A on http://127.0.0.1:\(port)")
            }
            try await application.runService()
        }
    }

    struct Card: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the agent card of the A2A agent at URL.")
        @Argument(help: "The agent's base URL.") var url: String

        func run() async throws {
            let card = try await A2AClient(url: url, transport: CurlTransport()).card()
            Console.current.out(card.json.prettyString())
        }
    }

    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send TEXT to the A2A agent at URL and print its answer.",
            discussion: "Without --stream the message is sent and the task polled until it ends; with --stream every event is printed as it arrives.")
        @Argument(help: "The agent's base URL.") var url: String
        @Argument(help: "The message.") var text: String
        @Flag(help: "Follow the task over SSE, printing each event.") var stream = false
        @Option(help: "Continue this task (answer its question).") var task: String?

        func run() async throws {
            let console = Console.current
            let environment = Environment.live
            let client = A2AClient(url: url, transport: CurlTransport(), environment: environment)
            let message = A2AMessage.text(text, role: .user, messageID: environment.ids.next("msg"), taskID: task)
            if stream {
                for try await event in try await client.stream(message) { console.out(Self.describe(event)) }
                return
            }
            if task != nil {
                switch try await client.send(message) {
                case .message(let reply): console.out(reply.text)
                case .task(let task): console.out(Self.outcome(of: task))
                }
                return
            }
            let remote = A2ARemoteAgent(name: "remote", client: client, mode: .polling)
            do {
                console.out(try await remote.send(task: text, context: CallContext.standalone(caller: "cli", environment: environment)))
            } catch let error as A2AClientError where error.code == .inputRequired {
                console.out("input required: \(error.message)")
            }
        }

        /// A task's answer, its question, or its state.
        static func outcome(of task: A2ATask) -> String {
            switch task.state {
            case .inputRequired: "input required: \(task.statusMessage?.text ?? "")"
            case .completed: task.outputText
            default: "task \(task.id) is \(task.state.rawValue)\(task.statusMessage.map { ": \($0.text)" } ?? "")"
            }
        }

        static func describe(_ event: A2AStreamEvent) -> String {
            switch event {
            case .task(let task): "task \(task.id): \(task.state.rawValue)"
            case .message(let message): "message: \(message.text)"
            case .status(let taskID, _, let state, let message, let final):
                "status \(taskID): \(state.rawValue)\(message.map { " — \($0.text)" } ?? "")\(final ? " (final)" : "")"
            case .artifact(let taskID, _, let artifact, _): "artifact \(taskID): \(artifact.text)"
            }
        }
    }

    /// The runner and agent `a2a serve` serves without a scenario: the catalogue's agents (their named or
    /// scripted models; the first is the default), and for the travel catalogue also `concierge`, on the
    /// catalogue's runtime, checkpoints and tasks in `db` when given.
    static func travelAgent(
        named name: String?, db: String?, lease: Duration = .seconds(60), crashAfter: Int? = nil, broker: (any Broker)? = nil,
        registry: (any Registry)? = nil
    ) async throws -> (runner: AgentRunner, agent: String) {
        let runtime = try await AgentWorld.catalogRuntime(db: db, broker: broker, registry: registry)
        var agents = try AgentWorld.catalogAgents(on: runtime)
        if agents.contains(where: { $0.name == TravelAgents.coordinator }) { agents.append(concierge) }
        agents.append(A2AConformanceAgent.agent())
        guard let agent = name ?? agents.first?.name else {
            throw ValidationError("the catalogue has no agent to serve (one with a named or scripted model); give a scenario file")
        }
        guard agents.contains(where: { $0.name == agent }) else {
            throw ValidationError("no agent \(agent); agents: \(agents.map(\.name).joined(separator: ", "))")
        }
        let checkpointer: any Checkpointer = try db.map { try SQLiteCheckpointer(path: $0) } ?? InMemoryCheckpointer()
        let runner = AgentRunner(
            runtime: runtime, checkpointer: checkpointer, agents: agents,
            owner: "micro-a2a@\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)",
            leaseDuration: lease, onCheckpoint: AgentWorld.crash(after: crashAfter))
        return (runner, agent)
    }

    /// The runner and agent `micro a2a serve SCENARIO` serves: the scenario's world (in memory, or in `db`),
    /// and its run's agent unless `name` picks another.
    static func scenarioAgent(
        file: String, named name: String?, db: String?, lease: Duration = .seconds(60), crashAfter: Int? = nil
    ) async throws -> (runner: AgentRunner, agent: String) {
        let scenario: Scenario
        do {
            scenario = try Scenario.load(file: file, catalog: CLICatalog.current)
        } catch {
            throw ValidationError("\(error)")
        }
        let agent = name ?? scenario.run.agent
        guard scenario.agent(agent) != nil else {
            throw ValidationError("no agent \(agent) in \(file); agents: \(scenario.agents.map(\.name).joined(separator: ", "))")
        }
        let world = try await World(scenario, storage: db.map { .sqlite(path: $0) } ?? .inMemory)
        let runner = try world.servingRunner(
            owner: "micro-a2a-\(ProcessInfo.processInfo.processIdentifier)", leaseDuration: lease, onCheckpoint: AgentWorld.crash(after: crashAfter))
        return (runner, agent)
    }

    /// A travel agent whose tasks pause: it asks for the traveller's name before it answers.
    static let concierge = Agent(
        name: "concierge", description: "asks for the traveller's name, then confirms the booking",
        instructions: "Ask for the traveller's name, then confirm.",
        model: ScriptedModel([
            .calls([ToolCall(id: "ask-1", name: "request_input", arguments: ["prompt": "Whose name is the booking under?"])]),
            .answer("The booking is confirmed."),
        ], selection: .byAssistantTurns),
        tools: .services([]))
}

