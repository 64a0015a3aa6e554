import Micro

/// Everything needed to continue a run from where it stopped. Committed at every juncture.
public struct RunState: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        case running
        /// Paused by `request_input`; `resume(run:input:)` goes on.
        case waitingForInput = "waiting_for_input"
        case completed
        case failed
        case cancelled
    }

    /// What the run does next when it continues.
    public enum Phase: String, Sendable, Hashable, Codable {
        /// Build a request from memory and call the model.
        case callModel = "call_model"
        /// Execute the tool calls in ``RunState/pendingCalls`` that have no committed result.
        case runTools = "run_tools"
        /// Nothing: the run is paused or finished.
        case idle
    }

    public var runID: String
    /// The agent running it.
    public var agent: String
    /// The run that delegated to this one, if any.
    public var parentRunID: String?
    /// Delegation depth: 0 for a top-level run.
    public var depth: Int
    public var status: Status
    public var phase: Phase
    /// The current step: the number of model calls made so far (the next call is `step + 1`).
    public var step: Int
    public var memory: MemoryState
    public var plan: Plan?
    /// The tool calls of the latest model response, with their results once committed.
    public var pendingCalls: [PendingCall]
    public var usage: Usage
    /// Guardrail counters.
    public var counters: Counters
    /// Child runs started by `delegate`.
    public var children: [ChildRun]
    /// What `request_input` asked for while the run waits.
    public var inputRequest: InputRequest?
    /// The final answer, once completed.
    public var output: String?
    /// Why the run failed, if it did.
    public var failure: RunFailure?
    /// When the run started (for the total deadline).
    public var startedAt: Timestamp
    /// Number of checkpoints committed so far.
    public var checkpointCount: Int
    /// The run and checkpoint this run was forked from (``AgentRunner/fork(runID:at:edit:newRunID:)``), if any.
    public var fork: ForkOrigin?
    /// For a flow run (``FlowRunner``): its stage, typed state and attempts; nil for an agent run.
    public var flow: FlowProgress?

    public init(runID: String, agent: String, parentRunID: String? = nil, depth: Int = 0, startedAt: Timestamp) {
        self.runID = runID
        self.agent = agent
        self.parentRunID = parentRunID
        self.depth = depth
        self.status = .running
        self.phase = .callModel
        self.step = 0
        self.memory = MemoryState()
        self.plan = nil
        self.pendingCalls = []
        self.usage = Usage()
        self.counters = Counters()
        self.children = []
        self.inputRequest = nil
        self.output = nil
        self.failure = nil
        self.startedAt = startedAt
        self.checkpointCount = 0
        self.fork = nil
        self.flow = nil
    }

    /// Whether the run has ended (completed, failed or cancelled).
    public var isFinished: Bool { [.completed, .failed, .cancelled].contains(status) }
}

/// A tool call the model asked for, and its committed result.
public struct PendingCall: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        /// Not started.
        case pending
        /// Started; no result committed (a crash here means: call again with the same key).
        case started
        /// Its result is committed; never called again.
        case completed
    }

    public var index: Int
    public var call: ToolCall
    public var key: IdempotencyKey
    public var status: Status
    public var result: ToolResultPart?
    /// How many times the call was started (more than 1 after a crash between start and result).
    public var attempts: Int
    /// The answer to the approval question about the call, once given (nil when the policy allowed or
    /// denied it without asking).
    public var approval: ApprovalDecision?

    public init(index: Int, call: ToolCall, key: IdempotencyKey) {
        self.index = index
        self.call = call
        self.key = key
        self.status = .pending
        self.result = nil
        self.attempts = 0
        self.approval = nil
    }
}

/// Counters the guardrails read.
public struct Counters: Sendable, Hashable, Codable {
    /// Tool calls made (including refused ones).
    public var toolCalls: Int = 0
    /// How many times each identical call (name + canonical arguments) was made.
    public var identicalCalls: [String: Int] = [:]
    /// Model calls that failed and were retried.
    public var modelRetries: Int = 0
    public init() {}
}

/// A run started by `delegate`.
public struct ChildRun: Sendable, Hashable, Codable {
    public var runID: String
    public var agent: String
    /// The `delegate` call that started it.
    public var callID: String
    public var status: RunState.Status
    public init(runID: String, agent: String, callID: String, status: RunState.Status) {
        self.runID = runID
        self.agent = agent
        self.callID = callID
        self.status = status
    }
}

/// What a paused run asked the user.
public struct InputRequest: Sendable, Hashable, Codable {
    /// The call waiting for the answer: a `request_input` call, a `delegate` call whose child asked, or a
    /// call the approval policy asks about.
    public var callID: String
    public var prompt: String
    /// The child run that asked, when the question comes from a sub-agent.
    public var childRunID: String?
    /// The call to approve, when the question comes from the agent's approval policy.
    public var approval: ApprovalRequest?
    public init(callID: String, prompt: String, childRunID: String? = nil, approval: ApprovalRequest? = nil) {
        self.callID = callID
        self.prompt = prompt
        self.childRunID = childRunID
        self.approval = approval
    }
}

/// Why a run failed.
public struct RunFailure: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A stable kind, such as `max_steps`, `token_budget`, `deadline`, `model_error`.
    public var code: String
    public var message: String
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { "\(code): \(message)" }
}
