import Micro

/// Runs agents: drives each run's loop, commits a checkpoint at every juncture, and resumes runs from their
/// latest checkpoint after a crash or a pause.
///
/// The loop: build the request from memory → stream the model → execute the tool calls it asked for
/// (service tools in parallel, results in call order) → repeat until a final answer, a pause or a
/// guardrail. Everything observable goes to ``trace``.
public struct AgentRunner: Sendable {
    public let runtime: Runtime
    public let checkpointer: any Checkpointer
    public let trace: Trace
    public private(set) var agents: [String: Agent]
    public let remoteAgents: [String: any RemoteAgent]
    /// Who holds the leases this runner takes (a process or host identity).
    public let owner: String
    public let leaseDuration: Duration
    /// How often a run being driven renews its lease besides its commits, or nil to renew only when a commit
    /// finds half of it gone. Workers sharing runs set it (a third of ``leaseDuration`` or less), so a long
    /// model or tool call keeps the run theirs and only a dead worker's run is taken over.
    public let heartbeat: Duration?
    /// Called after every committed checkpoint. The harness uses it to crash a run at a juncture: an error
    /// thrown here propagates out of the run without being recorded as a failure (as a crash would).
    public let onCheckpoint: (@Sendable (Checkpoint) async throws -> Void)?

    public init(
        runtime: Runtime, checkpointer: any Checkpointer, agents: [Agent], remoteAgents: [any RemoteAgent] = [],
        trace: Trace = Trace(), owner: String? = nil, leaseDuration: Duration = .seconds(300),
        onCheckpoint: (@Sendable (Checkpoint) async throws -> Void)? = nil, heartbeat: Duration? = nil
    ) {
        self.heartbeat = heartbeat
        self.runtime = runtime
        self.checkpointer = checkpointer
        self.trace = trace
        self.agents = Dictionary(agents.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        self.remoteAgents = Dictionary(remoteAgents.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        self.owner = owner ?? runtime.environment.ids.next("owner")
        self.leaseDuration = leaseDuration
        self.onCheckpoint = onCheckpoint
    }

    /// This runner with `agent` too (replacing one of the same name); everything else — leases, heartbeat,
    /// checkpoint hook — as it is.
    public func adding(_ agent: Agent) -> AgentRunner {
        var runner = self
        runner.agents[agent.name] = agent
        return runner
    }

    /// Starts a new run of `agentName` on `input` and drives it until it completes, fails or pauses.
    public func run(_ agentName: String, input: String, runID: String? = nil) async throws -> RunResult {
        let (agent, runID) = try await newRun(of: agentName, runID: runID)
        return try await start(agent: agent, input: input, runID: runID, parent: nil)
    }

    /// The agent named `agentName` and the id for a new run of it (`runID`, or a fresh one); throws when there
    /// is no such agent or a run with that id exists.
    private func newRun(of agentName: String, runID: String?) async throws -> (Agent, String) {
        guard let agent = agents[agentName] else {
            throw AgentError(.unknownAgent, "no agent named \(agentName); agents: \(agents.keys.sorted().joined(separator: ", "))")
        }
        let runID = runID ?? runtime.environment.ids.next("run")
        if let existing = try await checkpointer.latest(runID: runID) {
            throw AgentError(
                .runExists,
                "run \(runID) already exists (\(existing.state.status.rawValue) at \(existing.juncture)); resume it or use another run id")
        }
        return (agent, runID)
    }

    /// Records a new run of `agentName` on `input` without driving it: its first checkpoint (`started`, status
    /// running) and no lease, so that any worker sharing the checkpointer picks it up
    /// (``Checkpointer/claimableRuns(now:limit:)``, then ``resume(runID:)``). Returns the run's id.
    @discardableResult
    public func submit(_ agentName: String, input: String, runID: String? = nil) async throws -> String {
        let (agent, runID) = try await newRun(of: agentName, runID: runID)
        let now = runtime.environment.now()
        var state = RunState(runID: runID, agent: agent.name, startedAt: now)
        state.memory.messages = [.user(input)]
        state.checkpointCount = 1
        let first = Checkpoint(runID: runID, sequence: 1, juncture: .started, state: state, at: now)
        try await checkpointer.commit(first, lease: nil)
        trace.append(
            .runStarted, runID: runID, agent: agent.name, step: 0, at: now,
            data: ["input": .string(input), "parent": .null, "depth": .integer(0), "submitted": .bool(true)])
        trace.append(
            .checkpoint, runID: runID, agent: agent.name, step: 0, at: now,
            data: ["juncture": .string(Juncture.started.description), "sequence": .integer(1)])
        return runID
    }

    /// Continues `runID` from its latest checkpoint (after a crash). A paused or finished run is returned as is.
    public func resume(runID: String) async throws -> RunResult {
        try await resume(runID: runID, input: nil, parentBudget: nil)
    }

    /// Answers the question a paused run asked and continues it.
    public func resume(runID: String, input: String) async throws -> RunResult {
        try await resume(runID: runID, input: .some(input), parentBudget: nil)
    }

    /// Records `runID` as cancelled: a last checkpoint (juncture `cancelled`, status ``RunState/Status/cancelled``)
    /// under this runner's lease, so that the run is never resumed and lists say what became of it. The run's
    /// own session must have stopped first (a cancelled session gives its lease back); a finished run is
    /// returned as it is.
    @discardableResult
    public func cancel(runID: String, reason: String) async throws -> RunResult {
        guard let checkpoint = try await checkpointer.latest(runID: runID) else {
            throw AgentError(.unknownRun, "no run \(runID) in the checkpointer")
        }
        var state = checkpoint.state
        if state.isFinished { return RunResult(state) }
        let environment = runtime.environment
        let lease = try await checkpointer.acquireLease(runID: runID, owner: owner, duration: leaseDuration, now: environment.now())
        state.status = .cancelled
        state.phase = .idle
        state.checkpointCount = checkpoint.sequence + 1
        let data: JSONValue = ["reason": .string(reason)]
        trace.append(.cancelled, runID: runID, agent: state.agent, step: state.step, at: environment.now(), data: data)
        let last = Checkpoint(runID: runID, sequence: state.checkpointCount, juncture: .cancelled, state: state, at: environment.now())
        try await checkpointer.commit(last, lease: lease)
        trace.append(
            .checkpoint, runID: runID, agent: state.agent, step: state.step, at: environment.now(),
            data: ["juncture": .string(last.juncture.description), "sequence": .integer(last.sequence)])
        try await onCheckpoint?(last)
        try await checkpointer.releaseLease(lease)
        return RunResult(state)
    }

    // MARK: Internals shared with RunSession

    func start(agent: Agent, input: String, runID: String, parent: RunSession.Lineage?) async throws -> RunResult {
        let environment = runtime.environment
        var state = RunState(
            runID: runID, agent: agent.name, parentRunID: parent?.runID, depth: parent.map { $0.depth + 1 } ?? 0,
            startedAt: environment.now())
        state.memory.messages = [.user(input)]
        let lease = try await checkpointer.acquireLease(
            runID: runID, owner: owner, duration: leaseDuration, now: environment.now())
        var session = try await RunSession(
            runner: self, agent: agent, state: state, lease: lease, budget: parent?.budget ?? .init(agent, state))
        trace.append(
            .runStarted, runID: runID, agent: agent.name, step: 0, at: environment.now(),
            data: ["input": .string(input), "parent": parent.map { .string($0.runID) } ?? .null, "depth": .integer(state.depth)])
        return try await RunScope.$current.withValue(RunScope(runID: runID, agent: agent.name)) {
            try await session.commit(.started)
            return try await session.drive()
        }
    }

    func resume(runID: String, input: String?, parentBudget: RunSession.Budget?) async throws -> RunResult {
        guard let checkpoint = try await checkpointer.latest(runID: runID) else {
            throw AgentError(.unknownRun, "no run \(runID) in the checkpointer")
        }
        var state = checkpoint.state
        guard let agent = agents[state.agent] ?? ephemeralAgent(for: state) else {
            throw AgentError(
                .unknownAgent, "run \(runID) belongs to agent \(state.agent), which this runner does not have")
        }
        if input != nil && state.status != .waitingForInput {
            throw AgentError(.notWaiting, "run \(runID) is not waiting for input (it is \(state.status.rawValue))")
        }
        if state.isFinished || (state.status == .waitingForInput && input == nil) { return RunResult(state) }
        let environment = runtime.environment
        let lease = try await checkpointer.acquireLease(
            runID: runID, owner: owner, duration: leaseDuration, now: environment.now())
        state.checkpointCount = checkpoint.sequence
        var session = try await RunSession(
            runner: self, agent: agent, state: state, lease: lease, budget: parentBudget ?? .init(agent, state))
        trace.append(
            .resumed, runID: runID, agent: agent.name, step: state.step, at: environment.now(),
            data: ["fromJuncture": .string(checkpoint.juncture.description), "fromSequence": .integer(checkpoint.sequence),
                   "input": input.map(JSONValue.string) ?? .null])
        return try await RunScope.$current.withValue(RunScope(runID: runID, agent: agent.name)) {
            if let input {
                try await session.answer(input)
            } else {
                try await session.commit(.resumed)
            }
            return try await session.drive()
        }
    }

    /// The ephemeral sub-agent a `delegate` call with `services` made, rebuilt from its parent's agent.
    func ephemeralAgent(for state: RunState) -> Agent? {
        guard let marker = state.agent.range(of: RunSession.ephemeralMarker) else { return nil }
        let parentName = String(state.agent[..<marker.lowerBound])
        let services = state.agent[marker.upperBound...].split(separator: ",").map(String.init)
        guard let parent = agents[parentName] else { return nil }
        return RunSession.ephemeral(parent: parent, services: services)
    }
}

/// A run that cannot be started or resumed.
public struct AgentError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }
        public static let unknownAgent = Code(rawValue: "unknown_agent")
        public static let unknownRun = Code(rawValue: "unknown_run")
        public static let notWaiting = Code(rawValue: "not_waiting")
        public static let runExists = Code(rawValue: "run_exists")
    }

    public var code: Code
    public var message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { "\(code): \(message)" }
}
