import Micro

/// An agent: instructions, a model, the tools it may use and the limits it runs within.
public struct Agent: Sendable {
    public var name: String
    /// What the agent is for, shown to other agents that may delegate to it.
    public var description: String
    public var instructions: String
    public var model: any Model
    /// The services whose endpoints it may call. `.services([])` means none, never all.
    public var tools: ToolScope
    /// Free-standing tools beside the service tools.
    public var extraTools: [Tool]
    public var guardrails: Guardrails
    /// Which tool calls run, are denied, or wait for a person's approval (every call runs by default).
    /// Sub-agents it starts with `services` share it.
    public var approval: ToolApproval
    public var memory: CompactMemory
    /// Options for every model call.
    public var options: ModelOptions

    public init(
        name: String, description: String = "", instructions: String, model: any Model, tools: ToolScope = .all,
        extraTools: [Tool] = [], guardrails: Guardrails = Guardrails(), approval: ToolApproval = .allowAll,
        memory: CompactMemory = CompactMemory(), options: ModelOptions = ModelOptions()
    ) {
        self.name = name
        self.description = description
        self.instructions = instructions
        self.model = model
        self.tools = tools
        self.extraTools = extraTools
        self.guardrails = guardrails
        self.approval = approval
        self.memory = memory
        self.options = options
    }
}

/// Limits a run must keep. Sub-agents inherit their parent's guardrails and what remains of its budget.
public struct Guardrails: Sendable, Hashable, Codable {
    /// Most model calls in one run.
    public var maxSteps: Int
    /// Most times the same tool may be called with the same arguments in one run; further calls are refused.
    public var maxIdenticalCalls: Int
    /// Most tokens (input + output) the run may spend, including its sub-agents; nil for no limit.
    public var tokenBudget: Int?
    /// How long one tool call may take on the environment's clock; nil for no limit. A call still running
    /// then is cancelled and answered with a `deadline_exceeded` error the model reads.
    public var toolCallTimeout: Duration?
    /// How long one model call (the whole streamed answer) may take on the environment's clock; nil for no
    /// limit. A call still streaming then is cancelled and fails with ``ModelError/Code/deadlineExceeded``,
    /// retried as the ``retry`` policy says.
    public var modelCallTimeout: Duration?
    /// How long the whole run may take on the environment's clock; nil for no limit. A model or tool call
    /// still in flight then is cancelled and the run fails with `deadline`.
    public var runTimeout: Duration?
    /// Deepest delegation chain (a top-level run is depth 0).
    public var maxDelegationDepth: Int
    /// How model calls that fail with a retryable error are retried.
    public var retry: RetryPolicy

    public init(
        maxSteps: Int = 20, maxIdenticalCalls: Int = 3, tokenBudget: Int? = nil, toolCallTimeout: Duration? = nil,
        modelCallTimeout: Duration? = nil, runTimeout: Duration? = nil, maxDelegationDepth: Int = 3,
        retry: RetryPolicy = RetryPolicy()
    ) {
        self.maxSteps = maxSteps
        self.maxIdenticalCalls = maxIdenticalCalls
        self.tokenBudget = tokenBudget
        self.toolCallTimeout = toolCallTimeout
        self.modelCallTimeout = modelCallTimeout
        self.runTimeout = runTimeout
        self.maxDelegationDepth = maxDelegationDepth
        self.retry = retry
    }
}

/// Exponential backoff with jitter for retryable model errors, on the injected clock.
public struct RetryPolicy: Sendable, Hashable, Codable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    public var initialDelay: Duration
    public var maxDelay: Duration
    /// Each delay is multiplied by a random factor in `1 - jitter ... 1 + jitter`.
    public var jitter: Double

    public init(
        maxAttempts: Int = 4, initialDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(30),
        jitter: Double = 0.2
    ) {
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.jitter = jitter
    }

    /// The wait before attempt `attempt + 1` (attempt counts from 1): exactly the provider's `retryAfter` when
    /// it gave one (a retry sooner would be refused again; the run's deadline bounds the wait), else
    /// `initialDelay × 2^(attempt-1)` capped at `maxDelay`, with jitter from `random`.
    public func delay(afterAttempt attempt: Int, retryAfter: Duration?, random: RandomSource) -> Duration {
        if let retryAfter { return max(.zero, retryAfter) }
        let base = min(initialDelay * (1 << min(attempt - 1, 30)), maxDelay)
        let factor = 1 - jitter + 2 * jitter * random.nextUnit()
        return .milliseconds(Int64((Double(base.milliseconds) * factor).rounded()))
    }
}
