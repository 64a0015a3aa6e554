import Micro
import MicroAgent
import MicroHarness
import MicroScenarioTesting
import MicroTravel
import Testing

/// `approval:` on scenario agents, the `approvals` expectation, and the scenario driver answering approval
/// questions with `inputs:`.
@Suite struct ToolApprovalScenarioTests {
    static func scenario(approval: String, expect: String = "  []", inputs: String = "[]") -> String {
        """
        name: approvals
        services: [payments]
        agents:
          - name: a
            approval: \(approval)
            model:
              script:
                - call: {tool: payments_charge, arguments: {amountCents: 500, currency: EUR, reference: r}}
                - text: done
        run:
          agent: a
          prompt: pay
          inputs: \(inputs)
        expect:
        \(expect)
        """
    }

    @Test func readsTheOrderedListForm() throws {
        let text = Self.scenario(approval: #"[{allow: payments_ledger}, {ask: ["payments_*", refund]}, {default: deny}]"#)
        let approval = try Scenario(parsing: text, file: "s.yaml", catalog: .travel).agents[0].approval
        #expect(approval == ToolApproval(
            [.init("payments_ledger", .allow), .init("payments_*", .ask), .init("refund", .ask)], default: .deny))
    }

    /// The mapping form: exact names first, then globs in the order deny, ask, allow.
    @Test func readsTheMappingForm() throws {
        let text = Self.scenario(approval: #"{allow: ["payments_ledger", "*"], ask: "payments_*", deny: "admin_*", default: ask}"#)
        let approval = try Scenario(parsing: text, file: "s.yaml", catalog: .travel).agents[0].approval
        #expect(approval == ToolApproval(
            [.init("payments_ledger", .allow), .init("admin_*", .deny), .init("payments_*", .ask), .init("*", .allow)], default: .ask))
        #expect(approval.decision(for: "payments_ledger").decision == .allow)
        #expect(approval.decision(for: "payments_charge").decision == .ask)
    }

    @Test func anAgentWithoutApprovalAllowsEverything() throws {
        let text = Self.scenario(approval: "[]")
        #expect(try Scenario(parsing: text, file: "s.yaml", catalog: .travel).agents[0].approval.allowsEverything)
    }

    /// Bad `approval:` and `approvals` values name the line and the field.
    @Test(arguments: [
        ("{ask: x, maybe: y}", "agents[0].approval.maybe", "unknown field maybe"),
        ("[{ask: x, deny: y}]", "agents[0].approval[0]", "each approval rule is one of"),
        ("[{default: allow}, {default: deny}]", "agents[0].approval[1].default", "more than one default"),
        ("{default: sometimes}", "agents[0].approval.default", "unknown approval decision sometimes"),
        ("{ask: []}", "agents[0].approval.ask", "at least one tool name or pattern"),
        ("{ask: ''}", "agents[0].approval.ask", "a tool pattern is empty"),
        ("yes", "agents[0].approval", "expected a list"),
    ])
    func badApprovalNamesTheField(approval: String, field: String, message: String) {
        #expect {
            try Scenario(parsing: Self.scenario(approval: approval), file: "bad.yaml", catalog: .travel)
        } throws: { error in
            guard let error = error as? ScenarioError else { return false }
            return error.line == 5 && error.field == field && error.message.contains(message)
        }
    }

    @Test(arguments: [
        ("  - approvals: {}", "approvals needs at least one of"),
        ("  - approvals: {asked: 1, refused: 2}", "unknown field refused"),
        ("  - approvals: {asked: {min: 3, max: 1}}", "min is greater than max"),
    ])
    func badApprovalsExpectationIsAnError(expect: String, message: String) {
        #expect {
            try Scenario(parsing: Self.scenario(approval: "[]", expect: expect), file: "bad.yaml", catalog: .travel)
        } throws: { error in (error as? ScenarioError)?.message.contains(message) == true }
    }

    static func outcome(approval: String, inputs: String, expect: String) async throws -> ScenarioOutcome {
        await ScenarioRunner.run(try Scenario(
            parsing: scenario(approval: approval, expect: expect, inputs: inputs), file: "s.yaml", catalog: .travel))
    }

    /// Each field of `approvals` passes on a run that meets it and fails, saying what was found, on one that does not.
    @Test(arguments: [
        ("{ask: payments_*}", #"["approve"]"#, "{asked: 1, approved: 1, denied: 0, edited: 0, policy_denied: 0}", true),
        ("{ask: payments_*}", #"["deny: no"]"#, "{asked: 1, denied: 1, approved: 0}", true),
        ("{ask: payments_*}", #"["maybe", "yes"]"#, "{asked: 1, approved: 1}", true),
        ("{ask: payments_*}", #"['{"approve": true, "arguments": {"amountCents": 7, "currency": "EUR", "reference": "r"}}']"#, "{edited: 1, approved: 1}", true),
        ("{deny: payments_*}", "[]", "{policy_denied: 1, asked: 0, tool: payments_charge}", true),
        ("{deny: payments_*}", "[]", "{policy_denied: 0}", false),
        ("{ask: payments_*}", #"["approve"]"#, "{asked: 2}", false),
        ("{ask: payments_*}", #"["approve"]"#, "{approved: 0}", false),
        ("{ask: payments_*}", #"["approve"]"#, "{denied: 1}", false),
        ("{ask: payments_*}", #"["approve"]"#, "{edited: {min: 1}}", false),
        ("{ask: payments_*}", #"["approve"]"#, "{asked: 1, tool: weather_forecast}", false),
    ])
    func approvalsExpectation(approval: String, inputs: String, expectation: String, passes: Bool) async throws {
        let outcome = try await Self.outcome(approval: approval, inputs: inputs, expect: "  - approvals: \(expectation)")
        let check = try #require(outcome.checks.first { $0.name == "approvals" })
        #expect(check.passed == passes, "\(check.message)")
        let others = outcome.checks.filter { $0.name != "approvals" && !$0.passed }
        #expect(others.isEmpty, "\(others)")
        if !passes { #expect(check.message.contains("; expected "), "\(check.message)") }
    }

    /// A run still waiting for approval when the inputs run out fails the implicit end check, saying what it asks.
    @Test func aQuestionLeftUnansweredFailsTheRun() async throws {
        let outcome = try await Self.outcome(approval: "{ask: payments_*}", inputs: "[]", expect: "  []")
        let failure = try #require(outcome.failures.first)
        #expect(failure.message.contains("Approve the call of payments_charge"), "\(failure.message)")
    }

    /// A crash after an unusable answer (asked again): the resumed driver skips the answers already taken
    /// (the unusable one included) and gives the next.
    @Test func aResumedDriverSkipsAnUnusableAnswer() async throws {
        let text = Self.scenario(
            approval: "{ask: payments_*}", expect: "  - approvals: {asked: 1, approved: 1}", inputs: #"["maybe", "yes"]"#)
            + "\nfaults:\n  - {target: process, kind: crash, match: paused, call: 2}\n"
        let outcome = await ScenarioRunner.run(try Scenario(parsing: text, file: "s.yaml", catalog: .travel))
        #expect(outcome.crashes == 1)
        #expect(outcome.passed, "\(outcome.failures)")
        #expect(outcome.trace.count { $0.kind == .approvalRequested && $0.data["problem"] != nil } == 1, "\"maybe\" is given once")
    }
}
