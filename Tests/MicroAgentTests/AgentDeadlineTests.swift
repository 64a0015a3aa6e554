import Micro
import MicroAgent
import Synchronization
import Testing

/// What hung work saw, in order.
final class Notes: Sendable {
    private let lines = Mutex<[String]>([])
    func note(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

/// A model whose first `hangs` calls never answer (until cancelled); later calls go to `base`.
struct HangingModel: Model {
    let base: ScriptedModel
    let hangs: Int
    let environment: Environment
    let notes: Notes
    private let calls = CallCount()

    init(_ turns: [ScriptedModel.Turn], hangs: Int, environment: Environment, notes: Notes) {
        base = ScriptedModel(turns)
        self.hangs = hangs
        self.environment = environment
        self.notes = notes
    }

    var info: ModelInfo { base.info }

    func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        let call = calls.next()
        guard call <= hangs else { return base.stream(request) }
        let environment = environment, notes = notes
        return AsyncThrowingStream(unfolding: {
            do {
                try await environment.hang()
            } catch {
                notes.note("model call \(call) cancelled: \(Task.isCancelled)")
                throw error
            }
        })
    }
}

/// Counts calls, from 1.
final class CallCount: Sendable {
    private let count = Mutex(0)
    func next() -> Int {
        count.withLock { count in
            count += 1
            return count
        }
    }
}

struct Query: Codable, Sendable {
    var query: String
}

/// Tool, model and run deadlines cancel the work in flight; the Trace says which deadline fired.
@Suite struct AgentDeadlineTests {
    /// A tool that never answers, noting the cancellation it sees.
    static func hangingTool(_ notes: Notes) throws -> Tool {
        try Tool(name: "hang_lookup", description: "Never answers.") { (_: Query, context: CallContext) async throws -> Query in
            notes.note("tool started")
            do {
                try await context.environment.hang()
            } catch {
                notes.note("tool cancelled: \(Task.isCancelled)")
                throw error
            }
        }
    }

    static func toolAgent(_ notes: Notes, _ guardrails: Guardrails) throws -> Agent {
        var caller = agent(
            "caller", [.calls([call("h1", "hang_lookup", ["query": "x"])]), .answer("the lookup timed out")],
            tools: .services([]), guardrails: guardrails)
        caller.extraTools = [try hangingTool(notes)]
        return caller
    }

    static func deadlineEvents(_ trace: Trace) -> [JSONValue] {
        trace.events(.deadlineExceeded).compactMap { $0.data["deadline"] }
    }

    static func elapsed(_ trace: Trace, _ event: TraceEvent) -> Duration {
        event.at.duration(since: trace.events(.runStarted)[0].at)
    }

    @Test func aHangingToolIsCancelledByItsDeadlineAndTheModelReadsTheError() async throws {
        let world = try await AgentWorld()
        let notes = Notes()
        let runner = world.runner([try Self.toolAgent(notes, Guardrails(toolCallTimeout: .seconds(5)))])
        let result = try await runner.run("caller", input: "go")
        #expect(result.status == .completed)
        #expect(notes.all == ["tool started", "tool cancelled: true"])
        let toolResult = try #require(runner.trace.events(.toolResult).first)
        #expect(toolResult.data["isError"] == true)
        #expect(toolResult.data["content"]?["error"]?["code"] == "deadline_exceeded")
        #expect(toolResult.data["content"]?["error"]?["details"]?["deadline"]?["kind"] == "tool")
        let message = toolResult.data["content"]?["error"]?["message"]?.stringValue ?? ""
        #expect(message.contains("tool hang_lookup (call h1): the tool deadline (5s)"), "\(message)")
        #expect(Self.elapsed(runner.trace, toolResult) == .seconds(5))
        // The error is what the model reads next.
        let request = try #require(runner.trace.events(.modelRequest).last)
        #expect(request.data["lastMessage"]?.canonicalString().contains("deadline_exceeded") == true)
    }

    @Test func aHangingModelStreamIsCancelledByTheModelDeadlineAndRetried() async throws {
        let world = try await AgentWorld()
        let notes = Notes()
        var thinker = agent("thinker", [], guardrails: Guardrails(
            modelCallTimeout: .seconds(30), retry: RetryPolicy(maxAttempts: 2, initialDelay: .seconds(1), jitter: 0)))
        thinker.model = HangingModel([.answer("second time lucky")], hangs: 1, environment: world.environment, notes: notes)
        let runner = world.runner([thinker])
        let result = try await runner.run("thinker", input: "go")
        #expect(result.status == .completed)
        #expect(result.output == "second time lucky")
        #expect(notes.all == ["model call 1 cancelled: true"])
        let cut = try #require(runner.trace.events(.deadlineExceeded).first)
        #expect(cut.data["deadline"]?["kind"] == "model")
        #expect(cut.data["deadline"]?["limitMs"] == 30000)
        #expect(Self.elapsed(runner.trace, cut) == .seconds(30))
        let error = try #require(runner.trace.events(.modelError).first)
        #expect(error.data["code"] == "deadline_exceeded")
        #expect(runner.trace.events(.modelRetry).count == 1)
    }

    @Test func aModelDeadlineWithNoRetryLeftFailsTheRunNamingTheDeadline() async throws {
        let world = try await AgentWorld()
        var thinker = agent("thinker", [], guardrails: Guardrails(modelCallTimeout: .seconds(30), retry: RetryPolicy(maxAttempts: 1)))
        thinker.model = HangingModel([.answer("never")], hangs: 1, environment: world.environment, notes: Notes())
        let result = try await world.runner([thinker]).run("thinker", input: "go")
        #expect(result.failure?.code == "model_error")
        #expect(result.failure?.message.contains("model call of step 1: the model deadline (30s)") == true, "\(String(describing: result.failure))")
    }

    @Test(arguments: ["model", "tool"])
    func theRunDeadlineEndsARunWhoseStepHangs(step: String) async throws {
        let world = try await AgentWorld()
        let notes = Notes()
        var caller = try Self.toolAgent(notes, Guardrails(runTimeout: .seconds(60)))
        if step == "model" {
            caller.model = HangingModel([.answer("never")], hangs: 1, environment: world.environment, notes: notes)
        }
        let runner = world.runner([caller])
        let result = try await runner.run("caller", input: "go", runID: "r1")
        #expect(result.status == .failed)
        #expect(result.failure?.code == "deadline")
        #expect(result.failure?.message.contains("the run deadline (60s)") == true, "\(String(describing: result.failure))")
        #expect(notes.all.last == "\(step) \(step == "model" ? "call 1 " : "")cancelled: true")
        let cut = try #require(runner.trace.events(.deadlineExceeded).first)
        #expect(cut.data["deadline"]?["kind"] == "run")
        #expect(Self.elapsed(runner.trace, cut) == .seconds(60))
        #expect(runner.trace.events(.toolResult).isEmpty, "a call the run's deadline cut is never answered")
        // The cut call is not recorded as completed, and resuming the finished run does not redo it.
        let latest = try #require(try await world.checkpointer.latest(runID: "r1"))
        #expect(latest.state.pendingCalls.allSatisfy { $0.status != .completed })
        let resumed = try await runner.resume(runID: "r1")
        #expect(resumed.status == .failed)
        #expect(notes.all.count(where: { $0 == "tool started" }) == (step == "tool" ? 1 : 0))
    }

    /// The earlier deadline fires and the Trace names it; on a tie the run's (it ends more).
    @Test(arguments: [(5, 60, "tool", RunState.Status.completed), (120, 60, "run", .failed), (60, 60, "run", .failed)])
    func theTraceNamesTheDeadlineThatCutATool(tool: Int64, run: Int64, kind: String, status: RunState.Status) async throws {
        let world = try await AgentWorld()
        let notes = Notes()
        let guardrails = Guardrails(toolCallTimeout: .seconds(tool), runTimeout: .seconds(run))
        let runner = world.runner([try Self.toolAgent(notes, guardrails)])
        let result = try await runner.run("caller", input: "go")
        #expect(result.status == status)
        let cut = try #require(runner.trace.events(.deadlineExceeded).first)
        #expect(Self.deadlineEvents(runner.trace).count == 1)
        #expect(cut.data["deadline"]?["kind"] == .string(kind))
        #expect(cut.data["callID"] == "h1")
        #expect(cut.data["tool"] == "hang_lookup")
        #expect(Self.elapsed(runner.trace, cut) == .seconds(min(tool, run)))
    }
}
