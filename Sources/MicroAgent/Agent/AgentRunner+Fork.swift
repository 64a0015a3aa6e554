import Micro

extension AgentRunner {
    /// Starts a new run from checkpoint `sequence` of `runID` with `edit` applied there, and drives it until it
    /// completes, fails or pauses. The parent run is only read, never written.
    ///
    /// Everything before the checkpoint is taken from the parent's committed state, never executed again: the
    /// conversation, the plan, the counters, and the tool calls of the current step. Those calls keep the
    /// parent's idempotency keys and results: a call completed at the checkpoint is not called again; a call the
    /// parent had started takes the result the parent committed for it later, and only if the parent never
    /// committed one (it crashed in between) is it called again, with the parent's key, so a service that
    /// deduplicates on the key does not repeat the effect. Calls that had not started get keys of the fork
    /// (`fork/step/call`), as do all later calls: they are the fork's own effects.
    ///
    /// The fork's state records its origin (``RunState/fork``) in every checkpoint, and its trace starts with a
    /// ``TraceEvent/Kind/forked`` event. Throws ``ForkError`` when the checkpoint or the edit does not fit.
    ///
    /// - Parameters:
    ///   - runID: the parent run.
    ///   - sequence: the parent's checkpoint (see ``Checkpointer/history(runID:)``).
    ///   - edit: what to change there.
    ///   - newRunID: the fork's run id (default: a new id from the environment).
    public func fork(runID: String, at sequence: Int, edit: ForkEdit = .none, newRunID: String? = nil) async throws -> RunResult {
        let history = try await checkpointer.history(runID: runID)
        func refuse(_ code: ForkError.Code, _ message: String) -> ForkError {
            ForkError(code, message, runID: runID, sequence: sequence)
        }
        guard let last = history.last else { throw refuse(.unknownRun, "no run \(runID) in the checkpointer") }
        guard let checkpoint = history.first(where: { $0.sequence == sequence }) else {
            throw refuse(.unknownCheckpoint, "the run's checkpoints are 1…\(last.sequence)")
        }
        var state = try Self.forkBase(checkpoint, history: history, edit: edit, refuse: refuse)
        guard let agent = agents[state.agent] ?? ephemeralAgent(for: state) else {
            throw AgentError(.unknownAgent, "run \(runID) belongs to agent \(state.agent), which this runner does not have")
        }
        let environment = runtime.environment
        let forkID = newRunID ?? environment.ids.next("run")
        if let existing = try await checkpointer.latest(runID: forkID) {
            throw AgentError(.runExists, "run \(forkID) already exists (\(existing.state.status.rawValue) at \(existing.juncture))")
        }
        // The fork is a run of its own: new id, no delegation parent, its own clock; not-yet-started calls are its own.
        state.runID = forkID
        state.parentRunID = nil
        state.startedAt = environment.now()
        state.checkpointCount = 0
        state.fork = ForkOrigin(runID: runID, sequence: sequence, juncture: checkpoint.juncture, edit: edit.summary)
        for index in state.pendingCalls.indices where state.pendingCalls[index].status == .pending {
            let key = state.pendingCalls[index].key
            state.pendingCalls[index].key = IdempotencyKey(runID: forkID, step: key.step, callIndex: key.callIndex)
        }
        let lease = try await checkpointer.acquireLease(runID: forkID, owner: owner, duration: leaseDuration, now: environment.now())
        var session = try await RunSession(runner: self, agent: agent, state: state, lease: lease, budget: .init(agent, state))
        trace.append(
            .forked, runID: forkID, agent: agent.name, step: state.step, at: environment.now(),
            data: ["parent": .string(runID), "sequence": .integer(sequence), "juncture": .string(checkpoint.juncture.description),
                   "edit": .string(edit.summary)])
        return try await RunScope.$current.withValue(RunScope(runID: forkID, agent: agent.name)) {
            try await session.commit(.started)
            switch edit {
            case .none:
                break
            case .modelAnswer(let message):
                try await session.accept(ModelResponse(
                    message: Message(role: .assistant, parts: message.parts), usage: Usage(),
                    stopReason: message.toolCalls.isEmpty ? .endTurn : .toolUse))
            case .toolResult(let callID, let content, let isError):
                guard let call = session.state.pendingCalls.first(where: { $0.call.id == callID }) else {
                    throw ForkError(.editNotApplicable, "no pending call \(callID)", runID: runID, sequence: sequence)
                }
                try await session.complete(call, ToolResult(content: content, isError: isError))
            case .input(let text):
                try await session.answer(text)
            }
            return try await session.drive()
        }
    }

    /// The parent's state the fork starts from, checked against `edit`.
    private static func forkBase(
        _ checkpoint: Checkpoint, history: [Checkpoint], edit: ForkEdit, refuse: (ForkError.Code, String) -> ForkError
    ) throws(ForkError) -> RunState {
        var state = checkpoint.state
        let at = "it is \(checkpoint.juncture)"
        switch edit {
        case .modelAnswer:
            // The answer replaces step N's: start from the state just before that model call.
            let step: Int
            switch checkpoint.juncture {
            case .beforeModel(let s), .afterModel(let s): step = s
            default: throw refuse(.editNotApplicable, "\(at); a model answer applies at a before_model or after_model checkpoint")
            }
            guard let before = history.last(where: { $0.sequence <= checkpoint.sequence && $0.juncture == .beforeModel(step: step) })
            else { throw refuse(.editNotApplicable, "the run has no before_model:\(step) checkpoint to answer") }
            state = before.state
        case .toolResult(let callID, _, _):
            guard state.status == .running, state.pendingCalls.contains(where: { $0.call.id == callID }) else {
                let calls = state.pendingCalls.map(\.call.id)
                throw refuse(
                    .editNotApplicable,
                    "\(at) and has no pending call \(callID)" + (calls.isEmpty ? "" : "; its calls: \(calls.joined(separator: ", "))"))
            }
        case .input:
            guard state.status == .waitingForInput, let request = state.inputRequest else {
                throw refuse(.editNotApplicable, "\(at); the run does not wait for input there (it is \(state.status.rawValue))")
            }
            if let child = request.childRunID {
                throw refuse(.unsupported, "the question comes from the sub-agent run \(child), which belongs to the parent; fork that run instead")
            }
        case .none:
            guard !state.isFinished else {
                throw refuse(.editNotApplicable, "\(at); the run is \(state.status.rawValue) there, so a fork without an edit has nothing to do")
            }
        }
        // A call started before the checkpoint whose result the parent committed later is taken from the record.
        for index in state.pendingCalls.indices where state.pendingCalls[index].status == .started {
            let key = state.pendingCalls[index].key
            let later = history.lazy.filter { $0.sequence > checkpoint.sequence }
                .compactMap { $0.state.pendingCalls.first { $0.key == key && $0.status == .completed } }.first
            if let later, later.result != nil {
                state.pendingCalls[index].status = .completed
                state.pendingCalls[index].result = later.result
            }
        }
        if let delegation = state.pendingCalls.first(where: { $0.call.name == BuiltinTool.delegate.rawValue && $0.status == .started }) {
            throw refuse(
                .unsupported,
                "the delegate call \(delegation.call.id) has started a sub-agent run of the parent without a result; fork before it starts or after it completes")
        }
        return state
    }
}
