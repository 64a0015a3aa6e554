import Micro
import MicroAgent
import Testing

/// The approval policy: rule matching, the answer grammar, and the loop (deny, ask, approve, edit, re-ask,
/// crashes around the decision).
@Suite struct ToolApprovalTests {
    // MARK: Policy

    @Test(arguments: [
        ("payments_charge", "payments_charge", true), ("payments_*", "payments_charge", true), ("payments_*", "payments_", true),
        ("payments_*", "payment_charge", false), ("*_charge", "payments_charge", true), ("*", "anything", true),
        ("pay?ents_*", "payments_refund", true), ("pay?ents_*", "paynts_refund", false), ("a*b*c", "axxbyyc", true),
        ("a*b*c", "axxbyy", false), ("payments_charge", "payments_charge2", false), ("**", "", true),
    ])
    func ruleMatchesToolNames(pattern: String, tool: String, matches: Bool) {
        #expect(ToolApproval.Rule(pattern, .ask).matches(tool) == matches)
    }

    @Test func theFirstMatchingRuleDecidesAndTheDefaultCoversTheRest() {
        let policy = ToolApproval([.init("payments_ledger", .allow), .init("payments_*", .ask), .init("*", .deny)], default: .allow)
        #expect(policy.decision(for: "payments_ledger").decision == .allow)
        #expect(policy.decision(for: "payments_charge").decision == .ask)
        #expect(policy.decision(for: "payments_charge").rule?.description == "ask payments_*")
        #expect(policy.decision(for: "weather_forecast").decision == .deny)
        let strict = ToolApproval([.init("a", .ask)], default: .deny).decision(for: "b")
        #expect(strict.decision == .deny && strict.rule == nil)
        #expect(ToolApproval.allowAll.allowsEverything)
        #expect(!policy.allowsEverything)
    }

    // MARK: Answers

    @Test(arguments: [
        ("approve", ApprovalAnswer.approve), ("  Yes ", .approve), ("OK!", .approve), ("deny", .deny(reason: nil)),
        ("no", .deny(reason: nil)), ("deny: too expensive", .deny(reason: "too expensive")), ("No, not today", .deny(reason: "not today")),
        (#"{"approve": true}"#, .approve), (#"{"approve": false, "reason": "nope"}"#, .deny(reason: "nope")),
        (#"{"approve": true, "arguments": {"amountCents": 5}}"#, .edit(["amountCents": 5])),
    ])
    func answersInTheGrammarParse(text: String, answer: ApprovalAnswer) throws {
        #expect(try ApprovalAnswer(parsing: text) == answer)
    }

    @Test(arguments: [
        "", "maybe", "approve please", "nothing", "denying", "{", "[true]", #"{"approve": "yes"}"#, #"{"arguments": {}}"#,
        #"{"approve": false, "arguments": {}}"#, #"{"approve": true, "arguments": 3}"#, #"{"approve": true, "why": 1}"#,
        #"{"approve": false, "reason": 3}"#,
    ])
    func otherAnswersAreTypedErrors(text: String) {
        #expect(throws: ApprovalError.self) { try ApprovalAnswer(parsing: text) }
        do {
            _ = try ApprovalAnswer(parsing: text)
        } catch {
            #expect(error.code == .unparsableAnswer)
        }
    }

    // MARK: The loop

    static let charge = call("c1", "payments_charge", ["amountCents": 90000, "currency": "EUR", "reference": "trip"])
    static let asking = ToolApproval([.init("payments_*", .ask)])

    static func cashier(_ approval: ToolApproval, _ turns: [ScriptedModel.Turn]? = nil) -> Agent {
        var cashier = agent("cashier", turns ?? [.calls([charge]), .answer("done")], selection: .byAssistantTurns)
        cashier.approval = approval
        return cashier
    }

    /// The last tool result the model saw.
    static func lastResult(_ runner: AgentRunner) throws -> ToolResultPart {
        let model = try #require(runner.agents["cashier"]?.model as? ScriptedModel)
        return try #require(model.requests.last?.messages.last?.toolResults.first)
    }

    @Test func aDeniedToolDoesNotRunAndTheModelIsTold() async throws {
        let world = try await AgentWorld()
        let runner = world.runner([Self.cashier(ToolApproval([.init("payments_charge", .deny)]))])
        let result = try await runner.run("cashier", input: "pay", runID: "r")
        #expect(result.status == .completed)
        #expect(try await world.ledger.entries().isEmpty)
        let told = try Self.lastResult(runner)
        #expect(told.isError && told.content["error"]?["code"] == "denied")
        #expect(told.content["error"]?["message"]?.stringValue?.contains("rule \"deny payments_charge\"") == true)
        #expect(runner.trace.kinds("r").contains("tool_denied") && !runner.trace.kinds("r").contains("tool_call"))
    }

    @Test func askPausesWithTheCallAndApprovalRunsItOnce() async throws {
        let world = try await AgentWorld()
        let runner = world.runner([Self.cashier(Self.asking)])
        let paused = try await runner.run("cashier", input: "pay", runID: "r")
        #expect(paused.status == .waitingForInput)
        let request = try #require(paused.inputRequest?.approval)
        #expect(request == ApprovalRequest(tool: "payments_charge", callID: "c1", arguments: Self.charge.arguments, rule: "ask payments_*"))
        #expect(paused.inputRequest?.prompt.contains("payments_charge") == true)
        #expect(try await world.ledger.entries().isEmpty)
        let done = try await runner.resume(runID: "r", input: "approve")
        #expect(done.status == .completed)
        let entries = try await world.ledger.entries()
        #expect(entries.map(\.key) == ["r/1/0"])
        #expect(runner.trace.events(.approvalAnswered).map { $0.data["approved"] } == [true])
    }

    @Test func aDenialAnswersTheModelWithTheReason() async throws {
        let world = try await AgentWorld()
        let runner = world.runner([Self.cashier(Self.asking)])
        _ = try await runner.run("cashier", input: "pay", runID: "r")
        let done = try await runner.resume(runID: "r", input: "deny: over budget")
        #expect(done.status == .completed)
        #expect(try await world.ledger.entries().isEmpty)
        let told = try Self.lastResult(runner)
        #expect(told.content["error"]?["code"] == "denied")
        #expect(told.content["error"]?["message"]?.stringValue?.hasSuffix("the user denied it: over budget") == true)
    }

    @Test func anEditRunsTheCallWithTheNewArgumentsUnderTheSameKey() async throws {
        let world = try await AgentWorld()
        let runner = world.runner([Self.cashier(Self.asking)])
        _ = try await runner.run("cashier", input: "pay", runID: "r")
        let edit = #"{"approve": true, "arguments": {"amountCents": 50000, "currency": "EUR", "reference": "trip"}}"#
        let done = try await runner.resume(runID: "r", input: edit)
        #expect(done.status == .completed)
        let entries = try await world.ledger.entries()
        #expect(entries.map(\.key) == ["r/1/0"])
        #expect(entries.first?.payload["amountCents"] == 50000)
        let answered = try #require(runner.trace.events(.approvalAnswered).first)
        #expect(answered.data["edited"] == true)
        #expect(runner.trace.events(.toolCall).first?.data["idempotencyKey"] == "r/1/0")
    }

    /// An answer the run cannot use (unparsable, or edited arguments its schema rejects) asks the same
    /// question again, saying why; nothing runs.
    @Test(arguments: [
        ("perhaps", "unparsable_answer"),
        (#"{"approve": true, "arguments": {"amountCents": "lots"}}"#, "invalid_arguments"),
    ])
    func anUnusableAnswerAsksAgain(answer: String, code: String) async throws {
        let world = try await AgentWorld()
        let runner = world.runner([Self.cashier(Self.asking)])
        _ = try await runner.run("cashier", input: "pay", runID: "r")
        let again = try await runner.resume(runID: "r", input: answer)
        #expect(again.status == .waitingForInput)
        #expect(again.inputRequest?.approval?.invalidAnswers == 1)
        #expect(again.inputRequest?.approval?.callID == "c1")
        #expect(again.inputRequest?.prompt.contains(code) == true)
        #expect(try await world.ledger.entries().isEmpty)
        #expect(try await runner.resume(runID: "r", input: "yes").status == .completed)
        #expect(try await world.ledger.entries().count == 1)
    }

    /// A crash after the approval was committed, before the call ran: the resumed run runs it, once, and
    /// does not ask again.
    @Test func aCrashAfterTheApprovalNeverAsksAgain() async throws {
        struct Crash: Error {}
        let world = try await AgentWorld()
        let dying = AgentRunner(
            runtime: world.runtime, checkpointer: world.checkpointer, agents: [Self.cashier(Self.asking)], owner: "test",
            onCheckpoint: { checkpoint in if checkpoint.juncture == .resumed { throw Crash() } })
        _ = try await dying.run("cashier", input: "pay", runID: "r")
        await #expect(throws: Crash.self) { try await dying.resume(runID: "r", input: "approve") }
        #expect(try await world.ledger.entries().isEmpty)
        let resumed = world.runner([Self.cashier(Self.asking)])
        let done = try await resumed.resume(runID: "r")
        #expect(done.status == .completed)
        #expect(try await world.ledger.entries().count == 1)
        #expect(resumed.trace.events(.approvalRequested).isEmpty)
    }

    /// A crash after the model's answer, before the pause was committed: the resumed run asks the same question.
    @Test func aCrashBeforeThePauseAsksTheSameQuestion() async throws {
        struct Crash: Error {}
        let world = try await AgentWorld()
        let dying = AgentRunner(
            runtime: world.runtime, checkpointer: world.checkpointer, agents: [Self.cashier(Self.asking)], owner: "test",
            onCheckpoint: { checkpoint in if checkpoint.juncture == .afterModel(step: 1) { throw Crash() } })
        await #expect(throws: Crash.self) { try await dying.run("cashier", input: "pay", runID: "r") }
        let resumed = world.runner([Self.cashier(Self.asking)])
        let paused = try await resumed.resume(runID: "r")
        #expect(paused.status == .waitingForInput)
        #expect(paused.inputRequest?.approval?.callID == "c1")
        #expect(paused.inputRequest?.approval?.arguments == Self.charge.arguments)
        #expect(try await resumed.resume(runID: "r", input: "approve").status == .completed)
        #expect(try await world.ledger.entries().count == 1)
    }

    /// Two calls to ask about in one answer are asked one at a time, in call order; allowed ones run meanwhile.
    @Test func twoCallsAreAskedAboutOneAtATime() async throws {
        let world = try await AgentWorld()
        let second = call("c2", "payments_charge", ["amountCents": 100, "currency": "EUR", "reference": "tip"])
        let forecast = call("c3", "weather_forecast", ["city": "Rome", "from": "2026-05-01"])
        let runner = world.runner([Self.cashier(Self.asking, [.calls([Self.charge, second, forecast]), .answer("done")])])
        let first = try await runner.run("cashier", input: "pay", runID: "r")
        #expect(first.inputRequest?.approval?.callID == "c1")
        #expect(runner.trace.events(.toolCall).map { $0.data["tool"] } == ["weather_forecast"])
        let next = try await runner.resume(runID: "r", input: "no")
        #expect(next.inputRequest?.approval?.callID == "c2")
        #expect(try await runner.resume(runID: "r", input: "yes").status == .completed)
        #expect(try await world.ledger.entries().map { $0.payload["reference"] } == ["tip"])
    }

    /// `request_input` is never asked about, even by a rule that matches every tool.
    @Test func requestInputIsNotSubjectToApproval() async throws {
        let world = try await AgentWorld()
        let ask = call("q", "request_input", ["prompt": "Which card?"])
        let runner = world.runner([Self.cashier(ToolApproval([.init("*", .ask)]), [.calls([ask]), .answer("done")])])
        let paused = try await runner.run("cashier", input: "pay", runID: "r")
        #expect(paused.inputRequest?.prompt == "Which card?")
        #expect(paused.inputRequest?.approval == nil)
    }
}
