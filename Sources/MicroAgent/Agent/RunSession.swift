import Micro

/// One run being driven by one process: the state, the lease, and the loop.
struct RunSession {
    /// Limits inherited by sub-agents: the deadline and what remains of the token budget.
    struct Budget: Sendable {
        var deadline: Timestamp?
        /// The run timeout the deadline comes from (the top-level run's, for a sub-agent).
        var runTimeout: Duration?
        var tokenLimit: Int?

        init(deadline: Timestamp?, runTimeout: Duration?, tokenLimit: Int?) {
            self.deadline = deadline
            self.runTimeout = runTimeout
            self.tokenLimit = tokenLimit
        }

        init(_ agent: Agent, _ state: RunState) {
            deadline = agent.guardrails.runTimeout.map { state.startedAt.advanced(by: $0) }
            runTimeout = agent.guardrails.runTimeout
            tokenLimit = agent.guardrails.tokenBudget
        }
    }

    /// What a child run inherits from its parent.
    struct Lineage: Sendable {
        var runID: String
        var depth: Int
        var budget: Budget
    }

    /// Separates the parent's name from the services in an ephemeral sub-agent's name.
    static let ephemeralMarker = "~services:"

    let runner: AgentRunner
    let agent: Agent
    let toolset: Toolset
    /// The service tools and the built-ins, sorted by name: what every request offers.
    let toolSpecs: [ToolSpec]
    let delegates: [(name: String, description: String)]
    let budget: Budget
    var state: RunState
    /// The run's lease, shared with its heartbeat (``AgentRunner/heartbeat``).
    let keeper: LeaseKeeper

    private var environment: Environment { runner.runtime.environment }
    private var trace: Trace { runner.trace }

    init(runner: AgentRunner, agent: Agent, state: RunState, lease: Lease, budget: Budget) async throws {
        self.runner = runner
        self.agent = agent
        self.state = state
        self.keeper = LeaseKeeper(lease)
        self.budget = budget
        let toolset = try await runner.runtime.toolset(scope: agent.tools).adding(agent.extraTools)
        let delegates = Self.delegates(of: agent, in: runner)
        self.toolset = toolset
        self.delegates = delegates
        self.toolSpecs = (toolset.specs + BuiltinTool.allCases.map { $0.spec(delegates: delegates) }).sorted { $0.name < $1.name }
    }

    // MARK: The loop

    /// A run cancelled in flight (a server stopping, a task cancelled) gives its lease back, so that the
    /// process that takes the run over need not wait for it to expire; a crash (any other error) keeps it.
    ///
    /// With an ``AgentRunner/heartbeat``, the lease is also renewed on that interval while the loop runs (a long
    /// model or tool call does not let it expire); the renewals stop when the loop ends.
    mutating func drive() async throws -> RunResult {
        guard let interval = runner.heartbeat else { return try await loop() }
        let keeper = keeper, runner = runner
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await keeper.heartbeat(every: interval, runner: runner) }
            defer { group.cancelAll() }
            return try await loop()
        }
    }

    private mutating func loop() async throws -> RunResult {
        do {
            while true {
                switch state.phase {
                case .idle:
                    try await keeper.release(runner.checkpointer)
                    return RunResult(state)
                case .callModel:
                    try await callModel()
                case .runTools:
                    try await runTools()
                }
            }
        } catch let error where error is CancellationError || Task.isCancelled {
            try? await keeper.release(runner.checkpointer)
            throw error
        }
    }

    private mutating func callModel() async throws {
        if let refusal = guardrailBeforeModelCall() {
            return try await fail(refusal)
        }
        let specs = toolSpecs
        var aggressive = false
        var attempt = 1
        var response: ModelResponse
        while true {
            let system = systemPrompt
            let prepared: MemoryPreparation
            do {
                prepared = try await agent.memory.prepare(
                    state: state.memory, system: system, tools: specs, info: agent.model.info, options: agent.options,
                    runID: state.runID, archive: runner.runtime.store, aggressive: aggressive)
            } catch let error as MemoryError {
                return try await fail(RunFailure(code: error.code.rawValue, message: error.description))
            } catch let error as ModelError {
                return try await fail(RunFailure(code: "model_error", message: "summarizing memory failed: \(error)"))
            }
            state.memory = prepared.state
            if let compaction = prepared.compaction {
                // The summarizer's tokens are the run's too: they count toward its usage and token budget.
                state.usage = state.usage + (compaction.summarizationResponse?.usage ?? Usage())
                record(.compaction, compaction.jsonValue)
            }
            if !prepared.recalled.isEmpty {
                record(.recall, ["indices": .array(prepared.recalled.map(JSONValue.integer))])
            }
            let request = ModelRequest(
                model: agent.model.info.name, system: system, messages: prepared.messages, tools: specs,
                options: agent.options, turn: state.step + 1)
            try await commit(.beforeModel(step: state.step + 1))
            record(.modelRequest, request.traceValue(attempt: attempt, estimatedTokens: prepared.estimatedTokens))
            let error: ModelError
            do {
                // The model call's deadline (or the run's, if earlier) cancels a stream still in flight.
                let model = agent.model
                response = try await withDeadline(modelDeadline(), environment: environment) {
                    try await model.respond(to: request)
                }
                break
            } catch let exceeded as DeadlineExceeded {
                record(.deadlineExceeded, ["deadline": exceeded.jsonValue])
                if exceeded.deadline.kind == .run {
                    return try await fail(RunFailure(code: "deadline", message: exceeded.description))
                }
                error = ModelError(.deadlineExceeded, exceeded.description)
            } catch let thrown as ModelError {
                error = thrown
            }
            record(.modelError, error.traceValue(attempt: attempt))
            if error.code == .contextLengthExceeded && !aggressive {
                aggressive = true
                continue
            }
            let retry = agent.guardrails.retry
            guard error.isRetryable, attempt < retry.maxAttempts else {
                return try await fail(RunFailure(code: "model_error", message: error.description))
            }
            let delay = retry.delay(afterAttempt: attempt, retryAfter: error.retryAfter, random: environment.random)
            if let deadline = budget.deadline, environment.now().advanced(by: delay) > deadline {
                return try await fail(RunFailure(
                    code: "deadline",
                    message: "retrying \(error.code) after \(delay) would pass the run's deadline \(deadline)"))
            }
            record(.modelRetry, ["attempt": .integer(attempt + 1), "delayMs": .integer(Int(delay.milliseconds))])
            state.counters.modelRetries += 1
            try await environment.sleep(for: delay)
            attempt += 1
        }
        try await accept(response)
    }

    /// Takes `response` as the answer to the model call of step `state.step + 1`: appends it to memory and
    /// commits, then either completes the run or queues its tool calls (a fork with an edited answer starts here).
    mutating func accept(_ response: ModelResponse) async throws {
        record(.modelResponse, response.traceValue)
        state.step += 1
        state.usage = state.usage + response.usage
        // A call the output token limit cut off stays in the history with empty arguments and is answered
        // with an error the model can act on; it never runs.
        var message = response.message
        for call in response.truncatedToolCalls {
            message.parts.append(.toolCall(ToolCall(id: call.id, name: call.name, arguments: .object([:]))))
        }
        state.memory.messages.append(message)
        let calls = message.toolCalls
        if calls.isEmpty && response.stopReason == .pauseTurn {
            // The provider paused a long turn: the answer goes back as it is and the model goes on.
            state.phase = .callModel
            try await commit(.afterModel(step: state.step))
        } else if calls.isEmpty {
            state.output = response.message.text
            state.status = .completed
            state.phase = .idle
            try await commit(.afterModel(step: state.step))
            record(.completed, ["output": .string(response.message.text)])
            try await commit(.completed)
        } else {
            state.pendingCalls = calls.enumerated().map { index, call in
                PendingCall(index: index, call: call, key: IdempotencyKey(runID: state.runID, step: state.step, callIndex: index))
            }
            for cut in response.truncatedToolCalls {
                guard let index = state.pendingCalls.firstIndex(where: { $0.call.id == cut.id }) else { continue }
                let error = ServiceError(
                    .invalidArguments,
                    "your output hit its token limit while writing the arguments of this \(cut.name) call, so it was not run; "
                        + "they were cut off after \(cut.partialArguments.count) characters (ending \"\(cut.partialArguments.suffix(80))\"). "
                        + "Call it again with shorter arguments, or split the work into smaller calls.")
                state.pendingCalls[index].status = .completed
                state.pendingCalls[index].result = ToolResultPart(
                    callID: cut.id, content: ToolResult.failure(error).content, isError: true)
                record(.toolResult, ["callID": .string(cut.id), "tool": .string(cut.name), "content": ToolResult.failure(error).content, "isError": true])
            }
            state.phase = .runTools
            try await commit(.afterModel(step: state.step))
        }
    }

    private mutating func runTools() async throws {
        // Built-ins and refusals in call order, service tools together in parallel; results commit in call order.
        var parallel: [PendingCall] = []
        for call in state.pendingCalls where call.status != .completed {
            if state.inputRequest?.callID == call.call.id { continue }
            guard try await approvalAllows(call) else { continue }
            if let builtin = BuiltinTool(rawValue: call.call.name) {
                try await runBuiltin(builtin, call)
                if state.status == .waitingForInput { continue }
            } else if let refusal = guardrailBeforeToolCall(call) {
                record(.guardrail, ["callID": .string(call.call.id), "tool": .string(call.call.name), "reason": .string(refusal)])
                try await complete(call, ToolResult.failure(ServiceError(.rejected, "guardrail: \(refusal)")))
            } else {
                try await markStarted(call)
                parallel.append(call)
            }
        }
        if !parallel.isEmpty {
            let results = try await execute(parallel)
            // A call its tool deadline cut is answered with the error (the model goes on); calls the run's
            // deadline cut stay unanswered, and the run ends.
            var runDeadline: String?
            for call in parallel {
                let result = results[call.index]!
                if let cut = result.deadlineCut {
                    record(.deadlineExceeded, ["deadline": cut, "callID": .string(call.call.id), "tool": .string(call.call.name)])
                    if cut["kind"] == "run" {
                        runDeadline = result.content["error"]?["message"]?.stringValue ?? "the run's deadline passed"
                        continue
                    }
                }
                try await complete(call, result)
            }
            if let runDeadline { return try await fail(RunFailure(code: "deadline", message: runDeadline)) }
        }
        if state.status == .waitingForInput {
            try await pause()
            return
        }
        state.memory.messages.append(Message(role: .tool, parts: state.pendingCalls.map { .toolResult($0.result!) }))
        state.pendingCalls = []
        state.phase = .callModel
    }

    /// Commits the pause on the open question (the run is idle until it is answered).
    mutating func pause() async throws {
        state.phase = .idle
        var data: [String: JSONValue] = [
            "prompt": .string(state.inputRequest?.prompt ?? ""), "callID": .string(state.inputRequest?.callID ?? ""),
        ]
        if let approval = state.inputRequest?.approval { data["approval"] = approval.jsonValue }
        record(.paused, .object(data))
        try await commit(.paused)
    }

    private func execute(_ calls: [PendingCall]) async throws -> [Int: ToolResult] {
        let toolset = toolset
        let contexts = calls.map { (index: $0.index, call: $0.call, context: context(for: $0)) }
        if let only = contexts.first, contexts.count == 1 {  // the common case needs no task group
            return [only.index: try await toolset.call(only.call.name, arguments: only.call.arguments, context: only.context)]
        }
        return try await withThrowingTaskGroup(of: (Int, ToolResult).self) { group in
            for item in contexts {
                group.addTask {
                    (item.index, try await toolset.call(item.call.name, arguments: item.call.arguments, context: item.context))
                }
            }
            var results: [Int: ToolResult] = [:]
            for try await (index, result) in group { results[index] = result }
            return results
        }
    }

    private func context(for call: PendingCall) -> CallContext {
        var limit = runDeadline
        if let timeout = agent.guardrails.toolCallTimeout {
            let subject = "tool \(call.call.name) (call \(call.call.id))"
            limit = Deadline.after(timeout, from: environment.now(), .tool, subject: subject).earlier(limit)
        }
        return CallContext(
            runID: state.runID, idempotencyKey: call.key.description, timeLimit: limit, caller: agent.name,
            environment: environment)
    }

    /// The run's deadline, if it has one.
    private var runDeadline: Deadline? {
        budget.deadline.map { Deadline(.run, at: $0, limit: budget.runTimeout, subject: "run \(state.runID)") }
    }

    /// The deadline of a model call starting now: the model call timeout's or the run's, whichever is earlier.
    private func modelDeadline() -> Deadline? {
        guard let timeout = agent.guardrails.modelCallTimeout else { return runDeadline }
        let subject = "model call of step \(state.step + 1)"
        return Deadline.after(timeout, from: environment.now(), .model, subject: subject).earlier(runDeadline)
    }

    private mutating func markStarted(_ call: PendingCall) async throws {
        // A call already started by a process that died is the same call again (same idempotency key): it is
        // another attempt, not another call for the budgets and the identical-call guardrail.
        if state.pendingCalls[call.index].status == .pending {
            state.counters.toolCalls += 1
            state.counters.identicalCalls[call.signature, default: 0] += 1
        }
        state.pendingCalls[call.index].status = .started
        state.pendingCalls[call.index].attempts += 1
        try await commit(.beforeTool(step: state.step, index: call.index))
        record(
            .toolCall,
            ["callID": .string(call.call.id), "tool": .string(call.call.name), "arguments": call.call.arguments,
             "idempotencyKey": .string(call.key.description), "attempt": .integer(state.pendingCalls[call.index].attempts)])
    }

    mutating func complete(_ call: PendingCall, _ result: ToolResult) async throws {
        let part = ToolResultPart(callID: call.call.id, content: result.content, isError: result.isError)
        state.pendingCalls[call.index].status = .completed
        state.pendingCalls[call.index].result = part
        record(
            .toolResult,
            ["callID": .string(call.call.id), "tool": .string(call.call.name), "content": result.content,
             "isError": .bool(result.isError)])
        try await commit(.afterTool(step: state.step, index: call.index))
    }

    // MARK: Built-in tools

    private mutating func runBuiltin(_ builtin: BuiltinTool, _ call: PendingCall) async throws {
        let schema = toolSpecs.first { $0.name == builtin.rawValue }!.inputSchema
        let violations = schema.validate(call.call.arguments)
        guard violations.isEmpty else {
            try await markStarted(call)
            return try await complete(call, .failure(ServiceError(
                .invalidArguments,
                "arguments of \(builtin.rawValue) do not match its schema: " + violations.map(\.description).joined(separator: "; "))))
        }
        switch builtin {
        case .plan:
            try await markStarted(call)
            let arguments = try JSONValueDecoder().decode(BuiltinTool.PlanArguments.self, from: call.call.arguments)
            let plan = Plan(steps: arguments.steps.map { Plan.Step(title: $0.title, status: $0.status ?? .pending) })
            state.plan = plan
            record(.planUpdated, ["plan": try JSONValueEncoder().encode(plan)])
            try await complete(call, ToolResult(content: ["plan": .string(plan.rendered)]))
        case .requestInput:
            let arguments = try JSONValueDecoder().decode(BuiltinTool.RequestInputArguments.self, from: call.call.arguments)
            if state.pendingCalls[call.index].status == .pending { try await markStarted(call) }
            state.inputRequest = InputRequest(callID: call.call.id, prompt: arguments.prompt)
            state.status = .waitingForInput
        case .delegate:
            let arguments = try JSONValueDecoder().decode(BuiltinTool.DelegateArguments.self, from: call.call.arguments)
            try await markStarted(call)
            try await delegate(arguments, call)
        }
    }

    private mutating func delegate(_ arguments: BuiltinTool.DelegateArguments, _ call: PendingCall) async throws {
        let childRunID = "\(state.runID)-s\(state.step)c\(call.index)"
        if let name = arguments.agent, let remote = runner.remoteAgents[name] {
            record(.delegation, ["to": .string(name), "remote": true, "task": .string(arguments.task), "depth": .integer(state.depth + 1)])
            do {
                let answer = try await remote.send(task: arguments.task, context: context(for: call))
                record(.delegationResult, ["to": .string(name), "output": .string(answer)])
                return try await complete(call, ToolResult(content: ["output": .string(answer)]))
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                return try await complete(call, .failure(ServiceError(.unavailable, "remote agent \(name) failed: \(error)")))
            }
        }
        let child: Agent
        if let name = arguments.agent {
            guard let named = runner.agents[name] else {
                let known = delegates.map(\.name).joined(separator: ", ")
                return try await complete(call, .failure(ServiceError(.notFound, "no agent named \(name); available: \(known)")))
            }
            child = named
        } else if let services = arguments.services {
            child = Self.ephemeral(parent: agent, services: services)
        } else {
            return try await complete(call, .failure(ServiceError(
                .invalidArguments, "delegate needs an agent name or the services for a fresh sub-agent")))
        }
        guard state.depth + 1 <= agent.guardrails.maxDelegationDepth else {
            let reason = "delegation depth \(state.depth + 1) exceeds the limit of \(agent.guardrails.maxDelegationDepth)"
            record(.guardrail, ["callID": .string(call.call.id), "tool": "delegate", "reason": .string(reason)])
            return try await complete(call, .failure(ServiceError(.rejected, "guardrail: \(reason)")))
        }
        record(.delegation, [
            "to": .string(child.name), "childRunID": .string(childRunID), "task": .string(arguments.task),
            "depth": .integer(state.depth + 1),
        ])
        if !state.children.contains(where: { $0.runID == childRunID }) {
            state.children.append(ChildRun(runID: childRunID, agent: child.name, callID: call.call.id, status: .running))
        }
        let inherited = Budget(
            deadline: budget.deadline, runTimeout: budget.runTimeout, tokenLimit: budget.tokenLimit.map { max(0, $0 - state.usage.totalTokens) })
        let result: RunResult
        if try await runner.checkpointer.latest(runID: childRunID) != nil {
            result = try await runner.resume(runID: childRunID, input: nil, parentBudget: inherited)
        } else {
            result = try await runner.start(
                agent: child, input: arguments.task, runID: childRunID,
                parent: Lineage(runID: state.runID, depth: state.depth, budget: inherited))
        }
        try await childFinished(result, call: call, agentName: child.name)
    }

    /// Records a child's outcome: its answer (or failure) becomes the `delegate` result; a child waiting for
    /// input pauses this run with the child's question.
    private mutating func childFinished(_ result: RunResult, call: PendingCall, agentName: String) async throws {
        if let index = state.children.firstIndex(where: { $0.runID == result.runID }) {
            state.children[index].status = result.status
        }
        switch result.status {
        case .waitingForInput:
            state.inputRequest = InputRequest(
                callID: call.call.id, prompt: result.inputRequest?.prompt ?? "", childRunID: result.runID)
            state.status = .waitingForInput
        case .completed:
            state.usage = state.usage + result.usage
            record(.delegationResult, ["to": .string(agentName), "childRunID": .string(result.runID), "output": .string(result.output ?? "")])
            try await complete(call, ToolResult(content: ["output": .string(result.output ?? "")]))
        default:
            state.usage = state.usage + result.usage
            let failure = result.failure?.description ?? result.status.rawValue
            record(.delegationResult, ["to": .string(agentName), "childRunID": .string(result.runID), "failure": .string(failure)])
            try await complete(call, .failure(ServiceError(.handlerFailed, "sub-agent \(agentName) did not finish: \(failure)")))
        }
    }

    /// Answers the pending question and marks the run running again.
    mutating func answer(_ input: String) async throws {
        guard let request = state.inputRequest,
            let call = state.pendingCalls.first(where: { $0.call.id == request.callID })
        else {
            throw AgentError(.notWaiting, "run \(state.runID) has no open question")
        }
        // The answer is committed in the same checkpoint that clears the question, so a crash in between
        // leaves the run asking (and answered again), never running without the answer.
        if let approval = request.approval {
            try await answer(approval, call: call, input: input)
        } else if let childRunID = request.childRunID {
            // The child takes the answer first; if it already did before a crash, it just goes on.
            let childWaits = try await runner.checkpointer.latest(runID: childRunID)?.state.status == .waitingForInput
            let result = try await runner.resume(runID: childRunID, input: childWaits ? .some(input) : nil, parentBudget: budget)
            state.inputRequest = nil
            state.status = .running
            state.phase = .runTools
            try await childFinished(result, call: call, agentName: state.children.first { $0.runID == childRunID }?.agent ?? "")
        } else {
            state.inputRequest = nil
            state.status = .running
            state.phase = .runTools
            try await complete(call, ToolResult(content: ["input": .string(input)]))
        }
    }

    static func ephemeral(parent: Agent, services: [String]) -> Agent {
        var child = parent
        child.name = parent.name + ephemeralMarker + services.sorted().joined(separator: ",")
        child.description = "a sub-agent with the tools of \(services.joined(separator: ", "))"
        child.instructions = "You are a focused sub-agent. Complete the task you are given with your tools and "
            + "answer with the result only."
        child.tools = .services(services)
        child.extraTools = []
        return child
    }

    // MARK: Guardrails

    private func guardrailBeforeModelCall() -> RunFailure? {
        let now = environment.now()
        if let deadline = budget.deadline, now >= deadline {
            return RunFailure(code: "deadline", message: "the run's deadline \(deadline) was reached (now \(now))")
        }
        if state.step >= agent.guardrails.maxSteps {
            return RunFailure(code: "max_steps", message: "the run made \(state.step) model calls, the limit is \(agent.guardrails.maxSteps)")
        }
        if let limit = budget.tokenLimit, state.usage.totalTokens >= limit {
            return RunFailure(code: "token_budget", message: "the run spent \(state.usage.totalTokens) tokens, the budget is \(limit)")
        }
        return nil
    }

    private func guardrailBeforeToolCall(_ call: PendingCall) -> String? {
        if let deadline = budget.deadline, environment.now() >= deadline {
            return "the run's deadline \(deadline) was reached"
        }
        let repeats = state.counters.identicalCalls[call.signature, default: 0]
        if call.status == .pending && repeats >= agent.guardrails.maxIdenticalCalls {
            return "\(call.call.name) was already called \(repeats) times with these arguments; try something else"
        }
        return nil
    }

    private mutating func fail(_ failure: RunFailure) async throws {
        state.status = .failed
        state.failure = failure
        state.phase = .idle
        record(.failed, ["code": .string(failure.code), "message": .string(failure.message)])
        try await commit(.failed)
    }

    // MARK: Checkpoints and trace

    /// Commits the state at `juncture` under this session's lease (renewed when half of it has passed).
    mutating func commit(_ juncture: Juncture) async throws {
        let now = environment.now()
        state.checkpointCount += 1
        let checkpoint = Checkpoint(runID: state.runID, sequence: state.checkpointCount, juncture: juncture, state: state, at: now)
        let runner = runner
        try await keeper.exclusive { lease in
            if now.duration(since: lease.expiresAt) > .zero - runner.leaseDuration / 2 {
                lease = try await runner.checkpointer.acquireLease(
                    runID: checkpoint.runID, owner: runner.owner, duration: runner.leaseDuration, now: now)
            }
            try await runner.checkpointer.commit(checkpoint, lease: lease)
        }
        record(.checkpoint, ["juncture": .string(juncture.description), "sequence": .integer(checkpoint.sequence)])
        try await runner.onCheckpoint?(checkpoint)
    }

    func record(_ kind: TraceEvent.Kind, _ data: JSONValue) {
        trace.append(kind, runID: state.runID, agent: agent.name, step: state.step, at: environment.now(), data: data)
    }

    /// The agents `delegate` can reach from `agent`: every other local agent and every remote one.
    private static func delegates(of agent: Agent, in runner: AgentRunner) -> [(name: String, description: String)] {
        (runner.agents.values.filter { $0.name != agent.name }.map { ($0.name, $0.description) }
            + runner.remoteAgents.values.map { ($0.name, $0.description) })
            .sorted { $0.name < $1.name }
    }

    private var systemPrompt: String {
        guard let plan = state.plan, !plan.steps.isEmpty else { return agent.instructions }
        return agent.instructions + "\n\nCurrent plan:\n" + plan.rendered
    }
}

extension ToolResult {
    /// The deadline that cut the call (`details.deadline` of a `deadline_exceeded` error), or nil.
    var deadlineCut: JSONValue? {
        guard isError, let error = content["error"], error["code"] == "deadline_exceeded" else { return nil }
        return error["details"]?["deadline"]
    }
}

extension PendingCall {
    /// Identifies identical calls: the tool name and its canonical arguments.
    var signature: String { call.name + " " + call.arguments.canonicalString() }
}

extension ModelRequest {
    /// The request in the trace: what changed at this step (the last message), not the whole history, so
    /// the trace grows linearly with the run; the full history is in the checkpoints.
    func traceValue(attempt: Int, estimatedTokens: Int) -> JSONValue {
        [
            "model": .string(model), "system": system.map(JSONValue.string) ?? .null,
            "messageCount": .integer(messages.count), "lastMessage": messages.last?.jsonValue ?? .null,
            "estimatedTokens": .integer(estimatedTokens), "tools": .array(tools.map { .string($0.name) }),
            "attempt": .integer(attempt),
        ]
    }
}

extension ModelResponse {
    var traceValue: JSONValue {
        var value: [String: JSONValue] = [
            "message": message.jsonValue, "stopReason": .string(stopReason.rawValue),
            "usage": usage.jsonValue,
        ]
        if let stopDetails { value["stopDetails"] = stopDetails }
        if !truncatedToolCalls.isEmpty {
            value["truncatedToolCalls"] = .array(truncatedToolCalls.map {
                ["id": .string($0.id), "name": .string($0.name), "partialArguments": .string($0.partialArguments)]
            })
        }
        return .object(value)
    }
}

extension ModelError {
    func traceValue(attempt: Int) -> JSONValue {
        [
            "code": .string(code.rawValue), "message": .string(message), "status": status.map(JSONValue.integer) ?? .null,
            "retryAfterMs": retryAfter.map { .integer(Int($0.milliseconds)) } ?? .null, "attempt": .integer(attempt),
        ]
    }
}
