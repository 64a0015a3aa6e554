import MicroHarness
import MicroScenarioTesting
import SupportDesk
import Testing

/// Every scenario under Scenarios/ is its own test case, run with the desk's catalogue.
@Test(arguments: ScenarioTests.files(in: "Scenarios"))
func scenario(_ file: ScenarioFile) async {
    await ScenarioTests.check(file, catalog: .supportDesk)
}

@Suite struct ScenarioRecordTests {
    /// A run's record is there to be read in a test: what was refunded, and that it happened once.
    @Test func theDelegatedRefundIsOneLedgerEntryOfTheRefundsChildRun() async throws {
        let file = try #require(ScenarioTests.files(in: "Scenarios").first { $0.name == "refund-delegation.yaml" })
        let outcome = try await ScenarioTests.run(file, catalog: .supportDesk)
        #expect(outcome.passed, "\(outcome.failures)")
        let refunds = outcome.record.sideEffects.filter { $0.kind == Refunds.effectKind }
        #expect(refunds.count == 1)
        #expect(refunds.first?.payload["orderID"]?.stringValue == "O-1001")
        #expect(outcome.record.sideEffects.map(\.kind) == ["tickets.open", Refunds.effectKind, "tickets.resolve"])
    }

    /// The desk's own expectation fails, saying by how much, when the refunds do not add up.
    @Test func refundTotalFailsWhenTheLedgerDisagrees() async throws {
        let scenario = try Scenario(
            parsing: """
                name: wrong total
                services: [desk]
                agents: [{use: triage}, {use: refunds}]
                run: {agent: triage, prompt: "Customer C-42, refund order O-1002 please."}
                expect:
                  - refund_total: {cents: 1600, order: O-1002}
                """, file: "wrong.yaml", catalog: .supportDesk)
        let outcome = await ScenarioRunner.run(scenario)
        #expect(outcome.failures.map(\.name) == ["refund_total"])
        #expect(outcome.failures.first?.line == 6)
        #expect(outcome.failures.first?.message == "refunds of order O-1002 total 1599 cents in 1 ledger entries, expected 1600")
    }

    @Test(arguments: [
        ("refund_total: -5", "refund_total must not be negative, got -5"),
        ("refund_total: {cents: 1, orders: O-1}", "orders"),
        ("refund_totl: 5", "did you mean refund_total?"),
    ])
    func badRefundTotalsAreErrorsAtTheirLine(line: String, message: String) {
        #expect {
            try Scenario(
                parsing: "name: bad\nservices: [desk]\nagents: [{use: triage}]\nrun: {agent: triage, prompt: p}\nexpect:\n  - \(line)\n",
                file: "bad.yaml", catalog: .supportDesk)
        } throws: { error in
            guard let error = error as? ScenarioError else { return false }
            let matches = error.file == "bad.yaml" && error.line == 6 && error.message.contains(message)
            if !matches { Issue.record("got \(error)") }
            return matches
        }
    }
}
