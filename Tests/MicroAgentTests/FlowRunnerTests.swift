import Micro
import MicroAgent
import Synchronization
import Testing

/// Flows: stages over a typed state, retries, verifiers with feedback, bounded loops, model and agent steps,
/// approval, triggers, and resuming at the stage after a crash with every side effect once.
@Suite struct FlowRunnerTests {
    struct Order: Codable, Sendable, Hashable {
        var order: Int
        var notes: [String] = []
        var drafts: [String] = []
        var total = 0
    }

    static func start(_ event: FlowEvent) throws -> Order {
        Order(order: event.data["order"]?.intValue ?? 0)
    }

    static func note(_ name: String) -> FlowStep<Order> {
        FlowStep(name, .code { state, _ in
            state.notes.append(name)
            return name
        })
    }

    /// A step that charges the order through the payments service, keyed by the attempt.
    static func charge(idempotent: Bool = true) -> FlowStep<Order> {
        FlowStep("charge", .code { state, context in
            if idempotent {
                _ = try await context.call(
                    "payments", "charge", request: ["amountCents": .integer(state.order * 100), "currency": "EUR", "reference": "order"])
            } else {
                try await SideEffectLedger(store: context.runtime.store).append(
                    key: context.idempotencyKey, kind: "notify", payload: ["order": .integer(state.order)], at: context.runtime.environment.now())
            }
            state.total = state.order * 100
            return "charged"
        })
    }

    static func flows(_ runner: AgentRunner, _ flows: Flow<Order>...) throws -> FlowRunner {
        try FlowRunner(agents: runner, flows: flows.map(AnyFlow.init))
    }

    // MARK: Stages

    @Test func stagesRunInOrderWithACheckpointAtEachBoundary() async throws {
        let world = try await AgentWorld()
        let trace = Trace()
        let agents = AgentRunner(runtime: world.runtime, checkpointer: world.checkpointer, agents: [], trace: trace, owner: "t")
        let flows = try Self.flows(agents, Flow(name: "f", start: Self.start, steps: [Self.note("a"), Self.note("b"), Self.charge()]))
        let result = try await flows.run("f", input: ["order": 7], runID: "r")
        #expect(result.status == .completed)
        #expect(result.output == "charged")
        #expect(trace.junctures("r") == ["started", "stage:a:completed", "stage:b:completed", "stage:charge:completed", "completed"])
        let entered = trace.events(.stageEntered).compactMap { $0.data["stage"]?.stringValue }
        #expect(entered == ["a", "b", "charge"])
        let last = try #require(try await world.checkpointer.latest(runID: "r"))
        let progress = try #require(last.state.flow)
        #expect(progress.completed == ["a", "b", "charge"])
        #expect(try JSONValueDecoder().decode(Order.self, from: progress.state) == Order(order: 7, notes: ["a", "b"], total: 700))
        let entries = try await world.ledger.entries()
        #expect(entries.map(\.key) == ["r/charge/1.1/1"])
        await #expect(throws: AgentError.self) { try await flows.run("f", input: [:], runID: "r") }
    }

    @Test func invalidFlowsAreRefused() async throws {
        let world = try await AgentWorld()
        let agents = world.runner([])
        #expect(throws: FlowError.self) { try Self.flows(agents, Flow(name: "f", start: Self.start, steps: [])) }
        #expect(throws: FlowError.self) { try Self.flows(agents, Flow(name: "f", start: Self.start, steps: [Self.note("a:b")])) }
        #expect(throws: FlowError.self) { try Self.flows(agents, Flow(name: "f", start: Self.start, steps: [Self.note("a"), Self.note("a")])) }
        let flows = try Self.flows(agents, Flow(name: "f", start: Self.start, steps: [Self.note("a")]))
        await #expect(throws: FlowError.self) { try await flows.run("g", input: [:]) }
    }

    @Test func junctureOfAStageRoundTrips() {
        #expect(Juncture("stage:draft:rejected") == .stage("draft", "rejected"))
        #expect(Juncture.stage("draft", "output").description == "stage:draft:output")
    }

    // MARK: Retries, verifiers, loops

    @Test(arguments: [(3, RunState.Status.completed), (2, .failed)])
    func aFailingStepIsRetriedUnderItsPolicy(maxAttempts: Int, status: RunState.Status) async throws {
        let world = try await AgentWorld()
        let failures = Mutex(0)
        let flaky = FlowStep<Order>("flaky", .code { _, _ in
            let failed = failures.withLock { count -> Bool in
                count += 1
                return count <= 2
            }
            if failed { throw ServiceError(.unavailable, "down") }
            return "up"
        }, retry: RetryPolicy(maxAttempts: maxAttempts, initialDelay: .seconds(1), jitter: 0))
        let trace = Trace()
        let agents = AgentRunner(runtime: world.runtime, checkpointer: world.checkpointer, agents: [], trace: trace, owner: "t")
        let result = try await Self.flows(agents, Flow(name: "f", start: Self.start, steps: [flaky])).run("f", input: [:], runID: "r")
        #expect(result.status == status)
        #expect(trace.events(.stageRetry).count == maxAttempts - 1)
        if status == .failed { #expect(result.failure?.code == "step_failed") }
    }

    /// A verifier rejects twice with feedback the next attempt sees, then passes; with a budget of 2 the flow fails.
    @Test(arguments: [(3, RunState.Status.completed), (2, .failed)])
    func aVerifierTurnsRejectionsIntoAttemptsWithFeedback(attempts: Int, status: RunState.Status) async throws {
        let world = try await AgentWorld()
        let trace = Trace()
        let draft = FlowStep<Order>("draft", .code { state, context in
            state.drafts.append("v\(context.attempt) after \(context.feedback ?? "nothing")")
            return "draft \(context.attempt)"
        }, verifier: FlowVerifier(.code { _, output in output == "draft 3" ? .pass : .reject("too short: \(output)") }, attempts: attempts))
        let agents = AgentRunner(runtime: world.runtime, checkpointer: world.checkpointer, agents: [], trace: trace, owner: "t")
        let result = try await Self.flows(agents, Flow(name: "f", start: Self.start, steps: [draft])).run("f", input: [:], runID: "r")
        #expect(result.status == status)
        let verdicts = trace.events(.verification).map { $0.data["passed"]?.boolValue ?? true }
        #expect(verdicts == Array([false, false, true].prefix(attempts)))
        if status == .completed {
            let progress = try #require(try await world.checkpointer.latest(runID: "r")?.state.flow)
            // Only the accepted attempt's state is kept, and it saw the previous rejection's feedback.
            #expect(try JSONValueDecoder().decode(Order.self, from: progress.state).drafts == ["v3 after too short: draft 2"])
        } else {
            #expect(result.failure?.code == "verification_failed")
        }
    }

    @Test(arguments: [(10, 3, false), (2, 2, true)])
    func aLoopEndsOnItsConditionOrItsCap(max: Int, iterations: Int, capped: Bool) async throws {
        let world = try await AgentWorld()
        let trace = Trace()
        let grow = FlowStep<Order>("grow", .code { state, _ in
            state.total += 1
            return "\(state.total)"
        }, loop: FlowLoop(max: max, until: .code { state, _ in state.total >= 3 }))
        let agents = AgentRunner(runtime: world.runtime, checkpointer: world.checkpointer, agents: [], trace: trace, owner: "t")
        let result = try await Self.flows(agents, Flow(name: "f", start: Self.start, steps: [grow])).run("f", input: [:], runID: "r")
        #expect(result.status == .completed)
        #expect(result.output == "\(iterations)")
        let loop = trace.events(.loopIteration)
        #expect(loop.count == iterations)
        #expect(loop.last?.data["capped"]?.boolValue == capped)
    }

    /// Model steps: a scripted model runs on across attempts; a model grader rejects once; a model judge ends a loop.
    @Test func modelStepsGradersAndJudgesUseTheAgentLoop() async throws {
        let world = try await AgentWorld()
        let trace = Trace()
        let writer = ScriptedModel([.answer("first draft"), .answer("second draft"), .answer("polished")], selection: .byAssistantTurns)
        let grader = ScriptedModel([.answer("FAIL: say more"), .answer("PASS")], selection: .byAssistantTurns)
        let judge = ScriptedModel([.answer("DONE")], selection: .byAssistantTurns)
        let write = FlowStep<Order>(
            "write", .model(instructions: "Write.", model: writer, tools: .services([]), prompt: { "Write about order \($0.order)." }),
            apply: { state, output in state.drafts.append(output) },
            verifier: FlowVerifier(.model(instructions: "Grade.", model: grader)))
        let polish = FlowStep<Order>(
            "polish", .model(instructions: "Polish.", model: writer, tools: .services([]), prompt: { $0.drafts.joined() }),
            loop: FlowLoop(max: 5, until: .model(instructions: "Judge.", model: judge)))
        let agents = AgentRunner(runtime: world.runtime, checkpointer: world.checkpointer, agents: [], trace: trace, owner: "t")
        let result = try await Self.flows(agents, Flow(name: "f", start: Self.start, steps: [write, polish])).run("f", input: ["order": 4], runID: "r")
        #expect(result.status == .completed)
        #expect(result.output == "first draft")  // the polish step's model starts its own turns
        let progress = try #require(try await world.checkpointer.latest(runID: "r")?.state.flow)
        #expect(try JSONValueDecoder().decode(Order.self, from: progress.state).drafts == ["second draft"])
        #expect(trace.events(.verification).map { $0.data["feedback"]?.stringValue } == ["say more", nil])
        // The second attempt's prompt carried the grader's feedback.
        let prompts = writer.requests.compactMap { $0.messages.first.map(ScriptedModelText.text) }
        #expect(prompts[1].contains("Feedback: say more"))
        let children = try await world.checkpointer.runs().filter { $0.parentRunID == "r" }.map(\.runID).sorted()
        #expect(children == ["r/polish/1.1", "r/polish/1.1/judge", "r/write/1.1", "r/write/1.1/grader", "r/write/1.2", "r/write/1.2/grader"])
    }

    @Test func agentStepsRunLocalAgentsAsChildrenAndRemoteOnesWithTheAttemptKey() async throws {
        let world = try await AgentWorld()
        let remote = RecordingRemote()
        let agents = world.runner([agent("helper", [.answer("helped")])], remote: [remote])
        let steps: [FlowStep<Order>] = [
            FlowStep("local", .agent("helper", prompt: { "help with \($0.order)" }), apply: { $0.notes.append($1) }),
            FlowStep("remote", .agent("auditor", prompt: { "audit \($0.notes)" }), apply: { $0.notes.append($1) }),
        ]
        let result = try await Self.flows(agents, Flow(name: "f", start: Self.start, steps: steps)).run("f", input: ["order": 1], runID: "r")
        #expect(result.status == .completed)
        #expect(result.output == "audited")
        #expect(remote.received == [#"audit ["helped"]|r/remote/1.1"#])
        #expect(try await world.checkpointer.latest(runID: "r/local/1.1")?.state.agent == "helper")
    }

    // MARK: Approval

    /// The flow's policy asks before a payment: denied (the model is told), then approved with edited arguments.
    @Test func approvalInAModelStepPausesTheFlowAndNeverChargesTwice() async throws {
        let world = try await AgentWorld()
        let pay = { (id: String, cents: Int) in call(id, "payments_charge", ["amountCents": .integer(cents), "currency": "EUR", "reference": "o"]) }
        let model = ScriptedModel(
            [.calls([pay("c1", 90000)]), .calls([pay("c2", 50000)]), .answer("paid")], selection: .byAssistantTurns)
        let step = FlowStep<Order>(
            "pay", .model(instructions: "Pay.", model: model, tools: .services(["payments"]), prompt: { "pay \($0.order)" }))
        let agents = world.runner([])
        let flows = try FlowRunner(agents: agents, flows: [AnyFlow(Flow(
            name: "f", approval: ToolApproval([.init("payments_*", .ask)]), start: Self.start, steps: [step]))])
        var result = try await flows.run("f", input: ["order": 1], runID: "r")
        #expect(result.status == .waitingForInput)
        #expect(result.inputRequest?.childRunID == "r/pay/1.1")
        #expect(result.inputRequest?.approval?.tool == "payments_charge")
        result = try await flows.resume(runID: "r", input: "deny: too much")
        #expect(result.status == .waitingForInput)
        // A crash-free resume without an answer leaves it waiting.
        #expect(try await flows.resume(runID: "r").status == .waitingForInput)
        result = try await flows.resume(runID: "r", input: #"{"approve": true, "arguments": {"amountCents": 40000, "currency": "EUR", "reference": "o"}}"#)
        #expect(result.status == .completed)
        #expect(result.output == "paid")
        let charges = try await world.ledger.entries()
        #expect(charges.count == 1)
        #expect(charges.first?.payload["amountCents"] == 40000)
    }

    // MARK: Crashes

    struct Crash: Error {}

    /// Killed after each of its checkpoints, a flow resumes at its stage and ends as an uninterrupted run,
    /// each effect once.
    @Test(arguments: 1...6)
    func aCrashAfterAnyCheckpointResumesAtTheStage(crashAt: Int) async throws {
        let world = try await AgentWorld()
        let grade = FlowVerifier<Order>(.code { _, output in output == "draft 2" ? .pass : .reject("again") })
        let steps: [FlowStep<Order>] = [
            Self.note("a"), Self.charge(),
            FlowStep("draft", .code { _, context in "draft \(context.attempt)" }, verifier: grade),
        ]
        let count = Mutex(0)
        let dying = AgentRunner(
            runtime: world.runtime, checkpointer: world.checkpointer, agents: [], owner: "dying",
            onCheckpoint: { _ in
                if count.withLock({ $0 += 1; return $0 }) == crashAt { throw Crash() }
            })
        let flow = Flow(name: "f", start: Self.start, steps: steps)
        await #expect(throws: Crash.self) { try await Self.flows(dying, flow).run("f", input: ["order": 3], runID: "r") }
        try await world.clock.sleep(for: .seconds(400))  // the dead owner's lease expires
        let result = try await Self.flows(world.runner([], owner: "new"), flow).resume(runID: "r")
        #expect(result.status == .completed)
        #expect(result.output == "draft 2")
        #expect(try await world.ledger.duplicates().isEmpty)
        #expect(try await world.ledger.entries().count == 1)
        let sequences = try await world.checkpointer.history(runID: "r").map(\.sequence)
        #expect(sequences == Array(1...sequences.count))
    }

    /// Killed between a step's side effect and its commit, the step runs again with the same key: a service that
    /// honours keys charges once, a step that ignores them repeats its effect (what chaos catches).
    @Test(arguments: [true, false])
    func aCrashBetweenTheEffectAndItsCommitRepeatsOnlyWhatIgnoresKeys(idempotent: Bool) async throws {
        let base = InMemoryCheckpointer()
        let world = try await AgentWorld(checkpointer: FailingOnce(base: base, juncture: "stage:charge:completed"))
        let flow = Flow(name: "f", start: Self.start, steps: [Self.charge(idempotent: idempotent)])
        await #expect(throws: Crash.self) { try await Self.flows(world.runner([], owner: "a"), flow).run("f", input: ["order": 2], runID: "r") }
        try await world.clock.sleep(for: .seconds(400))
        let result = try await Self.flows(world.runner([], owner: "b"), flow).resume(runID: "r")
        #expect(result.status == .completed)
        #expect(try await world.ledger.duplicates().isEmpty == idempotent)
    }

    // MARK: Triggers

    @Test func aMessageStartsOneRunHoweverOftenItIsDelivered() async throws {
        let world = try await AgentWorld()
        let flows = try Self.flows(world.runner([]), Flow(name: "f", triggers: [.topic("orders.*")], start: Self.start, steps: [Self.charge()]))
        let message = BrokerMessage(id: "m1", headers: [BrokerMessage.topicHeader: "orders.new"], body: Array(#"{"order": 5}"#.utf8))
        #expect(try await flows.trigger("f", message: message).status == .completed)
        #expect(try await flows.trigger("f", message: message).status == .completed)
        #expect(try await world.ledger.entries().count == 1)
        let trigger = try #require(try await world.checkpointer.latest(runID: "f/m1")?.state.flow?.trigger)
        #expect(trigger["topic"] == "orders.new" && trigger["data"]?["order"] == 5)
        #expect(flows.flows(triggeredBy: "orders.new").map(\.name) == ["f"])
        #expect(flows.flows(triggeredBy: "orders.new.x").isEmpty)
    }

    /// Two processes serve a flow in one queue group: each published message starts exactly one run.
    @Test func servingInAQueueGroupRunsEachMessageOnce() async throws {
        let world = try await AgentWorld()
        let (done, doneSink) = AsyncStream.makeStream(of: String.self)
        let flow = Flow(name: "f", triggers: [.topic("orders.new")], start: Self.start, steps: [Self.charge()])
        func server(_ owner: String) throws -> FlowRunner {
            try Self.flows(AgentRunner(
                runtime: world.runtime, checkpointer: world.checkpointer, agents: [], owner: owner,
                onCheckpoint: { if $0.juncture == .completed { doneSink.yield($0.runID) } }), flow)
        }
        let one = try server("one"), two = try server("two")
        let (ready, readySink) = AsyncStream.makeStream(of: Void.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await one.serve("f", ready: { readySink.yield() }) }
            group.addTask { try await two.serve("f", ready: { readySink.yield() }) }
            var readiness = ready.makeAsyncIterator()
            _ = await readiness.next()
            _ = await readiness.next()  // both have subscribed
            for number in 1...3 {
                try await world.runtime.broker.publish(
                    BrokerMessage(id: "m\(number)", body: Array(#"{"order": \#(number)}"#.utf8)), to: "orders.new")
            }
            var finished: [String] = []
            var iterator = done.makeAsyncIterator()
            while finished.count < 3, let run = await iterator.next() { finished.append(run) }
            group.cancelAll()
            #expect(finished.sorted() == ["f/m1", "f/m2", "f/m3"])
        }
        #expect(try await world.ledger.entries().count == 3)
    }

    @Test func aScheduleTicksOnTheEnvironmentsClock() async throws {
        let world = try await AgentWorld()
        let trace = Trace()
        let agents = AgentRunner(runtime: world.runtime, checkpointer: world.checkpointer, agents: [], trace: trace, owner: "t")
        let flows = try Self.flows(agents, Flow(
            name: "f", triggers: [.schedule(every: .seconds(10), times: 2)], start: Self.start, steps: [Self.note("a")]))
        let started = world.environment.now()
        try await flows.serve("f")
        let triggered = trace.events(.flowTriggered)
        #expect(triggered.map(\.runID) == ["f@1", "f@2"])
        #expect(triggered.map { $0.at.duration(since: started) } == [.seconds(10), .seconds(20)])
    }
}

/// A remote agent that remembers each task with its idempotency key.
final class RecordingRemote: RemoteAgent {
    let name = "auditor"
    let description = "audits"
    private let tasks = Mutex<[String]>([])
    var received: [String] { tasks.withLock { $0 } }
    func send(task: String, context: CallContext) async throws -> String {
        tasks.withLock { $0.append("\(task)|\(context.idempotencyKey)") }
        return "audited"
    }
}

/// A checkpointer whose commit at `juncture` fails once (the process dies before the commit lands).
final class FailingOnce: Checkpointer {
    let base: InMemoryCheckpointer
    let juncture: String
    private let failed = Mutex(false)

    init(base: InMemoryCheckpointer, juncture: String) {
        self.base = base
        self.juncture = juncture
    }

    func commit(_ checkpoint: Checkpoint, lease: Lease?) async throws {
        if checkpoint.juncture.description == juncture, !failed.withLock({ let was = $0; $0 = true; return was }) {
            throw FlowRunnerTests.Crash()
        }
        try await base.commit(checkpoint, lease: lease)
    }
    func latest(runID: String) async throws -> Checkpoint? { try await base.latest(runID: runID) }
    func history(runID: String) async throws -> [Checkpoint] { try await base.history(runID: runID) }
    func runs() async throws -> [RunSummary] { try await base.runs() }
    func acquireLease(runID: String, owner: String, duration: Duration, now: Timestamp) async throws -> Lease {
        try await base.acquireLease(runID: runID, owner: owner, duration: duration, now: now)
    }
    func releaseLease(_ lease: Lease) async throws { try await base.releaseLease(lease) }
}

enum ScriptedModelText {
    static func text(_ message: Message) -> String {
        message.parts.compactMap { if case .text(let text) = $0 { text } else { nil } }.joined()
    }
}
