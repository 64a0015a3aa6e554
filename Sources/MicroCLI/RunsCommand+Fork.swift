import ArgumentParser
import Foundation
import Micro
import MicroAgent
import MicroHarness
import MicroSQLite

extension RunsCommand {
    /// `micro runs checkpoints RUN`: the checkpoints a fork can start at.
    struct Checkpoints: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a run's checkpoints (the sequences micro runs fork --at takes).")
        @Argument(help: "The run identifier.") var runID: String
        @OptionGroup var database: Database
        @Flag(help: "Print a JSON array of {sequence, juncture, at, step, status, pendingCalls}.") var json = false

        func run() async throws {
            let history = try await database.checkpointer().history(runID: runID)
            guard !history.isEmpty else { throw ValidationError("no run \(runID) in \(database.db)") }
            let console = Console.current
            if json {
                let rows: [JSONValue] = history.map { checkpoint in
                    [
                        "sequence": .integer(checkpoint.sequence), "juncture": .string(checkpoint.juncture.description),
                        "at": .integer(Int(checkpoint.at.millisecondsSinceEpoch)), "step": .integer(checkpoint.state.step),
                        "status": .string(checkpoint.state.status.rawValue),
                        "pendingCalls": .array(checkpoint.state.pendingCalls.map { call in
                            ["callID": .string(call.call.id), "tool": .string(call.call.name), "status": .string(call.status.rawValue)]
                        }),
                    ]
                }
                console.out(JSONValue.array(rows).prettyString())
                return
            }
            if let fork = history.first?.state.fork { console.out("forked from \(fork.summary)") }
            for checkpoint in history {
                let calls = checkpoint.state.pendingCalls.map { "\($0.call.id) \($0.call.name) [\($0.status.rawValue)]" }
                let detail = calls.isEmpty ? "" : "  calls: " + calls.joined(separator: ", ")
                console.out("\(checkpoint.sequence). \(checkpoint.juncture)  step \(checkpoint.state.step)  \(checkpoint.state.status.rawValue)\(detail)")
            }
        }
    }

    /// `micro runs fork RUN --at N`: a new run from a checkpoint, with one edit.
    struct Fork: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start a new run from a checkpoint of RUN, with one edit; nothing before it runs again.",
            discussion: """
                The fork gets a new run id and records its parent and checkpoint (shown by runs list, show and \
                checkpoints). Everything before the checkpoint is taken from the parent's record: tool calls of \
                the parent keep their results and idempotency keys (a call started before the fork takes the result \
                the parent committed later; if it never did, it is called again under the parent's key, which the \
                service deduplicates), later calls get the fork's keys. The parent is not changed.
                --model-answer FILE: the assistant message (JSON {"role":"assistant","parts":[…]}, or plain text) \
                answering the model call at a before_model/after_model checkpoint. --tool-result CALL=FILE: the \
                result (JSON, or text) of a call pending at the checkpoint, which then never runs. --input TEXT: \
                another answer at a paused checkpoint. The agents are the bundled travel workflow's, or a \
                scenario's with --scenario. Exit codes: 0 the fork ran, 1 it failed while running, 2 bad input.
                """)
        @Argument(help: "The parent run.") var runID: String
        @Option(help: "The parent's checkpoint sequence (see micro runs checkpoints).") var at: Int
        @OptionGroup var database: Database
        @Option(help: "A file with the model's answer at the checkpoint.") var modelAnswer: String?
        @Option(help: "CALL=FILE: the result of pending call CALL at the checkpoint.") var toolResult: String?
        @Flag(help: "With --tool-result: the result is an error.") var toolError = false
        @Option(help: "The answer to the question the run waits for at the checkpoint.") var input: String?
        @Option(help: "The scenario whose agents and services run the fork (default: the bundled travel workflow).")
        var scenario: String?
        @Option(help: "The fork's run id (default: a new one).") var forkID: String?
        @Flag(help: "Print the fork's result and origin as JSON.") var json = false

        func run() async throws {
            let console = Console.current
            let edit: ForkEdit
            do {
                edit = try Self.edit(modelAnswer: modelAnswer, toolResult: toolResult, toolError: toolError, input: input)
            } catch {
                console.err("error: \(error)")
                throw ExitCode(2)
            }
            _ = try database.checkpointer()
            let forkID = self.forkID ?? "\(runID)-fork-\(UInt32.random(in: 0...UInt32.max))"
            do {
                let runner = try await self.runner()
                let result = try await runner.fork(runID: runID, at: at, edit: edit, newRunID: forkID)
                let origin = try await runner.checkpointer.latest(runID: forkID)?.state.fork
                if json {
                    var value = try JSONValueEncoder().encode(result).objectValue ?? [:]
                    value["fork"] = try origin.map { try JSONValueEncoder().encode($0) } ?? .null
                    console.out(JSONValue.object(value).prettyString())
                } else {
                    console.out("fork \(forkID) of \(origin?.summary ?? runID)")
                    console.out("run \(result.runID) \(AgentWorld.describe(result))")
                }
                if result.status == .failed { throw ExitCode(1) }
            } catch let error as ForkError {
                console.err("error: \(error)")
                throw ExitCode(2)
            } catch let error as AgentError {
                console.err("error: \(error)")
                throw ExitCode(2)
            }
        }

        private func runner() async throws -> AgentRunner {
            guard let scenario else { return try await AgentWorld(db: database.db, leaseSeconds: 30).runner }
            let loaded: Scenario
            do {
                loaded = try Scenario.load(file: scenario, catalog: CLICatalog.current)
            } catch {
                Console.current.err("error: \(error)")
                throw ExitCode(2)
            }
            let world = try await World(
                loaded, storage: .sqlite(path: database.db), startingAt: try await RunCommand.resumeTime(db: database.db))
            return try world.runner(owner: "micro-fork-\(ProcessInfo.processInfo.processIdentifier)")
        }

        /// The edit the options ask for (at most one).
        static func edit(modelAnswer: String?, toolResult: String?, toolError: Bool, input: String?) throws -> ForkEdit {
            let given = [modelAnswer != nil, toolResult != nil, input != nil].count { $0 }
            guard given <= 1 else { throw ValidationError("give at most one of --model-answer, --tool-result and --input") }
            if let modelAnswer {
                let text = try contents(modelAnswer)
                if let json = try? JSONValue(parsing: text), json.objectValue != nil {
                    do {
                        let message = try JSONValueDecoder().decode(Message.self, from: json)
                        guard message.role == .assistant else { throw ValidationError("\(modelAnswer): the answer's role must be assistant") }
                        return .modelAnswer(message)
                    } catch let error as ValidationError {
                        throw error
                    } catch {
                        throw ValidationError("\(modelAnswer) is not a message {\"role\":\"assistant\",\"parts\":[…]}: \(error)")
                    }
                }
                return .modelAnswer(.assistant(text.trimmingCharacters(in: .whitespacesAndNewlines)))
            }
            if let toolResult {
                guard let equals = toolResult.firstIndex(of: "="), equals != toolResult.startIndex else {
                    throw ValidationError("--tool-result takes CALL=FILE, got \(toolResult)")
                }
                let file = String(toolResult[toolResult.index(after: equals)...])
                let text = try contents(file)
                let content = (try? JSONValue(parsing: text)) ?? .string(text.trimmingCharacters(in: .whitespacesAndNewlines))
                return .toolResult(callID: String(toolResult[..<equals]), content: content, isError: toolError)
            }
            if let input { return .input(input) }
            return .none
        }

        private static func contents(_ path: String) throws -> String {
            guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
            return String(decoding: data, as: UTF8.self)
        }
    }
}
