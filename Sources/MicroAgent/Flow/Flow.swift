import Micro

/// A workflow beside the agents: a chain of steps over a typed, `Codable` state, started by a trigger (a
/// broker topic, a schedule, a direct call). The state and the *stage* it is at (the resume point) are
/// checkpointed at every step boundary by a ``FlowRunner``, so a killed flow resumes at its stage and no
/// step's side effect repeats.
///
/// Steps are Swift functions over the state, model steps (the services as tools, a fixed prompt, run by the
/// agent loop) and agent steps (a local ``Agent`` or a ``RemoteAgent``), each with its own retry policy, an
/// optional verifier (code or a grading model) with an attempt budget, and an optional bounded loop.
public struct Flow<State: Codable & Sendable>: Sendable {
    public var name: String
    public var description: String
    /// What starts a run besides a direct call.
    public var triggers: [FlowTrigger]
    /// The state a run starts with, rendered from the event that triggered it.
    public var start: @Sendable (FlowEvent) throws -> State
    public var steps: [FlowStep<State>]
    /// Which tool calls of its model steps run, are denied or wait for a person (as ``Agent/approval``); when it
    /// is not allow-all, it also replaces the policy of the local agents its agent steps run.
    public var approval: ToolApproval
    /// The run's output once every step completed; nil: the last step's output.
    public var output: (@Sendable (State) -> String?)?

    public init(
        name: String, description: String = "", triggers: [FlowTrigger] = [], approval: ToolApproval = .allowAll,
        start: @escaping @Sendable (FlowEvent) throws -> State, steps: [FlowStep<State>],
        output: (@Sendable (State) -> String?)? = nil
    ) {
        self.name = name
        self.description = description
        self.triggers = triggers
        self.approval = approval
        self.start = start
        self.steps = steps
        self.output = output
    }
}

/// What starts flow runs besides a direct call.
public enum FlowTrigger: Sendable, Hashable {
    /// Every message on `topic` (wildcards allowed) starts one run, handled by one member of the queue group
    /// `queue` (the flow's name when nil) however many processes serve the flow.
    case topic(String, queue: String? = nil)
    /// A run every `every` on the environment's clock, `times` times (nil: until cancelled).
    case schedule(every: Duration, times: Int? = nil)
}

/// The event a run was started by, rendered into its starting state.
public struct FlowEvent: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable { case direct, topic, schedule }
    public var kind: Kind
    /// The topic a message was published on.
    public var topic: String?
    /// The broker message's id, or the schedule's tick (`1`, `2`, …).
    public var id: String?
    /// The direct call's input, the message body (JSON, or a string when it is not JSON), or null.
    public var data: JSONValue

    public init(kind: Kind, topic: String? = nil, id: String? = nil, data: JSONValue) {
        self.kind = kind
        self.topic = topic
        self.id = id
        self.data = data
    }
}

/// One step of a flow: an action over the state, with its retry policy, verifier and loop.
public struct FlowStep<State: Codable & Sendable>: Sendable {
    public enum Action: Sendable {
        /// A Swift function over the state. It returns the step's output (what a verifier grades); side
        /// effects go through ``FlowStepContext/call(_:_:request:)``, keyed by run, stage and attempt.
        case code(@Sendable (inout State, FlowStepContext) async throws -> String)
        /// A model with the services in `tools` as tools and a fixed prompt, run by the agent loop as a child
        /// run (checkpointed, under the flow's approval policy). Its turns count across the step's attempts.
        case model(instructions: String, model: any Model, tools: ToolScope, prompt: @Sendable (State) throws -> String)
        /// An agent of the runner (local) or a remote agent, given the prompt as its task.
        case agent(String, prompt: @Sendable (State) throws -> String)
    }

    /// The stage name (no `:`), unique in the flow.
    public var name: String
    public var action: Action
    /// Where a model or agent step's answer goes in the state (a code step sets the state itself).
    public var apply: (@Sendable (inout State, String) -> Void)?
    /// How a step that throws (or whose child run fails) is retried before the flow fails.
    public var retry: RetryPolicy
    public var verifier: FlowVerifier<State>?
    public var loop: FlowLoop<State>?

    public init(
        _ name: String, _ action: Action, apply: (@Sendable (inout State, String) -> Void)? = nil,
        retry: RetryPolicy = RetryPolicy(maxAttempts: 1), verifier: FlowVerifier<State>? = nil, loop: FlowLoop<State>? = nil
    ) {
        self.name = name
        self.action = action
        self.apply = apply
        self.retry = retry
        self.verifier = verifier
        self.loop = loop
    }
}

/// Grades a step's output; a rejection becomes a new attempt that carries the feedback.
public struct FlowVerifier<State: Codable & Sendable>: Sendable {
    public enum Grader: Sendable {
        /// Code: the candidate state and the output give a verdict.
        case code(@Sendable (State, String) -> FlowVerdict)
        /// A model told `instructions` grades the output: an answer starting with `PASS` accepts it, anything
        /// else rejects it with the answer (less a leading `FAIL:`) as the feedback.
        case model(instructions: String, model: any Model)
    }
    public var grader: Grader
    /// Attempts in all, the first included; a rejection of the last fails the flow (`verification_failed`).
    public var attempts: Int

    public init(_ grader: Grader, attempts: Int = 3) {
        self.grader = grader
        self.attempts = max(1, attempts)
    }
}

/// A verifier's verdict.
public struct FlowVerdict: Sendable, Hashable {
    public var passed: Bool
    public var feedback: String?
    public static let pass = FlowVerdict(passed: true, feedback: nil)
    public static func reject(_ feedback: String) -> FlowVerdict { FlowVerdict(passed: false, feedback: feedback) }
    public init(passed: Bool, feedback: String?) {
        self.passed = passed
        self.feedback = feedback
    }
}

/// Repeats a step up to `max` times, until a condition holds; never unbounded.
public struct FlowLoop<State: Codable & Sendable>: Sendable {
    public enum Until: Sendable {
        /// Code decides from the state and the iteration's output.
        case code(@Sendable (State, String) -> Bool)
        /// A model told `instructions` judges: an answer starting with `DONE` (or `YES`) ends the loop.
        case model(instructions: String, model: any Model)
    }
    /// Most iterations (at least 1).
    public var max: Int
    public var until: Until

    public init(max: Int, until: Until) {
        self.max = Swift.max(1, max)
        self.until = until
    }
}
