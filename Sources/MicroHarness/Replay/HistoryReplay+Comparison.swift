import Micro
import MicroAgent

/// Walks a stored run tree and its replay step by step, in the order things happened (a sub-agent's run at the
/// `delegate` call that started it), and returns the first divergence.
struct Comparison {
    let history: RecordedHistory
    let current: RecordedHistory
    /// What the model and the services noted while the replay ran.
    let log: [HistoryDivergence]

    func first(runID: String) -> HistoryDivergence? {
        let recordedSteps = history.steps[runID] ?? [:]
        let currentSteps = current.steps[runID] ?? [:]
        let last = max(recordedSteps.keys.max() ?? 0, currentSteps.keys.max() ?? 0)
        for step in stride(from: 1, through: last, by: 1) {
            if let found = compare(runID: runID, step: step, recordedSteps[step], currentSteps[step]) { return found }
        }
        return outcome(runID: runID)
    }

    private func compare(runID: String, step: Int, _ recorded: RecordedHistory.Step?, _ now: RecordedHistory.Step?) -> HistoryDivergence? {
        func divergence(_ kind: HistoryDivergence.Kind, _ subject: String, _ was: JSONValue, _ isNow: JSONValue, _ detail: String) -> HistoryDivergence {
            HistoryDivergence(runID: runID, step: step, kind: kind, subject: subject, history: was, current: isNow, detail: detail)
        }
        switch (recorded?.messages, now?.messages) {
        case (nil, nil): break
        case (_?, nil):
            let end = current.checkpoints[runID]?.last?.state
            return divergence(
                .missingModelCall, "model call \(step)", ["messages": .integer(recorded?.messages?.count ?? 0)],
                end.map { ["status": .string($0.status.rawValue), "failure": .string($0.failure?.description ?? "")] } ?? .null,
                "the history made model call \(step); the current code does not")
        case (nil, _?) where history.isUnfinished(runID):
            return nil  // the history stops here; so does the comparison
        case (nil, let messages?):
            return log.first { $0.runID == runID && $0.step == step && $0.kind == .extraModelCall }
                ?? divergence(.extraModelCall, "model call \(step)", .null, ["messages": .integer(messages.count)],
                              "the current code makes model call \(step), which the history does not have")
        case (let was?, let isNow?):
            if was != isNow {
                let index = zip(was, isNow).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(was.count, isNow.count)
                let a = index < was.count ? was[index].jsonValue : .null
                let b = index < isNow.count ? isNow[index].jsonValue : .null
                let path = a.firstDifference(from: b) ?? "$"
                return divergence(
                    .requestMessages, "message \(index) of \(max(was.count, isNow.count))", a, b,
                    "the conversation sent to the model differs (\(was.count) messages recorded, \(isNow.count) now; first difference at \(path))")
            }
        }
        for kind in [HistoryDivergence.Kind.requestSystem, .requestTools, .toolSpec] {
            if let noted = log.first(where: { $0.runID == runID && $0.step == step && $0.kind == kind }) { return noted }
        }
        let recordedCalls = (recorded?.calls ?? [:]).sorted { $0.key < $1.key }.map(\.value)
        let currentCalls = (now?.calls ?? [:]).sorted { $0.key < $1.key }.map(\.value)
        let shape = { (calls: [PendingCall]) -> JSONValue in
            .array(calls.map { ["name": .string($0.call.name), "arguments": $0.call.arguments] })
        }
        if shape(recordedCalls) != shape(currentCalls) {
            let a = shape(recordedCalls), b = shape(currentCalls)
            return divergence(.toolCall, "the tool calls of step \(step)", a, b,
                              "the tool calls differ (first difference at \(a.firstDifference(from: b) ?? "$"))")
        }
        if let noted = log.first(where: { $0.runID == runID && $0.step == step && $0.kind == .toolCall }) { return noted }
        for (was, isNow) in zip(recordedCalls, currentCalls) {
            if was.call.name == "delegate", let child = childRun(of: was.call.id, in: runID), let found = first(runID: child) {
                return found
            }
            guard was.result != isNow.result else { continue }
            let a = was.result.map(Self.json) ?? .null, b = isNow.result.map(Self.json) ?? .null
            var detail = "the result of \(was.call.name) differs (first difference at \(a.firstDifference(from: b) ?? "$"))"
            if let message = isNow.result?.content["error"]?["message"]?.stringValue, isNow.result?.isError == true {
                detail += "; the current code answered with an error: \(message)"
            }
            return divergence(.toolResult, "call \(was.call.id) \(was.call.name)", a, b, detail)
        }
        return nil
    }

    /// The run's end: status and output.
    private func outcome(runID: String) -> HistoryDivergence? {
        guard let was = history.checkpoints[runID]?.last?.state, !history.isUnfinished(runID) else { return nil }
        let isNow = current.checkpoints[runID]?.last?.state
        let a: JSONValue = ["status": .string(was.status.rawValue), "output": was.output.map(JSONValue.string) ?? .null]
        let b: JSONValue = isNow.map { ["status": .string($0.status.rawValue), "output": $0.output.map(JSONValue.string) ?? .null] } ?? .null
        guard a != b else { return nil }
        return HistoryDivergence(
            runID: runID, step: was.step, kind: .outcome, subject: "the end of the run", history: a, current: b,
            detail: "the run ends differently" + (isNow?.failure.map { " (now: \($0))" } ?? ""))
    }

    private func childRun(of callID: String, in runID: String) -> String? {
        history.checkpoints[runID]?.last?.state.children.first { $0.callID == callID }?.runID
    }

    static func json(_ result: ToolResultPart) -> JSONValue {
        ["content": result.content, "isError": .bool(result.isError)]
    }
}
