import ArgumentParser
import Foundation
import Micro
import MicroAgent
import MicroHarness
import MicroSQLite

/// `micro replay-history`: stored runs re-driven through the current agents and tools.
struct ReplayHistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay-history",
        abstract: "Replay stored runs through the current agents and tools; fail at the first divergence.",
        discussion: """
            Every model call is answered with the answer the history recorded and every tool call with the \
            result it recorded (tools never run: their endpoints are wrapped by a handler that returns the \
            record and never calls them; models are never called). The run is compared with its history step \
            by step: the conversation sent to the model, the tools the recorded answers call (offered, and \
            their arguments valid under the current schemas), the tool calls and results, the end of the run; \
            with --trace also the system instructions and the names of the tools offered (checkpoints do not \
            keep them). The agents and services are the command line's catalogue's, or a scenario's with --scenario. The \
            history file is only read. Sub-agent runs replay with their parents; forks are skipped. \
            Exit codes: 0 no divergence, 1 a run diverged, 2 bad input (no database, unknown run, bad scenario).
            """)

    @Option(help: "The SQLite file holding the stored runs' checkpoints.") var db: String
    @Option(name: .customLong("run"), help: "Replay only this run (repeatable; default: every run).") var runs: [String] = []
    @Option(help: "The scenario whose agents and services are the current code (default: the catalogue's).")
    var scenario: String?
    @Option(help: "The stored runs' Trace (micro run --trace): also compare the instructions and the tools offered.")
    var trace: String?
    @Flag(help: "Print the report as JSON.") var json = false

    func run() async throws {
        let console = Console.current
        guard FileManager.default.fileExists(atPath: db) else {
            console.err("error: no database at \(db)")
            throw ExitCode(2)
        }
        let report: HistoryReplayReport
        do {
            let history = try SQLiteCheckpointer(path: db)
            let subject = try subject()
            let events: [TraceEvent] = try trace.map { path throws -> [TraceEvent] in
                guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read the trace \(path)") }
                return try Trace.events(fromJSONLines: String(decoding: data, as: UTF8.self))
            } ?? []
            report = try await HistoryReplay(history: history, trace: events).replay(runIDs: runs.isEmpty ? nil : runs, subject: subject)
        } catch let error as ExitCode {
            throw error
        } catch {
            console.err("error: \(error)")
            throw ExitCode(2)
        }
        if json {
            console.out(try JSONValueEncoder().encode(report).prettyString())
        } else {
            console.out(String(report.text.dropLast()))
        }
        if report.diverged { throw ExitCode(1) }
    }

    /// Builds the current code for one run.
    private func subject() throws -> @Sendable (HistoryReplay.Seams) async throws -> AgentRunner {
        if let scenario {
            return HistoryReplay.scenario(try Scenario.load(file: scenario, catalog: CLICatalog.current))
        }
        let catalog = CLICatalog.current
        return { seams in
            let environment = Environment.simulated(seed: 1, clock: VirtualClock())
            let runtime = Runtime.inMemory(environment: environment)
            let world = WorldRuntime(runtime: runtime, ledger: SideEffectLedger(store: runtime.store))
            var services: [Service] = []
            for entry in catalog.services {
                for service in try entry.make(world) where !services.contains(where: { $0.name == service.name }) {
                    services.append(seams.service(service))
                }
            }
            try await runtime.serve(services)
            let agents = try AgentWorld.catalogAgents(on: runtime, catalog: catalog).map { agent in
                var agent = agent
                if let outer = agent.model as? WithoutBuiltinTools {
                    agent.model = WithoutBuiltinTools(seams.model(replacing: outer.base))
                } else {
                    agent.model = seams.model(replacing: agent.model)
                }
                return agent
            }
            return AgentRunner(runtime: runtime, checkpointer: InMemoryCheckpointer(), agents: agents, owner: "replay-history")
        }
    }
}
