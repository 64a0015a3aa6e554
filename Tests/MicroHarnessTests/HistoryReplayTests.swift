import Foundation
import Micro
import MicroAgent
import MicroHarness
import MicroTravel
import Synchronization
import Testing

/// `HistoryReplay`: stored runs re-driven through the current agents and tools, the first divergence reported.
@Suite struct HistoryReplayTests {
    static let fixture = "Scenarios/history-replay.yaml"

    /// Runs `file` (or `text`) and returns its world, whose checkpointer is the history.
    static func history(_ file: String) async throws -> World {
        let world = try await World(try Scenario.load(file: file, catalog: .travel))
        let outcome = await ScenarioRunner.run(in: world)
        #expect(outcome.passed, "\(file): \(outcome.failures.map(\.message))")
        return world
    }

    /// Replays `history` through the agents and services of `scenario`; the replay worlds are kept in `worlds`.
    static func replay(
        _ history: any Checkpointer, against scenario: Scenario, trace: [TraceEvent] = [], runIDs: [String]? = nil,
        worlds: Worlds = Worlds()
    ) async throws -> HistoryReplayReport {
        let subject = HistoryReplay.scenario(scenario)
        return try await HistoryReplay(history: history, trace: trace).replay(runIDs: runIDs) { seams in
            let runner = try await subject(seams)
            worlds.list.withLock { $0.append(runner.runtime) }
            return runner
        }
    }

    /// The runtimes a replay built, to look into after it.
    final class Worlds: Sendable {
        let list = Mutex<[Runtime]>([])
    }

    static func variant(_ replacements: [(String, String)], of file: String = fixture) throws -> Scenario {
        var text = try String(contentsOfFile: file, encoding: .utf8)
        for (old, new) in replacements {
            #expect(text.contains(old), "the fixture no longer contains \(old)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        return try Scenario(parsing: text, file: "variant.yaml", catalog: .travel)
    }

    @Test(arguments: [
        "history-replay", "single-agent-tools", "tool-approval", "request-input", "travel-delegation-tree", "crash-resume",
        "tool-failures", "guardrails-loop", "context-overflow", "rate-limit-retries", "recorded-openai", "a2a-delegation",
        "broker-agents", "deadlines", "truncated-stream", "fails-gracefully",
    ])
    func aStoredRunReplaysWithoutDivergenceThroughTheCodeThatMadeIt(_ name: String) async throws {
        let file = "Scenarios/\(name).yaml"
        let world = try await Self.history(file)
        let worlds = Worlds()
        let report = try await Self.replay(
            world.checkpointer, against: try Scenario.load(file: file, catalog: .travel), trace: world.trace.all, worlds: worlds)
        #expect(!report.diverged, "\(report.text)")
        let replayed = report.runs.filter { $0.skipped == nil }
        #expect(replayed.map(\.runID).contains(world.scenario.run.runID))
        #expect(replayed.first?.steps ?? 0 > 0)
        // Tools never ran: the replay worlds' side-effect ledgers stay empty (the history's is not).
        let runtimes = worlds.list.withLock { $0 }
        #expect(!runtimes.isEmpty)
        for runtime in runtimes { #expect(try await SideEffectLedger(store: runtime.store).entries().isEmpty) }
    }

    @Test func theBundledFixtureCatchesTheChangedToolArgument() async throws {
        let world = try await Self.history(Self.fixture)
        let changed = try Scenario.load(file: "Tests/Fixtures/HistoryReplay/mail-changed-argument.yaml", catalog: .travel)
        let report = try await Self.replay(world.checkpointer, against: changed)
        #expect(report.diverged)
        let divergence = try #require(report.runs.first?.divergence)
        #expect(divergence.kind == .toolSpec)
        #expect(divergence.step == 2)
        #expect(divergence.subject.contains("mail_send"))
        #expect(divergence.detail.contains("recipient"))
        #expect(divergence.history["to"] == "ada@example.com")
        #expect(report.text.contains("DIVERGED \(world.scenario.run.runID) (assistant) at step 2 of 3"))
    }

    enum Change: String, CaseIterable {
        case renamedEndpoint, droppedService, deniedByApproval, fewerSteps, lookupArgument
    }

    @Test(arguments: Change.allCases)
    func eachKindOfChangeIsReportedAtItsStep(_ change: Change) async throws {
        let world = try await Self.history(Self.fixture)
        let (scenario, kind, step, mentions): (Scenario, HistoryDivergence.Kind, Int, String) = switch change {
        case .renamedEndpoint:
            (try Self.variant([("- name: send", "- name: deliver"), ("tool: mail_send", "tool: mail_deliver")]), .toolSpec, 2, "does not offer")
        case .droppedService:
            (try Self.variant([("    instructions: Look", "    tools: [crm]\n    instructions: Look")]), .toolSpec, 2, "mail_send")
        case .deniedByApproval:
            (try Self.variant([("    instructions: Look", "    approval:\n      - deny: \"mail_*\"\n    instructions: Look")]), .toolResult, 2, "denies")
        case .fewerSteps:
            (try Self.variant([("    instructions: Look", "    guardrails: {max_steps: 2}\n    instructions: Look")]), .missingModelCall, 3, "model call 3")
        case .lookupArgument:
            (try Self.variant([("{customerID: {type: string}}", "{id: {type: string}}"), ("required: [customerID]", "required: [id]")]),
             .toolSpec, 1, "crm_lookup")
        }
        let report = try await Self.replay(world.checkpointer, against: scenario)
        let divergence = try #require(report.runs.first?.divergence, "\(report.text)")
        #expect(divergence.kind == kind, "\(divergence)")
        #expect(divergence.step == step, "\(divergence)")
        #expect(divergence.description.contains(mentions), "\(divergence)")
    }

    /// A call the history answered without running it (the approval policy asked, the user denied it) runs now
    /// that the policy allows everything: a tool call divergence at that step, not a silently reused denial.
    @Test func aCallTheHistoryNeverRanIsADivergenceWhenTheCurrentCodeRunsIt() async throws {
        let file = "Scenarios/tool-approval.yaml"
        let world = try await Self.history(file)
        let allowAll = try Self.variant(
            [("      - allow: payments_ledger\n      - deny: payments_refund\n      - ask: \"payments_*\"\n", "      - allow: \"*\"\n")], of: file)
        let divergence = try #require(try await Self.replay(world.checkpointer, against: allowAll).runs.first?.divergence)
        #expect(divergence.kind == .toolCall, "\(divergence)")
        #expect(divergence.step == 1)
        #expect(divergence.subject.contains("payments_charge"))
        #expect(divergence.detail.contains("the history did not run this call"))
    }

    /// Checkpoints do not keep the instructions or the list of tools offered; the runs' Trace does, and with it
    /// they are compared too.
    @Test func withTheTraceChangedInstructionsAndToolsAreDivergences() async throws {
        let world = try await Self.history(Self.fixture)
        let instructions = try Self.variant([("Look the customer up, then", "Look the customer up politely, then")])
        #expect(!(try await Self.replay(world.checkpointer, against: instructions)).diverged)
        let changed = try await Self.replay(world.checkpointer, against: instructions, trace: world.trace.all)
        let system = try #require(changed.runs.first?.divergence)
        #expect(system.kind == .requestSystem)
        #expect(system.step == 1)
        #expect(system.detail.contains("from character 20 on"))

        let tools = try Self.variant([("      - name: lookup\n", "      - name: forget\n        description: Forget a customer.\n        input: {type: object}\n        responses:\n          - result: {}\n      - name: lookup\n")])
        let offered = try #require(try await Self.replay(world.checkpointer, against: tools, trace: world.trace.all).runs.first?.divergence)
        #expect(offered.kind == .requestTools)
        #expect(offered.step == 1)
        #expect(offered.detail.contains("newly offered: crm_forget"))
    }

    /// A history whose stored conversation differs from what the code sends (as if the code used to build it
    /// differently) is a request divergence, at the message that differs.
    @Test func aDifferentStoredConversationIsARequestDivergence() async throws {
        let world = try await Self.history(Self.fixture)
        let runID = world.scenario.run.runID
        let tampered = InMemoryCheckpointer()
        for checkpoint in try await world.checkpointer.history(runID: runID) {
            var checkpoint = checkpoint
            if checkpoint.juncture == .beforeModel(step: 2) {
                checkpoint.state.memory.messages[2] = Message(
                    role: .tool, parts: [.toolResult(ToolResultPart(callID: "x", content: ["name": "Grace"]))])
            }
            try await tampered.commit(checkpoint, lease: nil)
        }
        let report = try await Self.replay(tampered, against: try Scenario.load(file: Self.fixture, catalog: .travel))
        let divergence = try #require(report.runs.first?.divergence)
        #expect(divergence.kind == .requestMessages)
        #expect(divergence.step == 2)
        #expect(divergence.subject == "message 2 of 3")
        #expect(divergence.detail.contains("first difference at $.parts[0].toolResult"))
    }

    /// The history's committed calls differ from the ones the current code makes from the same answer (as an
    /// edited approval would make them): a tool call divergence naming the argument.
    @Test func otherCallsThanTheHistorysAreAToolCallDivergence() async throws {
        let world = try await Self.history(Self.fixture)
        let tampered = InMemoryCheckpointer()
        for checkpoint in try await world.checkpointer.history(runID: world.scenario.run.runID) {
            var checkpoint = checkpoint
            for index in checkpoint.state.pendingCalls.indices where checkpoint.state.pendingCalls[index].call.name == "mail_send" {
                checkpoint.state.pendingCalls[index].call.arguments = [
                    "to": "grace@example.com", "subject": "Booking", "text": "Your booking is confirmed.",
                ]
            }
            try await tampered.commit(checkpoint, lease: nil)
        }
        let report = try await Self.replay(tampered, against: try Scenario.load(file: Self.fixture, catalog: .travel))
        let divergence = try #require(report.runs.first?.divergence)
        #expect(divergence.kind == .toolCall)
        #expect(divergence.step == 2)
        #expect(divergence.detail.contains("first difference at $[0].arguments.to"))
    }

    enum Ending: String, CaseIterable { case completedEarlier, otherOutput }

    /// A history that completed after step 2's tools (the current code asks the model a third time), or with
    /// another answer than the current code ends with.
    @Test(arguments: Ending.allCases)
    func extraModelCallsAndOtherEndingsAreDivergences(_ ending: Ending) async throws {
        let world = try await Self.history(Self.fixture)
        let history = try await world.checkpointer.history(runID: world.scenario.run.runID)
        let tampered = InMemoryCheckpointer()
        switch ending {
        case .completedEarlier:
            let cut = try #require(history.firstIndex { $0.juncture == .afterTool(step: 2, index: 0) })
            for checkpoint in history[...cut] { try await tampered.commit(checkpoint, lease: nil) }
            var end = history[cut]
            end.sequence += 1
            end.juncture = .completed
            end.state.status = .completed
            end.state.output = "done"
            try await tampered.commit(end, lease: nil)
        case .otherOutput:
            for var checkpoint in history {
                if checkpoint.state.status == .completed { checkpoint.state.output = "Grace was emailed." }
                try await tampered.commit(checkpoint, lease: nil)
            }
        }
        let report = try await Self.replay(tampered, against: try Scenario.load(file: Self.fixture, catalog: .travel))
        let divergence = try #require(report.runs.first?.divergence)
        switch ending {
        case .completedEarlier:
            #expect(divergence.kind == .extraModelCall)
            #expect(divergence.step == 3)
        case .otherOutput:
            #expect(divergence.kind == .outcome)
            #expect(divergence.history["output"] == "Grace was emailed.")
            #expect(divergence.current["output"] == "Ada was emailed.")
        }
    }

    /// A history that stops mid-run (a crashed process) is compared as far as it goes; a run id the history does
    /// not have is an error.
    @Test func anUnfinishedHistoryIsComparedAsFarAsItGoesAndUnknownRunsAreErrors() async throws {
        let world = try await Self.history(Self.fixture)
        let runID = world.scenario.run.runID
        let cut = InMemoryCheckpointer()
        for checkpoint in try await world.checkpointer.history(runID: runID) {
            if checkpoint.juncture == .beforeModel(step: 3) { break }
            try await cut.commit(checkpoint, lease: nil)
        }
        let scenario = try Scenario.load(file: Self.fixture, catalog: .travel)
        let report = try await Self.replay(cut, against: scenario)
        #expect(!report.diverged, "\(report.text)")
        await #expect(throws: HistoryReplayError.self) { try await Self.replay(cut, against: scenario, runIDs: ["nope"]) }
    }
}
