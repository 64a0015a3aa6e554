import Foundation
import Micro
import MicroCLI
import Testing

/// `micro flow list | run | trigger | resume` on a scenario's world, and flow runs in `micro runs list`.
@Suite struct FlowCommandTests {
    static let broker = "Scenarios/flow-broker-refund.yaml"
    static let approval = "Scenarios/flow-approval.yaml"

    func temporaryDatabase() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("micro-flow-\(UInt64.random(in: 0...UInt64.max)).sqlite").path
    }

    @Test func listsTheFlowsWithTheirTriggersAndStages() async {
        let list = await runMicro(["flow", "list", Self.broker])
        #expect(list.code == 0)
        #expect(list.out.contains("refund  [direct call, topic orders.refund (queue refund)]  stages: lookup → refund → note"))
    }

    /// A message id seen before resumes its run instead of starting another: one refund in the ledger.
    @Test func triggerStartsOneRunPerMessageIdAndRunsListShowsItsStages() async throws {
        let db = temporaryDatabase()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) } }
        for _ in 1...2 {
            let trigger = await runMicro(["flow", "trigger", Self.broker, "orders.refund", "--data", #"{"order": 42}"#, "--db", db, "--id", "m1"])
            #expect(trigger.code == 0, "\(trigger.err)")
            #expect(trigger.out.contains("refund/m1: completed after 3 steps: refunded order 42: Your refund is on its way."))
        }
        let list = await runMicro(["runs", "list", "--db", db])
        #expect(list.out.contains("refund/m1  refund  completed  flow at end, stages done: lookup → refund → note"))
        #expect(list.out.contains("2 runs"))
        let wrong = await runMicro(["flow", "trigger", Self.broker, "orders.other", "--db", db])
        #expect(wrong.code != 0)
        #expect(wrong.err.contains("no flow of"))
    }

    @Test func runPausesForApprovalAndResumeAnswersIt() async throws {
        let db = temporaryDatabase()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) } }
        let run = await runMicro(["flow", "run", Self.approval, "checkout", "--input", #"{"trip": "Porto"}"#, "--db", db, "--id", "co"])
        #expect(run.code == 0, "\(run.err)")
        #expect(run.out.contains("co: waiting for input: Approve the call of payments_charge"))
        let denied = await runMicro(["flow", "resume", Self.approval, "co", "--db", db, "--input", "deny: over budget"])
        #expect(denied.out.contains("waiting for input"))
        let approved = await runMicro([
            "flow", "resume", Self.approval, "co", "--db", db, "--input",
            #"{"approve": true, "arguments": {"amountCents": 100000, "currency": "EUR", "reference": "trip-porto"}}"#,
        ])
        #expect(approved.out.contains("co: completed after 2 steps: Paid 1000.00 EUR for the Porto trip. (stages: quote → pay)"))
        let bad = await runMicro(["flow", "run", Self.approval, "checkout", "--input", "{nope", "--db", db])
        #expect(bad.code != 0)
        #expect(bad.err.contains("--input is not JSON"))
    }
}
