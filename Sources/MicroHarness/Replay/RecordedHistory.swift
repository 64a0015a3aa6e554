import Micro
import MicroAgent

/// What a stored run and its sub-agent runs recorded, read from their checkpoints: per model call the
/// conversation it was sent and the answer it got, and every tool call's committed result by idempotency key.
public struct RecordedHistory: Sendable {
    /// One model call of a run (step N), as its checkpoints recorded it.
    public struct Step: Sendable, Hashable {
        /// The conversation in memory when the call was made (the last `before_model:N` checkpoint).
        public var messages: [Message]?
        /// The answer (the message appended at `after_model:N`), nil if the run stopped before it came.
        public var answer: Message?
        public var usage: Usage
        public var stopReason: StopReason
        /// The step's tool calls as last committed, by call index.
        public var calls: [Int: PendingCall]
    }

    /// Every checkpoint of the run and of its sub-agent runs, by run id.
    public let checkpoints: [String: [Checkpoint]]
    /// The model calls of each run, by run id and step.
    public let steps: [String: [Int: Step]]
    /// Committed tool results by idempotency key (`run/step/call`); `executed` is false for a call the run
    /// answered without running it (denied by the approval policy or the user, refused by a guardrail).
    public let results: [String: (call: ToolCall, result: ToolResultPart, executed: Bool)]
    /// What the trace (when there is one) says each model request carried, by run id and step: the system
    /// instructions and the names of the tools offered. Checkpoints do not record them.
    public let requests: [String: [Int: RecordedRequest]]

    /// Reads `runID` and, recursively, the sub-agent runs it started from `checkpointer` (only reading); the
    /// `model_request` events of `trace` (the runs' Trace, when it was kept) add the requests' instructions and tools.
    public init(runID: String, checkpointer: any Checkpointer, trace: [TraceEvent] = []) async throws {
        var checkpoints: [String: [Checkpoint]] = [:]
        var queue = [runID]
        while let next = queue.popLast() {
            guard checkpoints[next] == nil else { continue }
            let history = try await checkpointer.history(runID: next)
            checkpoints[next] = history
            queue += Set(history.flatMap { $0.state.children.map(\.runID) }).sorted()
        }
        self.checkpoints = checkpoints
        var steps: [String: [Int: Step]] = [:]
        var results: [String: (call: ToolCall, result: ToolResultPart, executed: Bool)] = [:]
        for (run, history) in checkpoints {
            var runSteps: [Int: Step] = [:]
            var usageBefore: [Int: Usage] = [:]
            for checkpoint in history {
                let state = checkpoint.state
                switch checkpoint.juncture {
                case .beforeModel(let step):
                    runSteps[step, default: Step(usage: Usage(), stopReason: .endTurn, calls: [:])].messages = state.memory.messages
                    usageBefore[step] = state.usage
                case .afterModel(let step):
                    let before = usageBefore[step] ?? Usage()
                    runSteps[step, default: Step(usage: Usage(), stopReason: .endTurn, calls: [:])].answer = state.memory.messages.last
                    runSteps[step]!.usage = Usage(
                        inputTokens: state.usage.inputTokens - before.inputTokens, outputTokens: state.usage.outputTokens - before.outputTokens)
                    runSteps[step]!.stopReason =
                        !state.pendingCalls.isEmpty ? .toolUse : state.status == .running ? .pauseTurn : .endTurn
                default:
                    break
                }
                for call in state.pendingCalls {
                    runSteps[call.key.step, default: Step(usage: Usage(), stopReason: .toolUse, calls: [:])].calls[call.index] = call
                    if let result = call.result { results[call.key.description] = (call.call, result, call.attempts > 0) }
                }
            }
            steps[run] = runSteps
        }
        self.steps = steps
        self.results = results
        var requests: [String: [Int: RecordedRequest]] = [:]
        for event in trace where event.kind == .modelRequest && checkpoints[event.runID] != nil {
            // The last attempt of a step wins; the event's step is the run's step before the call.
            requests[event.runID, default: [:]][event.step + 1] = RecordedRequest(
                system: event.data["system"]?.stringValue,
                tools: event.data["tools"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        }
        self.requests = requests
    }

    /// Whether the history of `runID` stops short of an end (running when it was stored, or crashed): a replay
    /// compares it only as far as it goes.
    public func isUnfinished(_ runID: String) -> Bool {
        guard let last = checkpoints[runID]?.last?.state else { return false }
        return last.status == .running
    }

    /// The answer the history gave to the question `callID` of `runID` asked: a `request_input` answer, or an
    /// approval (`approve`, `deny: reason`, or the edited arguments); nil if the history has none.
    public func answer(runID: String, callID: String) -> String? {
        for checkpoint in (checkpoints[runID] ?? []).reversed() {
            guard let call = checkpoint.state.pendingCalls.first(where: { $0.call.id == callID }) else { continue }
            if let approval = call.approval {
                if approval.edited {
                    return JSONValue.object(["approve": true, "arguments": call.call.arguments]).canonicalString()
                }
                return approval.approved ? "approve" : "deny" + (approval.reason.map { ": \($0)" } ?? "")
            }
            if let input = call.result?.content["input"]?.stringValue { return input }
        }
        return nil
    }
}

/// A model request as the Trace recorded it (the Trace keeps the last message, not the whole conversation).
public struct RecordedRequest: Sendable, Hashable {
    public var system: String?
    /// The names of the tools offered.
    public var tools: [String]
}
