import Micro
import MicroAgent
import Synchronization
import Testing

@Suite struct AgentRunnerTests {
    let lisbon: JSONValue = ["city": "Lisbon", "from": "2026-05-01", "days": 2]

    @Test func callsToolsThenAnswersWithCheckpointsAtEveryJuncture() async throws {
        let world = try await AgentWorld()
        let runner = world.runner([
            agent("planner", [
                .calls([call("c1", "weather_forecast", lisbon)]),
                .answer("Sunny enough."),
            ])
        ])
        let result = try await runner.run("planner", input: "Weather in Lisbon?", runID: "run-1")
        #expect(result.status == .completed)
        #expect(result.output == "Sunny enough.")
        #expect(result.steps == 2)
        #expect(runner.trace.kinds("run-1") == [
            "run_started", "model_request", "model_response", "tool_call", "tool_result", "model_request",
            "model_response", "completed",
        ])
        #expect(runner.trace.junctures("run-1") == [
            "started", "before_model:1", "after_model:1", "before_tool:1:0", "after_tool:1:0", "before_model:2",
            "after_model:2", "completed",
        ])
        let history = try await world.checkpointer.history(runID: "run-1")
        #expect(history.map(\.sequence) == Array(1...8))
        #expect(history.last?.state.status == .completed)
        let toolResult = try #require(runner.trace.events(.toolResult).first)
        #expect(toolResult.data["isError"] == false)
        #expect(toolResult.data["content"]?["city"] == "Lisbon")
        let model = try #require(runner.agents["planner"]?.model as? ScriptedModel)
        let second = try #require(model.requests.last)
        #expect(second.messages.map(\.role) == [.user, .assistant, .tool])
        #expect(second.tools.map(\.name).contains("plan"))
        #expect(second.tools.map(\.name).contains("weather_forecast"))
    }

    @Test func startingARunWithAnExistingIDIsRefused() async throws {
        let world = try await AgentWorld()
        let runner = world.runner([agent("once", [.answer("ok"), .answer("again")])])
        _ = try await runner.run("once", input: "hi", runID: "same")
        let error = await #expect(throws: AgentError.self) { try await runner.run("once", input: "hi", runID: "same") }
        #expect(error?.code == .runExists)
        await #expect(throws: AgentError.self) { try await runner.run("nobody", input: "hi") }
        await #expect(throws: AgentError.self) { try await runner.resume(runID: "missing") }
    }

    @Test func parallelToolCallsReturnResultsInCallOrderWithTheirIdempotencyKeys() async throws {
        let world = try await AgentWorld()
        let runner = world.runner([
            agent("planner", [
                .calls([
                    call("a", "weather_forecast", ["city": "Tokyo", "from": "2026-05-01"]),
                    call("b", "weather_forecast", ["city": "Paris", "from": "2026-05-01"]),
                    call("c", "weather_forecast", ["city": "Rome", "from": "2026-05-01"]),
                ]),
                .answer("done"),
            ])
        ])
        _ = try await runner.run("planner", input: "Three forecasts", runID: "run-p")
        let model = try #require(runner.agents["planner"]?.model as? ScriptedModel)
        let results = try #require(model.requests.last?.messages.last?.toolResults)
        #expect(results.map(\.callID) == ["a", "b", "c"])
        #expect(results.map { $0.content["city"] } == ["Tokyo", "Paris", "Rome"])
        let keys = runner.trace.events(.toolCall).compactMap { $0.data["idempotencyKey"]?.stringValue }
        #expect(keys == ["run-p/1/0", "run-p/1/1", "run-p/1/2"])
    }

    @Test func anEmptyToolScopeOffersOnlyTheBuiltIns() async throws {
        let world = try await AgentWorld()
        let runner = world.runner([agent("bare", [.answer("ok")], tools: .services([]))])
        _ = try await runner.run("bare", input: "hi")
        let model = try #require(runner.agents["bare"]?.model as? ScriptedModel)
        #expect(model.requests.first?.tools.map(\.name) == ["delegate", "plan", "request_input"])
    }

    @Test func maxStepsEndsTheRunGracefully() async throws {
        let world = try await AgentWorld()
        let turns = (0..<5).map { i in ScriptedModel.Turn.calls([call("c\(i)", "weather_forecast", ["city": "Rome", "from": .string("2026-05-0\(i + 1)")])]) }
        let runner = world.runner([agent("looper", turns, guardrails: Guardrails(maxSteps: 3))])
        let result = try await runner.run("looper", input: "go")
        #expect(result.status == .failed)
        #expect(result.failure?.code == "max_steps")
        #expect(result.steps == 3)
        #expect(runner.trace.events(.failed).count == 1)
    }

    @Test func identicalCallsAreRefusedBackToTheModel() async throws {
        let world = try await AgentWorld()
        let same = call("x", "weather_forecast", ["city": "Rome", "from": "2026-05-01"])
        let runner = world.runner([
            agent("looper", [.calls([same]), .calls([same]), .calls([same]), .answer("giving up")],
                  guardrails: Guardrails(maxIdenticalCalls: 2))
        ])
        let result = try await runner.run("looper", input: "go")
        #expect(result.status == .completed)
        let guardrails = runner.trace.events(.guardrail)
        #expect(guardrails.count == 1)
        #expect(guardrails.first?.step == 3)
        let results = runner.trace.events(.toolResult).map { $0.data["isError"] }
        #expect(results == [false, false, true])
        let model = try #require(runner.agents["looper"]?.model as? ScriptedModel)
        let refusal = try #require(model.requests.last?.messages.last?.toolResults.first)
        #expect(refusal.isError)
        #expect(refusal.content["error"]?["message"]?.stringValue?.contains("guardrail") == true)
    }

    /// A call a dead process had started is run again on resume as the same call (same idempotency key): it
    /// must not count twice toward the identical-call guardrail, or the resumed run refuses what the
    /// uninterrupted one ran.
    @Test func aCallRestartedAfterACrashCountsOnceForTheIdenticalCallGuardrail() async throws {
        struct Crash: Error {}
        let world = try await AgentWorld()
        let same = call("x", "weather_forecast", ["city": "Rome", "from": "2026-05-01"])
        let looper = {
            agent("looper", [.calls([same]), .calls([same]), .calls([same]), .answer("done")],
                  guardrails: Guardrails(maxIdenticalCalls: 3), selection: .byAssistantTurns)
        }
        let crashed = Mutex(false)
        let dying = AgentRunner(
            runtime: world.runtime, checkpointer: world.checkpointer, agents: [looper()], owner: "test",
            onCheckpoint: { checkpoint in
                if checkpoint.juncture.description == "before_tool:2:0", !crashed.withLock({ $0 }) {
                    crashed.withLock { $0 = true }
                    throw Crash()
                }
            })
        await #expect(throws: Crash.self) { try await dying.run("looper", input: "go", runID: "r") }
        let resumed = world.runner([looper()])
        let result = try await resumed.resume(runID: "r")
        #expect(result.status == .completed)
        #expect(resumed.trace.events(.guardrail).isEmpty)
        #expect(resumed.trace.events(.toolResult).map { $0.data["isError"] } == [false, false])
    }

    /// A model that answers each turn with the events given for it (by the number of assistant messages).
    struct EventsModel: Model {
        let turns: [[ModelEvent]]
        var info: ModelInfo { ModelInfo(provider: "test", name: "events", contextWindow: 100_000) }
        func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
            let events = turns[min(turns.count - 1, request.messages.count { $0.role == .assistant })]
            return AsyncThrowingStream { continuation in
                for event in events { continuation.yield(event) }
                continuation.finish()
            }
        }
    }

    /// A call the output limit cut off is never run: the model is told, in the call's result, and goes on.
    @Test func aTruncatedToolCallIsAnErrorTheModelIsToldAbout() async throws {
        let world = try await AgentWorld()
        let model = EventsModel(turns: [
            [.toolCallStart(index: 0, id: "cut", name: "weather_forecast"), .toolCallDelta(index: 0, arguments: #"{"city":"Li"#),
             .toolCallEnd(index: 0), .finish(.maxTokens)],
            [.textDelta("Sorry, I will be brief."), .finish(.endTurn)],
        ])
        let runner = world.runner([Agent(name: "a", instructions: "i", model: model)])
        let result = try await runner.run("a", input: "go", runID: "r")
        #expect(result.status == .completed)
        #expect(result.output == "Sorry, I will be brief.")
        #expect(runner.trace.events(.toolCall).isEmpty, "the cut call never ran")
        let told = try #require(runner.trace.events(.toolResult).first)
        #expect(told.data["isError"] == true)
        #expect(told.data["content"]?["error"]?["message"]?.stringValue?.contains("token limit") == true)
        #expect(runner.trace.events(.modelResponse).first?.data["truncatedToolCalls"]?[0]?["partialArguments"] == #"{"city":"Li"#)
    }

    /// `pause_turn`: the paused answer goes back as it is and the model is called again.
    @Test func aPausedTurnIsSentBackAndTheModelGoesOn() async throws {
        let world = try await AgentWorld()
        let model = EventsModel(turns: [
            [.textDelta("Searching…"), .finish(.pauseTurn)],
            [.textDelta("Found it."), .finish(.endTurn)],
        ])
        let runner = world.runner([Agent(name: "a", instructions: "i", model: model)])
        let result = try await runner.run("a", input: "go", runID: "r")
        #expect(result.status == .completed)
        #expect(result.output == "Found it.")
        #expect(result.steps == 2)
    }

    /// A model that never answers until its caller goes away.
    struct HangingModel: Model {
        var info: ModelInfo { ModelInfo(provider: "test", name: "hanging", contextWindow: 100_000) }
        func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
            let (stream, _) = AsyncThrowingStream.makeStream(of: ModelEvent.self)
            return stream
        }
    }

    /// A run cancelled in flight (a server stopping) gives its lease back: another owner takes the run over at
    /// once instead of waiting the lease out. A crash keeps the lease (the crash tests cover that).
    @Test func aCancelledRunReleasesItsLease() async throws {
        let world = try await AgentWorld()
        let (started, began) = AsyncStream.makeStream(of: Void.self)
        let hanging = AgentRunner(
            runtime: world.runtime, checkpointer: world.checkpointer,
            agents: [Agent(name: "a", instructions: "i", model: HangingModel())], owner: "first",
            onCheckpoint: { checkpoint in if checkpoint.juncture.description == "before_model:1" { began.yield() } })
        let run = Task { try await hanging.run("a", input: "go", runID: "r") }
        for await _ in started { break }
        run.cancel()
        _ = await run.result
        let other = AgentRunner(
            runtime: world.runtime, checkpointer: world.checkpointer,
            agents: [agent("a", [.answer("taken over")], selection: .byAssistantTurns)], owner: "second")
        let result = try await other.resume(runID: "r")
        #expect(result.output == "taken over")
    }

    @Test func tokenBudgetStopsTheRun() async throws {
        let world = try await AgentWorld()
        let usage = Usage(inputTokens: 600, outputTokens: 100)
        let runner = world.runner([
            agent("spender", [
                .calls([call("a", "weather_forecast", ["city": "Rome", "from": "2026-05-01"])], usage: usage),
                .calls([call("b", "weather_forecast", ["city": "Rome", "from": "2026-05-02"])], usage: usage),
                .answer("never reached"),
            ], guardrails: Guardrails(tokenBudget: 1000))
        ])
        let result = try await runner.run("spender", input: "go")
        #expect(result.failure?.code == "token_budget")
        #expect(result.usage.totalTokens == 1400)
    }

    @Test func slowToolsHitThePerCallDeadlineOnTheVirtualClock() async throws {
        let world = try await AgentWorld()
        let slow = try Tool(name: "slow_lookup", description: "Takes two virtual minutes.") {
            (request: SlowRequest, context: CallContext) async throws -> SlowRequest in
            try await context.environment.sleep(for: .seconds(120))
            return request
        }
        var slowAgent = agent("patient", [.calls([call("s", "slow_lookup", ["query": "x"])]), .answer("timed out")],
                              guardrails: Guardrails(toolCallTimeout: .seconds(30)))
        slowAgent.extraTools = [slow]
        let runner = world.runner([slowAgent])
        let result = try await runner.run("patient", input: "go")
        #expect(result.status == .completed)
        let toolResult = try #require(runner.trace.events(.toolResult).first)
        #expect(toolResult.data["content"]?["error"]?["code"] == "deadline_exceeded")
    }

    @Test func theRunDeadlineEndsTheRun() async throws {
        let world = try await AgentWorld()
        let runner = world.runner([
            agent("slowpoke", [
                .fail(.init(code: .rateLimited, message: "wait", retryAfter: .seconds(90))),
                .answer("late"),
            ], guardrails: Guardrails(runTimeout: .seconds(60)))
        ])
        let result = try await runner.run("slowpoke", input: "go")
        #expect(result.failure?.code == "deadline")
    }

    @Test func retryableModelErrorsAreRetriedHonoringRetryAfter() async throws {
        let world = try await AgentWorld()
        let runner = world.runner([
            agent("retrier", [
                .fail(.init(code: .rateLimited, message: "slow down", retryAfter: .seconds(7))),
                .fail(.init(code: .overloaded, message: "busy")),
                .answer("finally"),
            ])
        ])
        let start = world.environment.now()
        let result = try await runner.run("retrier", input: "go")
        #expect(result.output == "finally")
        let retries = runner.trace.events(.modelRetry)
        #expect(retries.count == 2)
        #expect(retries.first?.data["delayMs"] == 7000)
        #expect(world.environment.now().duration(since: start) >= .seconds(7))
    }

    /// An advertised wait is honoured exactly, however long (the old cap of 4 × maxDelay retried too soon).
    @Test(arguments: [Duration.seconds(7), .seconds(200), .milliseconds(1_500)])
    func theAdvertisedWaitIsHonouredExactly(retryAfter: Duration) {
        let policy = RetryPolicy(maxAttempts: 4, initialDelay: .milliseconds(500), maxDelay: .seconds(30), jitter: 0.2)
        #expect(policy.delay(afterAttempt: 1, retryAfter: retryAfter, random: .seeded(1)) == retryAfter)
        let backoff = policy.delay(afterAttempt: 3, retryAfter: nil, random: .seeded(1))
        #expect(backoff >= .milliseconds(1_600) && backoff <= .milliseconds(2_400), "2 s ± 20 %: \(backoff)")
    }

    @Test func nonRetryableModelErrorsFailTheRunWithTheirMessage() async throws {
        let world = try await AgentWorld()
        let runner = world.runner([agent("broken", [.fail(.init(code: .authentication, message: "bad key"))])])
        let result = try await runner.run("broken", input: "go")
        #expect(result.status == .failed)
        #expect(result.failure?.code == "model_error")
        #expect(result.failure?.message.contains("bad key") == true)
    }

    @Test func thePlanIsCheckpointedAndShownEveryStep() async throws {
        let world = try await AgentWorld()
        let runner = world.runner([
            agent("planner", [
                .calls([call("p", "plan", ["steps": [["title": "Check weather", "status": "in_progress"], ["title": "Answer"]]])]),
                .calls([call("w", "weather_forecast", lisbon)]),
                .answer("Done"),
            ])
        ])
        _ = try await runner.run("planner", input: "plan it", runID: "run-plan")
        let model = try #require(runner.agents["planner"]?.model as? ScriptedModel)
        #expect(model.requests[0].system == "You are planner.")
        #expect(model.requests[1].system?.contains("1. [in_progress] Check weather\n2. [pending] Answer") == true)
        #expect(model.requests[2].system?.contains("Current plan:") == true)
        let final = try #require(try await world.checkpointer.latest(runID: "run-plan"))
        #expect(final.state.plan?.steps.map(\.title) == ["Check weather", "Answer"])
        #expect(runner.trace.events(.planUpdated).count == 1)
    }

    @Test func invalidBuiltinArgumentsComeBackAsErrors() async throws {
        let world = try await AgentWorld()
        let runner = world.runner([agent("sloppy", [.calls([call("p", "plan", ["steps": "all of them"])]), .answer("ok")])])
        _ = try await runner.run("sloppy", input: "go")
        let result = try #require(runner.trace.events(.toolResult).first)
        #expect(result.data["isError"] == true)
        #expect(result.data["content"]?["error"]?["code"] == "invalid_arguments")
    }
}

struct SlowRequest: Codable, Sendable {
    var query: String
}

@Suite struct ContextOverflowTests {
    @Test func aContextLengthErrorCompactsHarderAndRetriesOnce() async throws {
        let world = try await AgentWorld()
        let runner = world.runner([
            agent("big", [
                .fail(.init(code: .contextLengthExceeded, message: "prompt is too long")),
                .answer("fits now"),
            ])
        ])
        let result = try await runner.run("big", input: "go")
        #expect(result.output == "fits now")
        #expect(runner.trace.events(.modelError).map { $0.data["code"] } == ["context_length_exceeded"])
        #expect(runner.trace.events(.modelRequest).count == 2)
    }

    @Test func aSecondContextLengthErrorFailsTheRunWithIt() async throws {
        let world = try await AgentWorld()
        let overflow = ScriptedModel.Turn.fail(.init(code: .contextLengthExceeded, message: "prompt is too long"))
        let runner = world.runner([agent("big", [overflow, overflow, .answer("never")])])
        let result = try await runner.run("big", input: "go")
        #expect(result.status == .failed)
        #expect(result.failure?.code == "model_error")
        #expect(result.failure?.message.contains("context_length_exceeded") == true)
    }
}

@Suite struct MemoryFailureTests {
    @Test func aConversationThatCannotFitFailsTheRunGracefully() async throws {
        let world = try await AgentWorld()
        var tiny = agent("tiny", [.answer("unreachable")])
        tiny.model = ScriptedModel([.answer("unreachable")], info: ModelInfo(provider: "scripted", name: "tiny", contextWindow: 300))
        tiny.options = ModelOptions(maxTokens: 100)
        let runner = world.runner([tiny])
        let result = try await runner.run("tiny", input: String(repeating: "a very long question ", count: 200))
        #expect(result.status == .failed)
        #expect(result.failure?.code == "context_overflow")
        let stored = try #require(try await world.checkpointer.latest(runID: result.runID))
        #expect(stored.juncture == .failed)
    }
}
