import Micro

/// Where a flow run stands: its typed state (as JSON), the stage it resumes at and what that stage has done so
/// far. Committed in ``RunState/flow`` at every step boundary, in the same ``Checkpointer`` as agent runs.
public struct FlowProgress: Sendable, Hashable, Codable {
    /// What the current stage does next when the run continues.
    public enum Phase: String, Sendable, Hashable, Codable {
        /// Run the step's action (a function, a model, an agent) for the current iteration and attempt.
        case run
        /// Grade ``FlowProgress/output`` (the attempt's output) with the step's verifier.
        case verify
        /// Ask the loop's condition whether the accepted iteration was the last.
        case judge
    }

    /// The flow this run belongs to.
    public var flow: String
    /// The event that started the run (`kind`: direct, topic, schedule; `topic`, `messageID`, `data`).
    public var trigger: JSONValue
    /// The typed state, encoded: what the last accepted step left.
    public var state: JSONValue
    /// Index of the current stage in the flow's steps; `steps.count` once every stage completed.
    public var stageIndex: Int
    /// Name of the current stage (the resume point); empty once the flow is past its last step.
    public var stage: String
    public var phase: Phase
    /// Loop iteration of the current stage, from 1 (always 1 for a step without a loop).
    public var iteration: Int
    /// Verification attempt of the current iteration, from 1.
    public var attempt: Int
    /// Retry of the current attempt after an error, from 1.
    public var retry: Int
    /// The grader's feedback on the previous attempt, carried into the next one.
    public var feedback: String?
    /// The current attempt's state and output, once its action ran, awaiting verification or the loop's judge.
    public var candidate: JSONValue?
    public var output: String?
    /// The output of the last accepted step.
    public var lastOutput: String?
    /// Model calls already made per stage role (`STAGE`, `STAGE.grader`, `STAGE.judge`), so a step's model
    /// counts its turns across attempts and iterations.
    public var modelCalls: [String: Int]
    /// Stages completed, in order.
    public var completed: [String]

    public init(flow: String, trigger: JSONValue, state: JSONValue, firstStage: String) {
        self.flow = flow
        self.trigger = trigger
        self.state = state
        self.stageIndex = 0
        self.stage = firstStage
        self.phase = .run
        self.iteration = 1
        self.attempt = 1
        self.retry = 1
        self.feedback = nil
        self.candidate = nil
        self.output = nil
        self.lastOutput = nil
        self.modelCalls = [:]
        self.completed = []
    }

    /// The idempotency key of the current attempt's side effects: stable across resumes and error retries of
    /// the same attempt, new for each verification attempt and loop iteration.
    public func key(runID: String) -> String { "\(runID)/\(stage)/\(iteration).\(attempt)" }
}
