import Micro

/// One fault of a plan: what to break, how, and when.
///
/// Targets and kinds:
/// - `model`: `rate_limit` (429), `server_error` (500), `unavailable` (503), `overloaded` (529), `timeout`,
///   `connection_reset`, `truncated_stream`, `malformed_chunk`, `slow_dribble`, `context_length_exceeded`;
/// - `tool`: `error`, `timeout`, `latency`, `wrong_shape`;
/// - `store` and `checkpointer`: `write_failed`, `slow_write`;
/// - `broker`: `drop`, `duplicate`, `delay`;
/// - `process`: `crash` (after a checkpoint commit; the run is resumed as a new process would resume it).
///
/// A `timeout` (model or tool) is a call that never answers: it hangs until the call's deadline (tool, model
/// or run; see ``Guardrails``) cancels it. A call with no deadline gives up after `latency` instead, as a
/// client's own timeout would. A `latency` longer than the time left before the deadline is cut at the deadline.
public struct FaultSpec: Sendable, Hashable {
    public enum Target: String, Sendable, Hashable, CaseIterable {
        case model, tool, store, checkpointer, broker, process
        /// A flow step's action fails before it runs (`agent`: the flow; `match`: `FLOW.STAGE`), retried under
        /// the step's retry policy.
        case step
    }

    public var target: Target
    public var kind: String
    public var trigger: FaultTrigger
    /// Model faults: only this agent's calls. Process faults: only this agent's checkpoints.
    public var agent: String?
    /// Tool faults: only calls of this tool.
    public var tool: String?
    /// Broker faults: only messages on this topic.
    public var topic: String?
    /// The HTTP status a model fault reports (defaults by kind).
    public var status: Int?
    /// The `retry-after` a model fault carries.
    public var retryAfter: Duration?
    /// How long `latency`, `slow_*`, `delay` and `slow_dribble` faults wait on the virtual clock, and when a
    /// `timeout` on a call with no deadline gives up.
    public var latency: Duration?
    /// Whether the run may pass without this fault firing (probabilistic faults); otherwise an unfired
    /// fault fails the scenario, so that a fault path cannot pass unexercised.
    public var optional: Bool
    /// The line of the fault in the scenario file (0 when built in Swift).
    public var line: Int

    public static let kinds: [Target: [String]] = [
        .model: [
            "rate_limit", "server_error", "unavailable", "overloaded", "timeout", "connection_reset", "truncated_stream",
            "malformed_chunk", "slow_dribble", "context_length_exceeded",
        ],
        .tool: ["error", "timeout", "latency", "wrong_shape"],
        .store: ["write_failed", "slow_write"],
        .checkpointer: ["write_failed", "slow_write"],
        .broker: ["drop", "duplicate", "delay"],
        .process: ["crash"],
        .step: ["error"],
    ]

    public init(
        _ target: Target, _ kind: String, trigger: FaultTrigger = FaultTrigger(), agent: String? = nil, tool: String? = nil,
        topic: String? = nil, status: Int? = nil, retryAfter: Duration? = nil, latency: Duration? = nil,
        optional: Bool = false, line: Int = 0
    ) {
        self.target = target
        self.kind = kind
        self.trigger = trigger
        self.agent = agent
        self.tool = tool
        self.topic = topic
        self.status = status
        self.retryAfter = retryAfter
        self.latency = latency
        self.optional = optional
        self.line = line
    }

    /// What a model fault that answers with an HTTP error reports — the same at the model seam and as wire
    /// bytes: the status (its own `status` wins), the provider's error type and the message; nil for the
    /// other kinds. The context-length message uses the wording adapters recognize.
    public var httpError: (status: Int, providerType: String, message: String)? {
        let error: (Int, String, String)
        switch kind {
        case "rate_limit": error = (429, "rate_limit_error", "rate limit exceeded (injected)")
        case "server_error": error = (500, "api_error", "internal server error (injected)")
        case "unavailable": error = (503, "api_error", "service unavailable (injected)")
        case "overloaded": error = (529, "overloaded_error", "Overloaded (injected)")
        case "context_length_exceeded":
            error = (400, "invalid_request_error", "prompt is too long: the request exceeds the context window (injected)")
        default: return nil
        }
        return (status ?? error.0, error.1, error.2)
    }

    /// A one-line name for reports: `model rate_limit on call 2`.
    public var label: String {
        var text = "\(target.rawValue) \(kind)"
        if let agent { text += " (agent \(agent))" }
        if let tool { text += " (tool \(tool))" }
        if let topic { text += " (topic \(topic))" }
        return text + " \(trigger)"
    }
}

/// When a fault fires, counting the calls it applies to (those of its target that pass its filters and
/// `match`) from 1. Several conditions may be combined; any one that holds fires the fault. With none
/// given the fault fires on the first call only.
public struct FaultTrigger: Sendable, Hashable, CustomStringConvertible {
    /// Fire on this call.
    public var call: Int?
    /// Fire on every n-th call.
    public var every: Int?
    /// Fire on the first n calls, then let calls through ("fail n times then succeed").
    public var times: Int?
    /// Fire with this probability, drawn from the world's seeded random source.
    public var probability: Double?
    /// Only calls whose request (model: last message; tool: arguments; process: juncture) contains this text.
    public var match: String?

    public init(call: Int? = nil, every: Int? = nil, times: Int? = nil, probability: Double? = nil, match: String? = nil) {
        self.call = call
        self.every = every
        self.times = times
        self.probability = probability
        self.match = match
    }

    /// Whether the `count`-th applicable call fires, drawing from `random` only for probabilities.
    public func fires(count: Int, random: RandomSource) -> Bool {
        if call == nil && every == nil && times == nil && probability == nil { return count == 1 }
        if let call, count == call { return true }
        if let every, every > 0, count % every == 0 { return true }
        if let times, count <= times { return true }
        if let probability { return random.nextUnit() < probability }
        return false
    }

    public var description: String {
        var parts: [String] = []
        if let call { parts.append("on call \(call)") }
        if let every { parts.append("every \(every) calls") }
        if let times { parts.append("on the first \(times) calls") }
        if let probability { parts.append("with probability \(probability)") }
        if parts.isEmpty { parts.append("on call 1") }
        if let match { parts.append("matching \"\(match)\"") }
        return parts.joined(separator: ", ")
    }
}
