import ArgumentParser
import Foundation
import Micro
import MicroAgent
import MicroHarness
import MicroSQLite

/// `micro flow`: the flows of a scenario file, run directly or triggered by a broker message, in the scenario's
/// world; with `--db` the checkpoints live in a SQLite file, so a run can be resumed or inspected later
/// (`micro runs list --db F`).
struct FlowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flow",
        abstract: "List, run, trigger and resume the flows of a scenario's world.",
        subcommands: [List.self, Run.self, Trigger.self, Resume.self]
    )

    struct World: ParsableArguments {
        @Argument(help: "The scenario file whose flows (and services, agents) make the world.") var scenario: String
        @Option(help: "SQLite file for the store and checkpoints (default: in memory).") var db: String?
        @Option(help: "Override the scenario's seed.") var seed: UInt64?

        func load() throws -> Scenario {
            do {
                var scenario = try Scenario.load(file: self.scenario, catalog: CLICatalog.current)
                if let seed { scenario.seed = seed }
                return scenario
            } catch {
                throw ValidationError("\(error)")
            }
        }

        /// The world's flow runner, on the --db file when given (the clock starts after its last checkpoint).
        func runner() async throws -> (MicroHarness.World, FlowRunner) {
            let scenario = try load()
            var startingAt: Timestamp?
            if let db { startingAt = try await RunCommand.resumeTime(db: db) }
            let world = try await MicroHarness.World(
                scenario, storage: db.map { .sqlite(path: $0) } ?? .inMemory, startingAt: startingAt)
            let agents = try world.runner(owner: "micro-flow-\(ProcessInfo.processInfo.processIdentifier)")
            return (world, try world.flowRunner(agents: agents))
        }
    }

    static func parse(json text: String, option: String) throws -> JSONValue {
        do { return try JSONValue(parsing: text) } catch { throw ValidationError("\(option) is not JSON: \(error)") }
    }

    static func report(_ result: RunResult, world: MicroHarness.World) async throws {
        let stages = try await world.checkpointer.latest(runID: result.runID)?.state.flow?.completed ?? []
        Console.current.out("\(result.runID): \(AgentWorld.describe(result)) (stages: \(stages.joined(separator: " → ")))")
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the scenario's flows: triggers and stages.")
        @Argument(help: "The scenario file.") var scenario: String

        func run() async throws {
            let loaded: Scenario
            do {
                loaded = try Scenario.load(file: scenario, catalog: CLICatalog.current)
            } catch {
                throw ValidationError("\(error)")
            }
            for flow in loaded.flows {
                let triggers = flow.triggers.map { trigger -> String in
                    switch trigger {
                    case .topic(let topic, let queue): "topic \(topic) (queue \(queue ?? flow.name))"
                    case .schedule(let every, let times): "every \(every)" + (times.map { " ×\($0)" } ?? "")
                    }
                }
                Console.current.out(
                    "\(flow.name)  [\((["direct call"] + triggers).joined(separator: ", "))]  stages: "
                        + flow.steps.map { $0.name }.joined(separator: " → "))
            }
            Console.current.out("\(loaded.flows.count) flows")
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run a flow directly on an input.")
        @OptionGroup var world: FlowCommand.World
        @Argument(help: "The flow.") var name: String
        @Option(help: "The input (JSON).") var input = "null"
        @Option(help: "The run id (default: a fresh one).") var id: String?
        @Option(help: "Answers to the run's questions, in order.") var answer: [String] = []

        func run() async throws {
            let (world, flows) = try await self.world.runner()
            var result = try await flows.run(name, input: try FlowCommand.parse(json: input, option: "--input"), runID: id)
            var answers = answer[...]
            while result.status == .waitingForInput, let next = answers.popFirst() {
                result = try await flows.resume(runID: result.runID, input: next)
            }
            try await FlowCommand.report(result, world: world)
        }
    }

    struct Trigger: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deliver a broker message to every flow its topic triggers (one run per flow and message id).")
        @OptionGroup var world: FlowCommand.World
        @Argument(help: "The topic the message is published on.") var topic: String
        @Option(help: "The message body (JSON).") var data = "null"
        @Option(help: "The message id (a message id seen before resumes its run instead of starting another).")
        var id: String?

        func run() async throws {
            let (world, flows) = try await self.world.runner()
            do { try InMemoryBroker.validate(topic: topic, allowingWildcards: false) } catch { throw ValidationError("\(error)") }
            let body = try FlowCommand.parse(json: data, option: "--data")
            let triggered = flows.flows(triggeredBy: topic)
            if triggered.isEmpty { throw ValidationError("no flow of \(self.world.scenario) is triggered by \(topic)") }
            let message = BrokerMessage(
                id: id ?? world.environment.ids.next("msg"), headers: [BrokerMessage.topicHeader: topic],
                body: Array(body.canonicalString().utf8))
            for flow in triggered { try await FlowCommand.report(try await flows.trigger(flow.name, message: message), world: world) }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a flow run from its checkpoints in --db.")
        @OptionGroup var world: FlowCommand.World
        @Argument(help: "The run id.") var runID: String
        @Option(help: "The answer to the question the run waits on.") var input: String?

        func run() async throws {
            guard self.world.db != nil else { throw ValidationError("resume needs --db") }
            let (world, flows) = try await self.world.runner()
            let result: RunResult
            if let input {
                result = try await flows.resume(runID: runID, input: input)
            } else {
                result = try await flows.resume(runID: runID)
            }
            try await FlowCommand.report(result, world: world)
        }
    }
}
