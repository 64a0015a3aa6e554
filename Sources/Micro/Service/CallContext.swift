/// Identifies one tool or endpoint call across retries and restarts: the same (run, step, call index)
/// always yields the same key, so a service can recognise a repeated call and not repeat its side effect.
public struct IdempotencyKey: Sendable, Hashable, Codable, CustomStringConvertible {
    public var runID: String
    public var step: Int
    public var callIndex: Int

    public init(runID: String, step: Int, callIndex: Int) {
        self.runID = runID
        self.step = step
        self.callIndex = callIndex
    }

    /// `runID/step/callIndex`.
    public var description: String { "\(runID)/\(step)/\(callIndex)" }
}

/// What a handler knows about the call it is serving.
public struct CallContext: Sendable {
    /// The run (agent workflow, CLI invocation) the call belongs to.
    public var runID: String
    /// Stable across retries and resumes of the same call; services deduplicate side effects on it.
    public var idempotencyKey: String
    /// The deadline the call must meet and which limit set it (tool call, run, …), or nil for none.
    /// ``Toolset`` and ``Client`` enforce it with ``withDeadline(_:environment:operation:)``.
    public var timeLimit: Deadline?
    /// When the call must be answered by (wall time of ``environment``): ``timeLimit``'s instant. Setting it
    /// sets an unnamed ``Deadline/Kind/call`` deadline.
    public var deadline: Timestamp? {
        get { timeLimit?.at }
        set { timeLimit = newValue.map { Deadline(.call, at: $0) } }
    }
    /// Who is calling: an agent name, `cli`, or a service name for service-to-service calls.
    public var caller: String
    /// Free-form metadata carried with the call (trace ids, tenant, …).
    public var metadata: [String: String]
    /// Time, randomness and identifiers to use while serving the call.
    public var environment: Environment

    public init(
        runID: String,
        idempotencyKey: String,
        deadline: Timestamp? = nil,
        timeLimit: Deadline? = nil,
        caller: String,
        metadata: [String: String] = [:],
        environment: Environment
    ) {
        self.runID = runID
        self.idempotencyKey = idempotencyKey
        self.timeLimit = timeLimit ?? deadline.map { Deadline(.call, at: $0) }
        self.caller = caller
        self.metadata = metadata
        self.environment = environment
    }

    /// A context for a single call with a fresh run identifier from `environment`.
    public static func standalone(caller: String, environment: Environment) -> CallContext {
        let run = environment.ids.next("run")
        return CallContext(
            runID: run,
            idempotencyKey: IdempotencyKey(runID: run, step: 0, callIndex: 0).description,
            caller: caller,
            environment: environment
        )
    }

    /// Throws ``ServiceError/Code/deadlineExceeded`` if ``deadline`` has passed on the environment's clock.
    /// `what` names the call and `phase` when the check happened, for the message.
    public func checkDeadline(_ what: String, _ phase: String) throws {
        guard let timeLimit else { return }
        let now = environment.now()
        if now > timeLimit.at {
            throw ServiceError(
                .deadlineExceeded, "\(what): \(timeLimit) passed \(phase) (now \(now))",
                details: ["deadline": DeadlineExceeded(timeLimit, at: now, cancelledInFlight: false).jsonValue])
        }
    }

    /// ``timeLimit``, named after `what` when it has no subject.
    func timeLimit(naming what: String) -> Deadline? {
        guard var limit = timeLimit else { return nil }
        if limit.subject.isEmpty { limit.subject = what }
        return limit
    }

    /// The context for a call this handler makes to another service: same run and deadline, a derived
    /// idempotency key (stable when this call is retried), and this service as the caller.
    public func nested(caller: String, key suffix: String) -> CallContext {
        var context = self
        context.idempotencyKey = "\(idempotencyKey)/\(suffix)"
        context.caller = caller
        return context
    }
}
