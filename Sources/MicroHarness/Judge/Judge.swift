import Foundation
import Micro
import MicroAgent
import MicroProviders

/// Runs the `judge:` expectations of a scenario on a finished run's record: builds each judge's request
/// from the record, asks its model, and parses the answer into a ``JudgeVerdict``.
enum Judge {
    /// What the judge is told to answer with.
    static let instructions = """
        You grade the work of an AI agent against a rubric. Read the rubric, the task the agent was given and \
        what it did, then answer with one JSON object and nothing else: \
        {"pass": true or false, "score": a number from 0 to 1, "reasoning": "one or two sentences"}.
        """

    /// The judge's request, built from `record` alone.
    static func request(_ judge: JudgeExpectation, record: RunRecord, model: String) -> ModelRequest {
        var text = "Rubric:\n\(judge.rubric)\n\n"
        let prompt = record.trace.first { $0.kind == .runStarted && $0.runID == record.runID }?.data["input"]?.stringValue
        text += "The task given to the agent:\n\(prompt ?? "(unknown)")\n\n"
        if let output = record.result?.output {
            text += "The agent's final output:\n\(output)\n"
        } else {
            let status = record.result?.status.rawValue ?? (record.error == nil ? "not_run" : "error")
            text += "The agent gave no final output (the run ended \(status)).\n"
        }
        if judge.trajectory {
            let steps = trajectory(record)
            text += "\nWhat the agent did, in order:\n"
            text += steps.isEmpty ? "(no tool calls)\n" : steps.enumerated().map { "\($0.offset + 1). \($0.element)\n" }.joined()
        }
        return ModelRequest(
            model: model, system: instructions, messages: [.user(text)], options: ModelOptions(maxTokens: 1024, temperature: 0),
            turn: 1)
    }

    /// The run's tool calls (with their results) and delegations, as lines.
    static func trajectory(_ record: RunRecord) -> [String] {
        var lines: [String] = []
        for event in record.trace {
            let data = event.data
            switch event.kind {
            case .toolCall:
                lines.append("\(event.agent) called \(data["tool"]?.stringValue ?? "?") \((data["arguments"] ?? .null).canonicalString())")
            case .toolResult:
                let content = data["content"].map { $0.stringValue ?? $0.canonicalString() } ?? ""
                let error = data["isError"]?.boolValue == true ? "error " : ""
                lines.append("   → \(error)\(ReportText.short(content, 300))")
            case .delegation:
                lines.append("\(event.agent) delegated to \(data["to"]?.stringValue ?? "?"): \(ReportText.short(data["task"]?.stringValue ?? "", 300))")
            default: continue
            }
        }
        return lines
    }

    /// Asks `judge`'s model about `record`; never throws: a failure is the verdict's ``JudgeVerdict/error``.
    /// Returns the verdict and the judge's cassette, to report interactions it did not use.
    static func verdict(
        _ judge: JudgeExpectation, record: RunRecord, scenario: Scenario, environment: Environment
    ) async -> (verdict: JudgeVerdict, cassette: CassetteTransport?) {
        let key = judge.model.priceKey(owner: "judge")
        let label = "\(key.provider)/\(key.model)"
        var verdict = JudgeVerdict(
            id: judge.id, rubric: judge.rubric, model: label, passed: nil, score: nil, reasoning: "", answer: "", error: nil,
            usage: Usage())
        let model: any Model
        let cassette: CassetteTransport?
        do {
            (model, cassette) = try Self.model(judge, scenario: scenario, environment: environment)
        } catch {
            verdict.error = JudgeError(.modelFailed, "\(error)")
            return (verdict, nil)
        }
        let response: ModelResponse
        do {
            response = try await model.respond(to: request(judge, record: record, model: key.model))
        } catch {
            verdict.error = JudgeError(.modelFailed, "\(error)")
            return (verdict, cassette)
        }
        verdict.usage = response.usage
        verdict.answer = response.message.text
        do {
            (verdict.passed, verdict.score, verdict.reasoning) = try JudgeVerdict.parse(verdict.answer)
        } catch {
            verdict.error = error
        }
        return (verdict, cassette)
    }

    /// The judge's model: its scripted turns in order, or its provider's adapter replaying its cassette.
    static func model(
        _ judge: JudgeExpectation, scenario: Scenario, environment: Environment
    ) throws -> (model: any Model, cassette: CassetteTransport?) {
        let field = "expect.judge.model"
        switch judge.model.backend {
        case .scripted(let turns):
            return (ScriptedModel(turns, selection: .sequential, info: ModelInfo(provider: "scripted", name: "judge", contextWindow: 200_000)), nil)
        case .recorded(let provider, let name, let cassettePath, let baseURL):
            let path = scenario.resolve(cassettePath)
            let transport: CassetteTransport
            do {
                transport = CassetteTransport(cassette: try Cassette.load(from: path), file: path, environment: environment)
            } catch {
                throw ScenarioError(file: scenario.file, line: judge.model.line, field: "\(field).cassette", message: "\(error)")
            }
            // A replay needs no key; the adapters still want one for their headers.
            var keys: [String: String] = [:]
            for entry in ProviderCatalog.entries { for variable in entry.apiKeyVariables { keys[variable] = "replay" } }
            let model = try ProviderCatalog.model(
                provider, model: name.isEmpty ? nil : name, baseURL: baseURL, transport: transport, environment: keys,
                now: environment.now)
            return (model, transport)
        case .named(let name):
            throw ScenarioError(
                file: scenario.file, line: judge.model.line, field: field, message: "a judge cannot use the catalogue backend \(name)")
        }
    }
}
