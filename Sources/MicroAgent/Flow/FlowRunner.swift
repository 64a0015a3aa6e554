import Micro

/// Runs flows beside the agents of an ``AgentRunner``, on the same runtime, ``Checkpointer``, Trace and lease
/// owner: starts runs (a direct call, a broker message, a schedule tick), drives them stage by stage with a
/// checkpoint at every step boundary, and resumes them from their stage after a crash or a pause.
///
/// A model step runs as a child agent run (the flow's run id, the stage, the iteration and attempt), so the
/// agent loop, its checkpoints, retries and tool approval apply unchanged; an answer to a question a child
/// asked (`resume(runID:input:)`) goes to that child.
public struct FlowRunner: Sendable {
    public let agents: AgentRunner
    public let flows: [String: AnyFlow]

    /// - Throws: ``FlowError/Code/invalidFlow`` for a flow without steps, a stage name that is empty, holds
    ///   `:` or repeats, or two flows of one name.
    public init(agents: AgentRunner, flows: [AnyFlow]) throws {
        var named: [String: AnyFlow] = [:]
        for flow in flows {
            guard named[flow.name] == nil else { throw FlowError(.invalidFlow, "two flows are named \(flow.name)") }
            guard !flow.steps.isEmpty else { throw FlowError(.invalidFlow, "flow \(flow.name) has no steps") }
            var seen: Set<String> = []
            for stage in flow.stages {
                guard !stage.isEmpty, !stage.contains(":"), !stage.contains("/"), seen.insert(stage).inserted else {
                    throw FlowError(.invalidFlow, "flow \(flow.name): stage name \(stage.debugDescription) is empty, repeated, or holds ':' or '/'")
                }
            }
            named[flow.name] = flow
        }
        self.agents = agents
        self.flows = named
    }

    var runtime: Runtime { agents.runtime }
    var trace: Trace { agents.trace }

    /// Starts a run of `flow` on `input` (a direct call) and drives it until it completes, fails or pauses.
    public func run(_ flow: String, input: JSONValue, runID: String? = nil) async throws -> RunResult {
        let runID = runID ?? runtime.environment.ids.next("flow")
        if let existing = try await agents.checkpointer.latest(runID: runID) {
            throw AgentError(
                .runExists, "run \(runID) already exists (\(existing.state.status.rawValue) at \(existing.juncture)); resume it or use another run id")
        }
        return try await start(try named(flow), event: FlowEvent(kind: .direct, data: input), runID: runID)
    }

    /// Handles one broker message for `flow`: the run `FLOW/MESSAGE-ID` starts, or, when a message of that id
    /// was seen before (a redelivery, a restarted process), that run is resumed rather than started twice.
    public func trigger(_ flow: String, message: BrokerMessage) async throws -> RunResult {
        let definition = try named(flow)
        let runID = "\(flow)/\(message.id)"
        if try await agents.checkpointer.latest(runID: runID) != nil { return try await resume(runID: runID) }
        let text = String(decoding: message.body, as: UTF8.self)
        let data = (try? JSONValue(parsing: text)) ?? .string(text)
        return try await start(definition, event: FlowEvent(kind: .topic, topic: message.topic, id: message.id, data: data), runID: runID)
    }

    /// Handles tick `tick` of `flow`'s schedule: the run `FLOW@TICK`, started once.
    public func tick(_ flow: String, _ tick: Int) async throws -> RunResult {
        let definition = try named(flow)
        let runID = "\(flow)@\(tick)"
        if try await agents.checkpointer.latest(runID: runID) != nil { return try await resume(runID: runID) }
        return try await start(definition, event: FlowEvent(kind: .schedule, id: String(tick), data: .null), runID: runID)
    }

    /// The flows a message on `topic` starts.
    public func flows(triggeredBy topic: String) -> [AnyFlow] {
        flows.values.filter { $0.isTriggered(by: topic) }.sorted { $0.name < $1.name }
    }

    /// Serves `flow`'s triggers until cancelled (or until finite schedules end and subscriptions close): each
    /// topic trigger subscribes in its queue group (one run per message across every process serving the
    /// flow), each schedule ticks on the environment's clock. Messages are handled one at a time per trigger.
    /// `ready` is called once every subscription is in place (messages published after it reach the flow).
    public func serve(_ flow: String, ready: (@Sendable () -> Void)? = nil) async throws {
        let definition = try named(flow)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for trigger in definition.triggers {
                switch trigger {
                case .topic(let topic, let queue):
                    let subscription = try await runtime.broker.subscribe(to: topic, queue: queue ?? definition.name)
                    group.addTask {
                        defer { subscription.cancel() }
                        for try await message in subscription { _ = try await self.trigger(definition.name, message: message) }
                    }
                case .schedule(let every, let times):
                    group.addTask {
                        var tick = 1
                        while times.map({ tick <= $0 }) ?? true {
                            try await runtime.environment.sleep(for: every)
                            _ = try await self.tick(definition.name, tick)
                            tick += 1
                        }
                    }
                }
            }
            ready?()
            try await group.waitForAll()
        }
    }

    /// Continues `runID` from its latest checkpoint (after a crash). A finished run is returned as is; so is a
    /// paused one, unless the child it waits for is no longer waiting (the answer reached it before a crash).
    public func resume(runID: String) async throws -> RunResult {
        try await resume(runID: runID, input: nil)
    }

    /// Answers the question a paused flow run asked (its child's) and continues it.
    public func resume(runID: String, input: String) async throws -> RunResult {
        try await resume(runID: runID, input: .some(input))
    }

    func resume(runID: String, input: String?) async throws -> RunResult {
        guard let checkpoint = try await agents.checkpointer.latest(runID: runID) else {
            throw AgentError(.unknownRun, "no run \(runID) in the checkpointer")
        }
        var state = checkpoint.state
        guard let progress = state.flow else {
            throw FlowError(.notAFlow, "run \(runID) is an agent run (of \(state.agent)), not a flow run")
        }
        let flow = try named(progress.flow)
        if input != nil && state.status != .waitingForInput {
            throw AgentError(.notWaiting, "run \(runID) is not waiting for input (it is \(state.status.rawValue))")
        }
        if state.isFinished { return RunResult(state) }
        if state.status == .waitingForInput, input == nil {
            let child = try await state.inputRequest?.childRunID.asyncMap { try await agents.checkpointer.latest(runID: $0) }
            if child??.state.status == .waitingForInput || child == nil { return RunResult(state) }
        }
        let environment = runtime.environment
        let lease = try await agents.checkpointer.acquireLease(
            runID: runID, owner: agents.owner, duration: agents.leaseDuration, now: environment.now())
        state.checkpointCount = checkpoint.sequence
        state.status = .running
        state.inputRequest = nil
        var session = FlowSession(runner: self, flow: flow, state: state, lease: lease, input: input)
        session.record(.resumed, [
            "fromJuncture": .string(checkpoint.juncture.description), "fromSequence": .integer(checkpoint.sequence),
            "input": input.map(JSONValue.string) ?? .null,
        ])
        return try await RunScope.$current.withValue(RunScope(runID: runID, agent: flow.name)) {
            try await session.drive()
        }
    }

    func start(_ flow: AnyFlow, event: FlowEvent, runID: String) async throws -> RunResult {
        let environment = runtime.environment
        var state = RunState(runID: runID, agent: flow.name, startedAt: environment.now())
        state.phase = .idle
        let initial: JSONValue
        do {
            initial = try flow.start(event)
        } catch {
            throw FlowError(.badInput, "flow \(flow.name) cannot start from \(try JSONValueEncoder().encode(event).canonicalString()): \(error)")
        }
        state.flow = FlowProgress(
            flow: flow.name, trigger: try JSONValueEncoder().encode(event), state: initial, firstStage: flow.steps[0].name)
        let lease = try await agents.checkpointer.acquireLease(
            runID: runID, owner: agents.owner, duration: agents.leaseDuration, now: environment.now())
        var session = FlowSession(runner: self, flow: flow, state: state, lease: lease, input: nil)
        session.record(.flowTriggered, [
            "flow": .string(flow.name), "kind": .string(event.kind.rawValue), "topic": event.topic.map(JSONValue.string) ?? .null,
            "id": event.id.map(JSONValue.string) ?? .null, "data": event.data,
        ])
        session.record(.stageEntered, ["stage": .string(flow.steps[0].name), "index": 0])
        return try await RunScope.$current.withValue(RunScope(runID: runID, agent: flow.name)) {
            try await session.commit(.started)
            return try await session.drive()
        }
    }

    func named(_ flow: String) throws -> AnyFlow {
        guard let definition = flows[flow] else {
            throw FlowError(.unknownFlow, "no flow named \(flow); flows: \(flows.keys.sorted().joined(separator: ", "))")
        }
        return definition
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}

/// A flow that cannot be defined, started or resumed.
public struct FlowError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }
        public static let invalidFlow = Code(rawValue: "invalid_flow")
        public static let unknownFlow = Code(rawValue: "unknown_flow")
        public static let notAFlow = Code(rawValue: "not_a_flow")
        public static let badInput = Code(rawValue: "bad_input")
        public static let unknownAgent = Code(rawValue: "unknown_agent")
    }

    public var code: Code
    public var message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { "\(code): \(message)" }
}
