import Foundation
import Micro
import MicroAgent

extension DiffSubject {
    /// Reads `path` and tells by its content which kind of file it is (``Format``).
    public static func load(file path: String) throws(TraceDiffError) -> DiffSubject {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw TraceDiffError(.unreadable, file: path, "cannot read the file: \(error.localizedDescription)")
        }
        return try DiffSubject(parsing: text, file: path)
    }

    /// Reads `text`, the content of `file`, telling its format by its shape.
    public init(parsing text: String, file: String) throws(TraceDiffError) {
        guard text.contains(where: { !$0.isWhitespace }) else {
            throw TraceDiffError(.empty, file: file, "the file is empty; expected \(TraceDiffError.expected)")
        }
        let json: JSONValue
        do {
            json = try JSONValue(parsing: text)
        } catch {
            // Not one JSON value: JSON lines of trace events, or nothing the diff reads.
            do {
                self.init(file: file, trace: try Trace.events(fromJSONLines: text))
                return
            } catch let error as TraceError {
                let firstLine = text.split(separator: "\n").first.map(String.init) ?? ""
                if (try? JSONValue(parsing: firstLine))?["kind"] != nil {
                    throw TraceDiffError(.invalid, file: file, "not a valid Trace: \(error)")
                }
                throw TraceDiffError(.unknownFormat, file: file, "not JSON and not JSON lines of trace events; expected \(TraceDiffError.expected)")
            } catch {
                throw TraceDiffError(.unknownFormat, file: file, "\(error); expected \(TraceDiffError.expected)")
            }
        }
        try self.init(json: json, file: file)
    }

    /// Reads one JSON value of `file`.
    init(json: JSONValue, file: String) throws(TraceDiffError) {
        func decode<T: Decodable>(_ type: T.Type, _ value: JSONValue, _ what: String) throws(TraceDiffError) -> T {
            do {
                return try JSONValueDecoder().decode(type, from: value)
            } catch {
                throw TraceDiffError(.invalid, file: file, "looks like \(what) but cannot be read: \(error)")
            }
        }
        switch json {
        case .object(let object) where object["trace"] != nil && object["version"] != nil && object["scenario"] != nil:
            self.init(file: file, record: try decode(RunRecord.self, json, "a run record"))
        case .object(let object) where object["scenarios"] != nil && object["summary"] != nil:
            try self.init(results: json, file: file)
        case .object(let object) where object["state"] != nil && object["juncture"] != nil && object["runID"] != nil:
            self.init(file: file, checkpoint: try decode(Checkpoint.self, json, "a checkpoint"))
        case .object(let object) where object["status"] != nil && object["effects"] != nil && object["checkpointGaps"] != nil:
            self.init(file: file, summary: json)
        case .object(let object) where object["sequence"] != nil && object["kind"] != nil && object["runID"] != nil:
            self.init(file: file, trace: [try decode(TraceEvent.self, json, "a trace event")])
        case .array(let elements) where elements.first?["kind"] != nil && elements.first?["sequence"] != nil:
            self.init(file: file, trace: try decode([TraceEvent].self, json, "a Trace (an array of events)"))
        case .array(let elements) where elements.first?["lastJuncture"] != nil:
            self.init(file: file, runList: try decode([RunSummary].self, json, "a run list"))
        case .array(let elements) where elements.isEmpty:
            self.init(file: file, trace: [])
        case .object(let object):
            throw TraceDiffError(
                .unknownFormat, file: file,
                "a JSON object with keys \(object.keys.sorted().prefix(8).joined(separator: ", ")); expected \(TraceDiffError.expected)")
        default:
            throw TraceDiffError(.unknownFormat, file: file, "a JSON \(json.typeName) of no known shape; expected \(TraceDiffError.expected)")
        }
    }

    /// One run per scenario of a ``JSONReport``, named by its file; facts are the scenario's entry, its checks
    /// keyed by `name:line`.
    init(results: JSONValue, file: String) throws(TraceDiffError) {
        guard let scenarios = results["scenarios"]?.arrayValue else {
            throw TraceDiffError(.invalid, file: file, "looks like scenario results but \"scenarios\" is not a list")
        }
        var runs: [Run] = []
        for (index, scenario) in scenarios.enumerated() {
            guard case .object(var facts) = scenario else {
                throw TraceDiffError(.invalid, file: file, "scenarios[\(index)] is not an object")
            }
            let name = facts["file"]?.stringValue ?? facts["name"]?.stringValue ?? "scenario \(index + 1)"
            if let checks = facts["checks"]?.arrayValue {
                var keyed: [String: JSONValue] = [:]
                for check in checks {
                    let key = "\(check["name"]?.stringValue ?? "?"):\(check["line"]?.intValue ?? 0)"
                    var entry = check.objectValue ?? [:]
                    entry["name"] = nil
                    entry["line"] = nil
                    keyed[keyed[key] == nil ? key : "\(key)#\(keyed.count)"] = .object(entry)
                }
                facts["checks"] = .object(keyed)
            }
            runs.append(Run(name: name, steps: nil, facts: .object(facts)))
        }
        self.init(file: file, format: .scenarioResults, runs: runs)
    }

    /// The run of a checkpoint: its conversation as steps (each assistant message a model call, each tool call
    /// with its result), its state as facts.
    public init(file: String, checkpoint: Checkpoint) {
        let state = checkpoint.state
        var steps: [DiffStep] = []
        var calls: [String: Int] = [:]
        var modelCalls = 0
        for message in state.memory.messages {
            switch message.role {
            case .assistant:
                modelCalls += 1
                steps.append(DiffStep(
                    kind: "model_call", agent: state.agent, runStep: modelCalls,
                    detail: ["response": ["message": Self.withoutCallIDs(message.jsonValue)]]))
                for call in message.toolCalls {
                    calls[call.id] = steps.count
                    steps.append(DiffStep(
                        kind: "tool_call", agent: state.agent, name: call.name, runStep: modelCalls, arguments: call.arguments))
                }
            case .tool, .user:
                for result in message.toolResults {
                    let content: JSONValue = ["result": result.content, "isError": .bool(result.isError)]
                    if let index = calls.removeValue(forKey: result.callID) {
                        steps[index].detail = content
                    } else {
                        steps.append(DiffStep(kind: "tool_result", agent: state.agent, runStep: modelCalls, detail: content))
                    }
                }
            }
        }
        let facts: JSONValue = [
            "status": .string(state.status.rawValue), "output": state.output.map(JSONValue.string) ?? .null,
            "failure": state.failure.map { JSONValue.string("\($0.code): \($0.message)") } ?? .null, "steps": .integer(state.step),
            "tokens": ["input": .integer(state.usage.inputTokens), "output": .integer(state.usage.outputTokens)],
            "summary": state.memory.summary.map(JSONValue.string) ?? .null, "juncture": .string(checkpoint.juncture.description),
        ]
        self.init(file: file, format: .checkpoint, runs: [Run(name: checkpoint.runID, steps: steps, facts: facts)])
    }

    /// One run per entry of a run list, facts only.
    public init(file: String, runList: [RunSummary]) {
        let runs = runList.sorted { $0.runID < $1.runID }.map { run in
            Run(name: run.runID, steps: nil, facts: [
                "agent": .string(run.agent), "status": .string(run.status.rawValue), "step": .integer(run.step),
                "checkpoints": .integer(run.checkpoints), "lastJuncture": .string(run.lastJuncture.description),
                "parentRunID": run.parentRunID.map(JSONValue.string) ?? .null,
            ])
        }
        self.init(file: file, format: .runList, runs: runs)
    }

    /// The run of a chaos summary: its fields as facts (ledger entries among them).
    init(file: String, summary: JSONValue) {
        self.init(file: file, format: .runSummary, runs: [Run(name: "run", steps: nil, facts: summary)])
    }

    /// `value` with the `id` of every `toolCall` and every `callID` removed (a model's call IDs differ between runs
    /// that do the same thing).
    static func withoutCallIDs(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            var result: [String: JSONValue] = [:]
            for (key, member) in object where key != "callID" {
                if key == "toolCall", case .object(var call) = member {
                    call["id"] = nil
                    result[key] = withoutCallIDs(.object(call))
                } else {
                    result[key] = withoutCallIDs(member)
                }
            }
            return .object(result)
        case .array(let array): return .array(array.map(withoutCallIDs))
        default: return value
        }
    }
}
