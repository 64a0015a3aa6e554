import Micro

/// One flow run being driven by one process: the state, the lease, and the stage machine.
///
/// A stage runs its action for the current iteration and attempt (phase `run`), has the output graded
/// (`verify`), accepts it and asks the loop's condition (`judge`), then completes. Checkpoints: `started`;
/// `stage:S:output` after an action whose output awaits a verifier or a judge; `stage:S:rejected` (next attempt,
/// with feedback); `stage:S:retry` (after an error); `stage:S:iteration` (next loop iteration);
/// `stage:S:paused` (a child asks a question); `stage:S:completed`; then `completed` or `failed`.
struct FlowSession {
    let runner: FlowRunner
    let flow: AnyFlow
    var state: RunState
    var lease: Lease
    /// An answer to hand the child that asked for it.
    var input: String?

    init(runner: FlowRunner, flow: AnyFlow, state: RunState, lease: Lease, input: String?) {
        self.runner = runner
        self.flow = flow
        self.state = state
        self.lease = lease
        self.input = input
    }

    private var environment: Environment { runner.runtime.environment }
    private var progress: FlowProgress {
        get { state.flow! }
        set { state.flow = newValue }
    }
    private var checkpointer: any Checkpointer { runner.agents.checkpointer }

    mutating func drive() async throws -> RunResult {
        do {
            while state.status == .running {
                guard progress.stageIndex < flow.steps.count else {
                    try await finish()
                    break
                }
                let step = flow.steps[progress.stageIndex]
                switch progress.phase {
                case .run: try await runAction(step)
                case .verify: try await verify(step)
                case .judge: try await judge(step)
                }
            }
            try await checkpointer.releaseLease(lease)
            return RunResult(state)
        } catch let error where error is CancellationError || Task.isCancelled {
            try? await checkpointer.releaseLease(lease)
            throw error
        }
    }

    // MARK: Stage phases

    private mutating func runAction(_ step: AnyFlow.Step) async throws {
        let event = (try? JSONValueDecoder().decode(FlowEvent.self, from: progress.trigger)) ?? FlowEvent(kind: .direct, data: .null)
        var candidate = progress.state
        let output: String
        do {
            switch step.action {
            case .code(let body):
                let context = FlowStepContext(
                    runID: state.runID, flow: flow.name, progress: progress, event: event, runtime: runner.runtime,
                    trace: runner.trace)
                output = try await Self.guarded { try await body(&candidate, context) }
            case .model(let instructions, let model, let tools, let prompt):
                let task = try await Self.guarded { [candidate] in withFeedback(try prompt(candidate)) }
                let offset = progress.modelCalls[step.name, default: 0]
                let agent = Agent(
                    name: "\(flow.name).\(step.name)", instructions: instructions, model: TurnOffsetModel(model, offset: offset),
                    tools: tools, approval: flow.approval)
                guard let answer = try await child(agent, role: nil, task: task) else { return }
                output = answer
            case .agent(let name, let prompt):
                let task = try await Self.guarded { [candidate] in withFeedback(try prompt(candidate)) }
                if var agent = runner.agents.agents[name] {
                    // The flow's approval policy, when it has one, governs the tools of the agents it runs.
                    if !flow.approval.allowsEverything { agent.approval = flow.approval }
                    guard let answer = try await child(agent, role: nil, task: task) else { return }
                    output = answer
                } else if let remote = runner.agents.remoteAgents[name] {
                    let context = CallContext(
                        runID: state.runID, idempotencyKey: progress.key(runID: state.runID), caller: "\(flow.name).\(step.name)",
                        environment: environment)
                    output = try await Self.guarded { try await remote.send(task: task, context: context) }
                } else {
                    throw StepFailure(description: "no local or remote agent named \(name)")
                }
            }
            if let apply = step.apply { try await Self.guarded { try apply(&candidate, output) } }
        } catch let failure as StepFailure {
            return try await stepFailed(step, failure.description)
        }
        progress.candidate = candidate
        progress.output = output
        if step.verifier != nil {
            progress.phase = .verify
            try await commit(.stage(step.name, "output"))
        } else if step.loop != nil {
            accept()
            progress.phase = .judge
            try await commit(.stage(step.name, "output"))
        } else {
            accept()
            try await completeStage(step)
        }
    }

    private mutating func verify(_ step: AnyFlow.Step) async throws {
        guard let verifier = step.verifier, let candidate = progress.candidate else { return try await restartAttempt() }
        let output = progress.output ?? ""
        let verdict: FlowVerdict
        let grader: String
        switch verifier.grader {
        case .code(let grade):
            grader = "code"
            do {
                verdict = try grade(candidate, output)
            } catch {
                return try await fail(RunFailure(code: "verifier_error", message: "the verifier of \(step.name) threw: \(error)"))
            }
        case .model(let instructions, let model):
            grader = "model"
            let role = "grader"
            let agent = Agent(
                name: "\(flow.name).\(step.name).\(role)", instructions: instructions,
                model: TurnOffsetModel(model, offset: progress.modelCalls["\(step.name).\(role)", default: 0]), tools: .services([]))
            let task = "Grade this output. Answer PASS if it is acceptable, else FAIL: and what to change.\n\n\(output)"
            guard let answer = try await child(agent, role: role, task: task) else { return }
            verdict = Self.verdict(answer)
        }
        record(.verification, [
            "stage": .string(step.name), "iteration": .integer(progress.iteration), "attempt": .integer(progress.attempt),
            "passed": .bool(verdict.passed), "feedback": verdict.feedback.map(JSONValue.string) ?? .null, "grader": .string(grader),
        ])
        if verdict.passed {
            accept()
            if step.loop != nil {
                progress.phase = .judge
                return try await commit(.stage(step.name, "verified"))
            }
            return try await completeStage(step)
        }
        guard progress.attempt < verifier.attempts else {
            return try await fail(RunFailure(
                code: "verification_failed",
                message: "\(step.name): \(verifier.attempts) attempts rejected; last feedback: \(verdict.feedback ?? "none")"))
        }
        progress.attempt += 1
        progress.retry = 1
        progress.feedback = verdict.feedback ?? "rejected"
        progress.candidate = nil
        progress.output = nil
        progress.phase = .run
        try await commit(.stage(step.name, "rejected"))
    }

    private mutating func judge(_ step: AnyFlow.Step) async throws {
        guard let loop = step.loop else { return try await completeStage(step) }
        let output = progress.lastOutput ?? ""
        let done: Bool
        let judge: String
        switch loop.until {
        case .code(let until):
            judge = "code"
            do {
                done = try until(progress.state, output)
            } catch {
                return try await fail(RunFailure(code: "loop_error", message: "the loop condition of \(step.name) threw: \(error)"))
            }
        case .model(let instructions, let model):
            judge = "model"
            let role = "judge"
            let agent = Agent(
                name: "\(flow.name).\(step.name).\(role)", instructions: instructions,
                model: TurnOffsetModel(model, offset: progress.modelCalls["\(step.name).\(role)", default: 0]), tools: .services([]))
            let task = "Is the work done? Answer DONE if it is, else CONTINUE and why.\n\n\(output)"
            guard let answer = try await child(agent, role: role, task: task) else { return }
            done = Self.isDone(answer)
        }
        let capped = !done && progress.iteration >= loop.max
        record(.loopIteration, [
            "stage": .string(step.name), "iteration": .integer(progress.iteration), "done": .bool(done), "capped": .bool(capped),
            "judge": .string(judge),
        ])
        if done || capped { return try await completeStage(step) }
        progress.iteration += 1
        progress.attempt = 1
        progress.retry = 1
        progress.feedback = nil
        progress.phase = .run
        try await commit(.stage(step.name, "iteration"))
    }

    // MARK: Transitions

    /// The attempt's candidate state and output become the flow's.
    private mutating func accept() {
        if let candidate = progress.candidate { progress.state = candidate }
        progress.lastOutput = progress.output
        progress.candidate = nil
        progress.output = nil
    }

    private mutating func restartAttempt() async throws {
        progress.phase = .run
    }

    private mutating func completeStage(_ step: AnyFlow.Step) async throws {
        record(.stageCompleted, [
            "stage": .string(step.name), "index": .integer(progress.stageIndex), "iterations": .integer(progress.iteration),
            "attempts": .integer(progress.attempt),
        ])
        progress.completed.append(step.name)
        progress.stageIndex += 1
        let next = progress.stageIndex < flow.steps.count ? flow.steps[progress.stageIndex].name : ""
        progress.stage = next
        progress.phase = .run
        progress.iteration = 1
        progress.attempt = 1
        progress.retry = 1
        progress.feedback = nil
        if !next.isEmpty { record(.stageEntered, ["stage": .string(next), "index": .integer(progress.stageIndex)]) }
        try await commit(.stage(step.name, "completed"))
    }

    private mutating func stepFailed(_ step: AnyFlow.Step, _ error: String) async throws {
        record(.error, ["stage": .string(step.name), "attempt": .integer(progress.attempt), "retry": .integer(progress.retry), "error": .string(error)])
        guard progress.retry < step.retry.maxAttempts else {
            return try await fail(RunFailure(
                code: "step_failed", message: "\(step.name) failed after \(progress.retry) tries: \(error)"))
        }
        let delay = step.retry.delay(afterAttempt: progress.retry, retryAfter: nil, random: environment.random)
        progress.retry += 1
        record(.stageRetry, [
            "stage": .string(step.name), "iteration": .integer(progress.iteration), "attempt": .integer(progress.attempt),
            "retry": .integer(progress.retry), "error": .string(error), "delayMs": .integer(Int(delay.milliseconds)),
        ])
        try await environment.sleep(for: delay)
        try await commit(.stage(step.name, "retry"))
    }

    private mutating func finish() async throws {
        state.status = .completed
        state.output = (try? flow.output(progress.state)) ?? progress.lastOutput
        record(.completed, ["output": state.output.map(JSONValue.string) ?? .null, "stages": .array(progress.completed.map(JSONValue.string))])
        try await commit(.completed)
    }

    private mutating func fail(_ failure: RunFailure) async throws {
        state.status = .failed
        state.failure = failure
        record(.failed, ["code": .string(failure.code), "message": .string(failure.message), "stage": .string(progress.stage)])
        try await commit(.failed)
    }

    // MARK: Child runs

    /// Runs (or resumes, or reads the end of) the child agent run of the current attempt. Returns its answer;
    /// nil when the flow paused because the child asks a question. A failed child is a ``StepFailure``.
    private mutating func child(_ agent: Agent, role: String?, task: String) async throws -> String? {
        let stage = progress.stage
        var childID = "\(state.runID)/\(stage)/\(progress.iteration).\(progress.attempt)"
        if progress.retry > 1 { childID += "r\(progress.retry)" }
        if let role { childID += "/\(role)" }
        let agents = runner.agents.adding(agent)
        let result: RunResult
        if let existing = try await checkpointer.latest(runID: childID) {
            if existing.state.status == .waitingForInput, let answer = input {
                input = nil
                result = try await agents.resume(runID: childID, input: answer)
            } else {
                result = try await agents.resume(runID: childID)
            }
        } else {
            let lineage = RunSession.Lineage(
                runID: state.runID, depth: 0,
                budget: .init(deadline: nil, runTimeout: nil, tokenLimit: agent.guardrails.tokenBudget))
            result = try await agents.start(agent: agent, input: task, runID: childID, parent: lineage)
        }
        switch result.status {
        case .completed:
            let key = role.map { "\(stage).\($0)" } ?? stage
            progress.modelCalls[key, default: 0] += result.steps
            state.usage = state.usage + result.usage
            return result.output ?? ""
        case .waitingForInput:
            let request = result.inputRequest
            state.status = .waitingForInput
            state.inputRequest = InputRequest(
                callID: request?.callID ?? "", prompt: request?.prompt ?? "", childRunID: childID, approval: request?.approval)
            record(.paused, ["stage": .string(stage), "child": .string(childID), "prompt": .string(request?.prompt ?? "")])
            try await commit(.stage(stage, "paused"))
            return nil
        case .failed, .cancelled, .running:
            let key = role.map { "\(stage).\($0)" } ?? stage
            progress.modelCalls[key, default: 0] += result.steps
            throw StepFailure(description: "child run \(childID) \(result.status.rawValue): \(result.failure?.description ?? "no answer")")
        }
    }

    /// Runs the step's own code: what it throws is a ``StepFailure`` (retried), except cancellation.
    static func guarded<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error where error is CancellationError || Task.isCancelled {
            throw error
        } catch let failure as StepFailure {
            throw failure
        } catch {
            throw StepFailure(description: "\(error)")
        }
    }

    private func withFeedback(_ prompt: String) -> String {
        guard let feedback = progress.feedback else { return prompt }
        return prompt + "\n\nA previous attempt was rejected (attempt \(progress.attempt - 1)). Feedback: \(feedback)"
    }

    static func verdict(_ answer: String) -> FlowVerdict {
        let text = answer.trimmingCharacters(in: .whitespacesAndNewlines)
        let upper = text.uppercased()
        if upper.hasPrefix("PASS") { return .pass }
        var feedback = Substring(text)
        for prefix in ["FAIL:", "FAIL", "REJECT:", "REJECT"] where upper.hasPrefix(prefix) {
            feedback = feedback.dropFirst(prefix.count)
            break
        }
        let trimmed = feedback.trimmingCharacters(in: .whitespacesAndNewlines)
        return .reject(trimmed.isEmpty ? text : trimmed)
    }

    static func isDone(_ answer: String) -> Bool {
        let upper = answer.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        return upper.hasPrefix("DONE") || upper.hasPrefix("YES")
    }

    // MARK: Checkpoints and trace

    mutating func commit(_ juncture: Juncture) async throws {
        let now = environment.now()
        if now.duration(since: lease.expiresAt) > .zero - runner.agents.leaseDuration / 2 {
            lease = try await checkpointer.acquireLease(
                runID: state.runID, owner: runner.agents.owner, duration: runner.agents.leaseDuration, now: now)
        }
        state.checkpointCount += 1
        state.step = progress.stageIndex
        let checkpoint = Checkpoint(runID: state.runID, sequence: state.checkpointCount, juncture: juncture, state: state, at: now)
        try await checkpointer.commit(checkpoint, lease: lease)
        record(.checkpoint, ["juncture": .string(juncture.description), "sequence": .integer(checkpoint.sequence)])
        try await runner.agents.onCheckpoint?(checkpoint)
    }

    func record(_ kind: TraceEvent.Kind, _ data: JSONValue) {
        runner.trace.append(kind, runID: state.runID, agent: flow.name, step: state.flow?.stageIndex ?? 0, at: environment.now(), data: data)
    }
}

/// A step that failed (its child run failed): retried under the step's policy.
struct StepFailure: Error, CustomStringConvertible {
    var description: String
}

