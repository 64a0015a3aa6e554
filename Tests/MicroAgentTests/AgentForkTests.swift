import Micro
import MicroAgent
import Testing

/// `AgentRunner.fork`: a new run from a parent's checkpoint with one edit, nothing before the fork executed again.
@Suite struct AgentForkTests {
    static func charge(_ id: String, _ reference: String, _ cents: Int) -> ToolCall {
        call(id, "payments_charge", ["amountCents": .integer(cents), "currency": "EUR", "reference": .string(reference)])
    }

    /// Charges A at step 1, B at step 2, then answers; models pick turns by step, so a fork asks the same script.
    static func buyer() -> Agent {
        agent("buyer", [
            .calls([charge("c1", "A", 100)]),
            .calls([charge("c2", "B", 200)]),
            .answer("charged"),
        ], selection: .byAssistantTurns)
    }

    static func sequence(_ history: [Checkpoint], _ juncture: Juncture) throws -> Int {
        try #require(history.first { $0.juncture == juncture }).sequence
    }

    @Test func aForkWithAnotherModelAnswerDivergesAfterTheForkAndRepeatsNoEarlierEffect() async throws {
        let world = try await AgentWorld()
        let runner = world.runner([Self.buyer()])
        _ = try await runner.run("buyer", input: "Pay A then B", runID: "p")
        let parent = try await world.checkpointer.history(runID: "p")
        let at = try Self.sequence(parent, .afterModel(step: 2))
        let answer = Message(role: .assistant, parts: [.toolCall(Self.charge("x2", "C", 999))])

        let fork = try await runner.fork(runID: "p", at: at, edit: .modelAnswer(answer), newRunID: "f")

        #expect(fork.runID == "f")
        #expect(fork.status == .completed)
        // Step 1's charge ran once, in the parent; step 2 differs: the parent charged B, the fork C under its own key.
        let effects = try await world.ledger.entries()
        #expect(effects.map(\.key) == ["p/1/0", "p/2/0", "f/2/0"])
        #expect(effects.map { $0.payload["reference"] } == ["A", "B", "C"])
        #expect(effects.allSatisfy { $0.occurrence == 1 })
        // The fork's conversation is the parent's up to step 1's results, then the edited answer.
        let forked = try await world.checkpointer.history(runID: "f")
        let first = try #require(forked.first)
        #expect(first.juncture == .started)
        #expect(first.state.fork == ForkOrigin(runID: "p", sequence: at, juncture: .afterModel(step: 2), edit: ForkEdit.modelAnswer(answer).summary))
        #expect(forked.allSatisfy { $0.state.fork?.runID == "p" })
        let parentMessages = try #require(parent.last?.state.memory.messages)
        let forkMessages = try #require(forked.last?.state.memory.messages)
        #expect(Array(forkMessages.prefix(3)) == Array(parentMessages.prefix(3)))
        #expect(forkMessages[3].toolCalls.map(\.id) == ["x2"])
        #expect(parentMessages[3].toolCalls.map(\.id) == ["c2"])
        // The parent is untouched; the fork's trace starts with where it came from, and has no step-1 tool call.
        #expect(try await world.checkpointer.history(runID: "p") == parent)
        #expect(runner.trace.kinds("f").first == "forked")
        #expect(runner.trace.events(.toolCall).filter { $0.runID == "f" }.compactMap { $0.data["idempotencyKey"]?.stringValue } == ["f/2/0"])
    }

    @Test func aCallStartedBeforeTheForkTakesTheResultTheParentCommittedLater() async throws {
        let world = try await AgentWorld()
        let runner = world.runner([Self.buyer()])
        _ = try await runner.run("buyer", input: "Pay A then B", runID: "p")
        let parent = try await world.checkpointer.history(runID: "p")
        let at = try Self.sequence(parent, .beforeTool(step: 1, index: 0))

        let fork = try await runner.fork(runID: "p", at: at, newRunID: "f")

        #expect(fork.status == .completed)
        let keys = runner.trace.events(.toolCall).filter { $0.runID == "f" }.compactMap { $0.data["idempotencyKey"]?.stringValue }
        #expect(keys == ["f/2/0"])
        let first = try #require(try await world.checkpointer.history(runID: "f").first)
        let after = try #require(parent.first { $0.juncture == .afterTool(step: 1, index: 0) })
        #expect(first.state.pendingCalls == after.state.pendingCalls)
        #expect(try await world.ledger.entries().map(\.key) == ["p/1/0", "p/2/0", "f/2/0"])
    }

    /// The parent crashed after the charge went through but before its result was committed: the fork calls it
    /// again under the parent's key, and the service (deduplicating on it) does not charge twice.
    @Test func aCallTheParentNeverFinishedIsCalledAgainUnderTheParentsKey() async throws {
        let world = try await AgentWorld()
        _ = try await world.runner([Self.buyer()]).run("buyer", input: "Pay A then B", runID: "p")
        let crashed = InMemoryCheckpointer()
        for checkpoint in try await world.checkpointer.history(runID: "p") {
            try await crashed.commit(checkpoint, lease: nil)
            if checkpoint.juncture == .beforeTool(step: 1, index: 0) { break }
        }
        let runner = AgentRunner(runtime: world.runtime, checkpointer: crashed, agents: [Self.buyer()], owner: "test")

        let at = try Self.sequence(try await crashed.history(runID: "p"), .beforeTool(step: 1, index: 0))
        let fork = try await runner.fork(runID: "p", at: at, newRunID: "f")

        #expect(fork.status == .completed)
        let keys = runner.trace.events(.toolCall).filter { $0.runID == "f" }.compactMap { $0.data["idempotencyKey"]?.stringValue }
        #expect(keys == ["p/1/0", "f/2/0"])
        let effects = try await world.ledger.entries()
        #expect(effects.map(\.key) == ["p/1/0", "p/2/0", "f/2/0"])
        #expect(effects.allSatisfy { $0.occurrence == 1 })
    }

    @Test func aCallNotYetStartedAtTheForkIsTheForksOwnEffect() async throws {
        let world = try await AgentWorld()
        let runner = world.runner([Self.buyer()])
        _ = try await runner.run("buyer", input: "Pay A then B", runID: "p")
        let at = try Self.sequence(try await world.checkpointer.history(runID: "p"), .afterModel(step: 1))

        _ = try await runner.fork(runID: "p", at: at, newRunID: "f")

        let first = try #require(try await world.checkpointer.history(runID: "f").first)
        #expect(first.state.pendingCalls.map(\.key.description) == ["f/1/0"])
        #expect(try await world.ledger.entries().map(\.key) == ["p/1/0", "p/2/0", "f/1/0", "f/2/0"])
    }

    @Test func aForkWithAnotherToolResultNeverRunsThatCall() async throws {
        let world = try await AgentWorld()
        let runner = world.runner([Self.buyer()])
        _ = try await runner.run("buyer", input: "Pay A then B", runID: "p")
        let at = try Self.sequence(try await world.checkpointer.history(runID: "p"), .afterTool(step: 2, index: 0))

        let fork = try await runner.fork(
            runID: "p", at: at, edit: .toolResult(callID: "c2", content: ["error": "card declined"], isError: true), newRunID: "f")

        #expect(fork.status == .completed)
        #expect(try await world.ledger.entries().map(\.key) == ["p/1/0", "p/2/0"])
        let last = try #require(try await world.checkpointer.latest(runID: "f"))
        let results = last.state.memory.messages.flatMap(\.toolResults)
        #expect(results.last == ToolResultPart(callID: "c2", content: ["error": "card declined"], isError: true))
        #expect(runner.trace.events(.toolCall).filter { $0.runID == "f" }.isEmpty)
    }

    @Test func aForkAtAQuestionTakesAnotherAnswer() async throws {
        let world = try await AgentWorld()
        let runner = world.runner([
            agent("asker", [.calls([call("q", "request_input", ["prompt": "Which city?"])]), .answer("ok")], selection: .byAssistantTurns)
        ])
        _ = try await runner.run("asker", input: "Plan a trip", runID: "p")
        _ = try await runner.resume(runID: "p", input: "Lisbon")
        let at = try Self.sequence(try await world.checkpointer.history(runID: "p"), .paused)

        let fork = try await runner.fork(runID: "p", at: at, edit: .input("Porto"), newRunID: "f")

        #expect(fork.status == .completed)
        let answer = { (run: String) async throws -> JSONValue? in
            try await world.checkpointer.latest(runID: run)?.state.memory.messages.flatMap(\.toolResults).last?.content["input"]
        }
        #expect(try await answer("f") == "Porto")
        #expect(try await answer("p") == "Lisbon")
    }

    enum Refusal: String, CaseIterable { case unknownRun, unknownCheckpoint, answerAtATool, inputWhileRunning, unknownCall, finishedWithoutEdit }

    @Test(arguments: Refusal.allCases)
    func forksThatDoNotFitAreRefusedWithATypedErrorAndWriteNothing(_ refusal: Refusal) async throws {
        let world = try await AgentWorld()
        let runner = world.runner([Self.buyer()])
        _ = try await runner.run("buyer", input: "Pay A then B", runID: "p")
        let history = try await world.checkpointer.history(runID: "p")
        let tool = try Self.sequence(history, .beforeTool(step: 1, index: 0))
        let (run, at, edit, code): (String, Int, ForkEdit, ForkError.Code) = switch refusal {
        case .unknownRun: ("nope", 1, .none, .unknownRun)
        case .unknownCheckpoint: ("p", history.count + 1, .none, .unknownCheckpoint)
        case .answerAtATool: ("p", tool, .modelAnswer(.assistant("hi")), .editNotApplicable)
        case .inputWhileRunning: ("p", tool, .input("x"), .editNotApplicable)
        case .unknownCall: ("p", tool, .toolResult(callID: "zz", content: [:], isError: false), .editNotApplicable)
        case .finishedWithoutEdit: ("p", history.count, .none, .editNotApplicable)
        }
        let error = await #expect(throws: ForkError.self) { try await runner.fork(runID: run, at: at, edit: edit, newRunID: "f") }
        #expect(error?.code == code)
        #expect(try await world.checkpointer.latest(runID: "f") == nil)
        #expect(try await world.checkpointer.history(runID: "p") == history)
    }
}
