import Micro
import MicroAgent
import Synchronization

/// A model that answers each call of a replayed run with the answer its history recorded for that run and step,
/// and notes where the request differs from the history in what the answer relies on: a tool the recorded
/// answer calls that the request no longer offers, or arguments its schema now rejects.
///
/// The run comes from ``RunScope/current`` and the step from ``ModelRequest/turn``. A call the history has no
/// answer for fails with a non-retryable ``ModelError`` (the run ends; the replay reports the extra call).
final class HistoryModel: Model {
    let info: ModelInfo
    let history: RecordedHistory
    let divergences: DivergenceLog

    init(info: ModelInfo, history: RecordedHistory, divergences: DivergenceLog) {
        self.info = info
        self.history = history
        self.divergences = divergences
    }

    func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: ModelEvent.self)
        do {
            for event in try events(for: request) { continuation.yield(event) }
            continuation.finish()
        } catch {
            continuation.finish(throwing: error)
        }
        return stream
    }

    private func events(for request: ModelRequest) throws -> [ModelEvent] {
        let runID = RunScope.current?.runID ?? ""
        let step = request.turn ?? 0
        guard let recorded = history.steps[runID]?[step], let answer = recorded.answer else {
            if history.isUnfinished(runID) {
                throw ModelError(.invalidRequest, "history replay: the history of run \(runID) ends before step \(step)")
            }
            divergences.add(HistoryDivergence(
                runID: runID, step: step, kind: .extraModelCall, subject: "model call \(step)",
                history: .null, current: ["messages": .integer(request.messages.count)],
                detail: "the current code makes model call \(step), which the history does not have"))
            throw ModelError(.invalidRequest, "history replay: run \(runID) has no recorded answer for step \(step)")
        }
        if let was = history.requests[runID]?[step] {
            compare(was, request, runID: runID, step: step)
        }
        for call in answer.toolCalls {
            guard let spec = request.tools.first(where: { $0.name == call.name }) else {
                divergences.add(HistoryDivergence(
                    runID: runID, step: step, kind: .toolSpec, subject: "call \(call.id) \(call.name)",
                    history: ["tool": .string(call.name), "arguments": call.arguments],
                    current: ["tools": .array(request.tools.map { .string($0.name) })],
                    detail: "the history called \(call.name), which the current request does not offer"))
                continue
            }
            let violations = spec.inputSchema.validate(call.arguments)
            if !violations.isEmpty {
                divergences.add(HistoryDivergence(
                    runID: runID, step: step, kind: .toolSpec, subject: "call \(call.id) \(call.name)",
                    history: call.arguments, current: spec.inputSchema.jsonValue,
                    detail: "the recorded arguments no longer match the current schema of \(call.name): "
                        + violations.map(\.description).joined(separator: "; ")))
            }
        }
        var events: [ModelEvent] = []
        for part in answer.parts {
            switch part {
            case .text(let text): events.append(.textDelta(text))
            case .reasoning(let reasoning):
                if let data = reasoning.redactedData {
                    events.append(.redactedReasoning(data))
                } else {
                    events.append(.reasoningDelta(reasoning.text))
                    if let signature = reasoning.signature { events.append(.reasoningSignature(signature)) }
                }
            case .toolCall, .toolResult: break
            }
        }
        for (index, call) in answer.toolCalls.enumerated() {
            events.append(.toolCallStart(index: index, id: call.id, name: call.name))
            events.append(.toolCallDelta(index: index, arguments: call.arguments.canonicalString()))
            if let signature = call.signature { events.append(.toolCallSignature(index: index, signature: signature)) }
            events.append(.toolCallEnd(index: index))
        }
        events.append(.usage(recorded.usage))
        events.append(.finish(recorded.stopReason))
        return events
    }

    /// Notes where `request` differs from what the Trace recorded: the instructions, the tools offered (the
    /// built-ins aside: a model wrapper may strip them after the Trace saw them).
    private func compare(_ was: RecordedRequest, _ request: ModelRequest, runID: String, step: Int) {
        if was.system != request.system {
            let a = was.system ?? "", b = request.system ?? ""
            let same = zip(a, b).prefix { $0 == $1 }.count
            divergences.add(HistoryDivergence(
                runID: runID, step: step, kind: .requestSystem, subject: "the system instructions",
                history: was.system.map(JSONValue.string) ?? .null, current: request.system.map(JSONValue.string) ?? .null,
                detail: "the instructions sent to the model differ from character \(same) on"))
        }
        let builtins: Set<String> = ["plan", "delegate", "request_input"]
        let before = Set(was.tools).subtracting(builtins), now = Set(request.tools.map(\.name)).subtracting(builtins)
        if before != now {
            let gone = before.subtracting(now).sorted(), added = now.subtracting(before).sorted()
            divergences.add(HistoryDivergence(
                runID: runID, step: step, kind: .requestTools, subject: "the tools offered",
                history: .array(before.sorted().map(JSONValue.string)), current: .array(now.sorted().map(JSONValue.string)),
                detail: "the tools offered differ"
                    + (gone.isEmpty ? "" : "; no longer offered: \(gone.joined(separator: ", "))")
                    + (added.isEmpty ? "" : "; newly offered: \(added.joined(separator: ", "))")))
        }
    }
}

/// The divergences noted while a replay runs, in the order noted.
final class DivergenceLog: Sendable {
    private let noted = Mutex<[HistoryDivergence]>([])
    func add(_ divergence: HistoryDivergence) { noted.withLock { $0.append(divergence) } }
    var all: [HistoryDivergence] { noted.withLock { $0 } }
}
