import ArgumentParser
import Foundation
import Micro
import MicroAgent
import MicroNew
import MicroSQLite

struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "Inspect, resume and fork checkpointed runs.",
        subcommands: [List.self, Show.self, Resume.self, Checkpoints.self, Fork.self]
    )

    struct Database: ParsableArguments {
        @Option(help: "The SQLite file holding the checkpoints.")
        var db: String

        func checkpointer() throws -> SQLiteCheckpointer {
            guard FileManager.default.fileExists(atPath: db) else {
                throw ValidationError("no database at \(db)")
            }
            return try SQLiteCheckpointer(path: db)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the runs, most recently updated first.")
        @OptionGroup var database: Database
        @Flag(help: "Print a JSON array.") var json = false

        func run() async throws {
            let checkpointer = try database.checkpointer()
            let runs = try await checkpointer.runs()
            let console = Console.current
            // Forks record their origin and flows their stages in their state; the summaries do not carry them.
            var forks: [String: ForkOrigin] = [:]
            var flows: [String: FlowProgress] = [:]
            for run in runs {
                let state = try await checkpointer.latest(runID: run.runID)?.state
                forks[run.runID] = state?.fork
                if run.parentRunID == nil { flows[run.runID] = state?.flow }
            }
            if json {
                let rows = try runs.map { run in
                    var row = try JSONValueEncoder().encode(run).objectValue ?? [:]
                    if let fork = forks[run.runID] { row["fork"] = try JSONValueEncoder().encode(fork) }
                    return JSONValue.object(row)
                }
                console.out(JSONValue.array(rows).prettyString())
                return
            }
            for run in runs {
                let parent = run.parentRunID.map { " (child of \($0))" } ?? forks[run.runID].map { " (fork of \($0.summary))" } ?? ""
                let lease = run.lease.map { " lease: \($0.owner) until \($0.expiresAt)" } ?? ""
                var kind = "step \(run.step)"
                if let flow = flows[run.runID] {
                    kind = "flow at \(flow.stage.isEmpty ? "end" : "stage \(flow.stage)"), stages done: "
                        + (flow.completed.isEmpty ? "none" : flow.completed.joined(separator: " → "))
                }
                console.out(
                    "\(run.runID)  \(run.agent)  \(run.status.rawValue)  \(kind)  \(run.checkpoints) checkpoints, "
                        + "last \(run.lastJuncture) at \(run.updatedAt)\(parent)\(lease)")
            }
            console.out("\(runs.count) runs")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a run's latest state and its checkpoints.")
        @Argument(help: "The run identifier.") var runID: String
        @OptionGroup var database: Database
        @Flag(help: "Print the latest checkpoint as JSON.") var json = false

        func run() async throws {
            let checkpointer = try database.checkpointer()
            guard let latest = try await checkpointer.latest(runID: runID) else {
                throw ValidationError("no run \(runID) in \(database.db)")
            }
            let console = Console.current
            if json {
                console.out(try JSONValueEncoder().encode(latest).prettyString())
                return
            }
            let state = latest.state
            console.out("run \(state.runID) of \(state.agent): \(state.status.rawValue), step \(state.step), phase \(state.phase.rawValue)")
            if let parent = state.parentRunID { console.out("parent: \(parent) (depth \(state.depth))") }
            if let fork = state.fork { console.out("forked from: \(fork.summary)") }
            console.out("usage: \(state.usage.inputTokens) in, \(state.usage.outputTokens) out")
            if let plan = state.plan { console.out("plan:\n" + plan.rendered) }
            for call in state.pendingCalls {
                console.out("pending call \(call.index): \(call.call.name) [\(call.status.rawValue), key \(call.key)]")
            }
            for child in state.children { console.out("child \(child.runID) (\(child.agent)): \(child.status.rawValue)") }
            if let request = state.inputRequest { console.out("waiting for input: \(request.prompt)") }
            if let output = state.output { console.out("output: \(output)") }
            if let failure = state.failure { console.out("failure: \(failure)") }
            console.out("checkpoints:")
            for checkpoint in try await checkpointer.history(runID: runID) {
                console.out("  \(checkpoint.sequence). \(checkpoint.juncture) at \(checkpoint.at)")
            }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Resume a run of the bundled travel workflow from its latest checkpoint.",
            discussion: "Runs of scenario files resume with `micro run SCENARIO --db FILE --resume`.")
        @Argument(help: "The run identifier.") var runID: String
        @OptionGroup var database: Database
        @Option(help: "The answer to the question a paused run asked.") var input: String?
        @Option(help: "Lease duration in seconds.") var leaseSeconds = 30

        func run() async throws {
            if try await database.checkpointer().latest(runID: runID)?.state.agent == Generator.agentName {
                try await NewCommand.resume(db: database.db, input: input, json: false)  // a `micro new` run
                return
            }
            let world = try await AgentWorld(db: database.db, leaseSeconds: leaseSeconds)
            do {
                let result: RunResult
                if let input {
                    result = try await world.runner.resume(runID: runID, input: input)
                } else {
                    result = try await world.runner.resume(runID: runID)
                }
                Console.current.out("run \(result.runID) \(AgentWorld.describe(result))")
            } catch let error as CheckpointError {
                Console.current.err("error: \(error)")
                throw ExitCode(4)
            }
        }
    }
}
