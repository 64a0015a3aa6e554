import Micro
import Synchronization

/// What a code step gets besides the state: the attempt it is, the grader's feedback on the previous one, the
/// triggering event, and service calls keyed for exactly-once effects.
public final class FlowStepContext: Sendable {
    public let runID: String
    public let flow: String
    public let stage: String
    public let iteration: Int
    public let attempt: Int
    /// The verifier's feedback on the previous attempt, if it was rejected.
    public let feedback: String?
    public let event: FlowEvent
    public let runtime: Runtime
    /// The idempotency key of this attempt (run, stage, iteration and attempt): the same when the attempt is
    /// retried after an error or resumed after a crash, so services that honour keys perform its effects once.
    public let idempotencyKey: String
    private let calls = Mutex(0)
    private let trace: Trace?
    private let step: Int

    init(runID: String, flow: String, progress: FlowProgress, event: FlowEvent, runtime: Runtime, trace: Trace? = nil) {
        self.trace = trace
        self.step = progress.stageIndex
        self.runID = runID
        self.flow = flow
        self.stage = progress.stage
        self.iteration = progress.iteration
        self.attempt = progress.attempt
        self.feedback = progress.feedback
        self.event = event
        self.runtime = runtime
        self.idempotencyKey = progress.key(runID: runID)
    }

    /// The context of the step's next service call: keyed `KEY/n` for its n-th call (n from 1).
    public func callContext() -> CallContext {
        let number = calls.withLock { count in
            count += 1
            return count
        }
        return CallContext(
            runID: runID, idempotencyKey: "\(idempotencyKey)/\(number)", caller: "\(flow).\(stage)",
            environment: runtime.environment)
    }

    /// Calls `endpoint` of `service` with the step's next call context; the call and its result (or error) go
    /// to the Trace as `tool_call` and `tool_result` events (`tool`, `arguments`, `key`, `stage`).
    public func call(_ service: String, _ endpoint: String, request: JSONValue) async throws -> JSONValue {
        let context = callContext()
        let tool = ToolNaming.baseName(service: service, endpoint: endpoint)
        record(.toolCall, [
            "tool": .string(tool), "arguments": request, "key": .string(context.idempotencyKey), "stage": .string(stage),
        ])
        do {
            let result = try await runtime.client.call(service, endpoint, request: request, context: context)
            record(.toolResult, ["tool": .string(tool), "key": .string(context.idempotencyKey), "content": result, "isError": false])
            return result
        } catch {
            record(.toolResult, [
                "tool": .string(tool), "key": .string(context.idempotencyKey), "content": .string("\(error)"), "isError": true,
            ])
            throw error
        }
    }

    private func record(_ kind: TraceEvent.Kind, _ data: JSONValue) {
        trace?.append(kind, runID: runID, agent: flow, step: step, at: runtime.environment.now(), data: data)
    }
}
