import Micro
import MicroAgent
import Testing

/// `RunState.canonicalJSON()` and `RunStateEncoder` are hand-written twins of the synthesized `Codable`:
/// they must give exactly `JSONValueEncoder().encode(state).canonicalBytes()`.
@Suite struct RunStateCanonicalJSONTests {
    static func reference(_ state: RunState) throws -> String {
        try JSONValueEncoder().encode(state).canonicalString()
    }

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    static let awkward =
        "quote \" backslash \\ slash / newline \n tab \t cr \r bs \u{8} ff \u{C} nul \u{0} us \u{1F} del \u{7F} é 😀"

    static func call(_ id: String, _ arguments: JSONValue) -> ToolCall { ToolCall(id: id, name: "tool.\(id)", arguments: arguments) }

    /// Every optional set, every container non-empty, every kind of JSON value and awkward text.
    static var full: RunState { full(nan: true) }

    static func full(nan: Bool) -> RunState {
        var state = RunState(runID: "run/1 " + awkward, agent: "agent " + awkward, parentRunID: "parent " + awkward,
                             depth: 2, startedAt: Timestamp(millisecondsSinceEpoch: -1))
        state.status = .waitingForInput
        state.phase = .runTools
        state.step = Int.max
        state.checkpointCount = Int.min
        var arguments: JSONValue = [
            "z": 1, "a": -0.0, "A": 1e-7, "é": 2.0, "\u{E000}": 1e300, "\u{10000}": -5, "": .null, "b": true,
            "nested": ["list": [1, 2.5, "x", .null, false, [:], []], "k": ["zz": 1, "aa": 2]], "s": .string(awkward),
            "big": .number(123_456_789.123),
        ]
        if nan, case .object(var members) = arguments {
            members["nan"] = .number(.nan)
            arguments = .object(members)
        }
        state.memory = MemoryState(
            messages: [
                .user(awkward),
                Message(role: .assistant, parts: [
                    .reasoning(ReasoningPart(text: "think " + awkward, signature: "sig/" + awkward)),
                    .reasoning(ReasoningPart(text: "", redactedData: "opaque")), .reasoning(ReasoningPart(text: "unsigned")),
                    .text(""), .toolCall(call("c1", arguments)), .toolCall(call("c2", [:])),
                    .toolCall(ToolCall(id: "c3", name: "signed", arguments: [:], signature: "sig " + awkward)),
                ]),
                Message(role: .tool, parts: [.toolResult(ToolResultPart(callID: "c1", content: arguments, isError: true)),
                                             .toolResult(ToolResultPart(callID: "c2", content: "plain"))]),
                Message(role: .assistant, parts: []),
            ],
            summary: "summary " + awkward, evictedCount: 7, compactions: 3)
        state.plan = Plan(steps: Plan.Status.allCases.map { Plan.Step(title: "\($0) " + awkward, status: $0) })
        var completed = PendingCall(index: 1, call: call("p1", ["x": 1]), key: IdempotencyKey(runID: "r", step: 3, callIndex: 1))
        completed.status = .completed
        completed.attempts = 2
        completed.result = ToolResultPart(callID: "p1", content: ["ok": true])
        completed.approval = ApprovalDecision(approved: false, reason: "reason " + awkward)
        var started = PendingCall(index: 2, call: call("p2", [1, 2]), key: IdempotencyKey(runID: "r", step: 3, callIndex: 2))
        started.status = .started
        started.approval = ApprovalDecision(approved: true, edited: true)
        state.pendingCalls = [PendingCall(index: 0, call: call("p0", .null), key: IdempotencyKey(runID: "r", step: 3, callIndex: 0)),
                              completed, started]
        state.usage = Usage(inputTokens: 123, outputTokens: -4, cachedInputTokens: 7)
        state.counters.toolCalls = 9
        state.counters.modelRetries = 1
        state.counters.identicalCalls = ["b": 1, "a": 2, "B": 3, "é": 4, "\u{E000}": 5, "\u{10000}": 6, awkward: 7, "": 8]
        state.children = [ChildRun(runID: "child " + awkward, agent: "helper", callID: "d1", status: .cancelled),
                          ChildRun(runID: "child2", agent: "helper", callID: "d2", status: .running)]
        state.inputRequest = InputRequest(
            callID: "ask", prompt: "prompt " + awkward, childRunID: "child " + awkward,
            approval: ApprovalRequest(tool: "pay " + awkward, callID: "ask", arguments: arguments, rule: "ask p*", invalidAnswers: 2))
        state.output = "output " + awkward
        state.failure = RunFailure(code: "max_steps", message: "failure " + awkward)
        state.fork = ForkOrigin(runID: "parent " + awkward, sequence: 4, juncture: .afterTool(step: 2, index: 1), edit: "edit " + awkward)
        var flow = FlowProgress(flow: "flow " + awkward, trigger: ["kind": "topic", "data": ["z": 1, "a": [true, .null]]],
                                state: ["input": .string(awkward), "n": -3], firstStage: "stage")
        flow.feedback = "feedback " + awkward
        flow.candidate = ["x": 1.5]
        flow.output = "output " + awkward
        flow.modelCalls = ["b": 1, "a": 2]
        flow.completed = ["one", "two"]
        flow.phase = .verify
        state.flow = flow
        return state
    }

    static var states: [RunState] {
        var oneOfEach = RunState(runID: "r", agent: "a", startedAt: Timestamp(millisecondsSinceEpoch: 0))
        oneOfEach.counters.identicalCalls = ["only": 1]
        oneOfEach.plan = Plan()
        oneOfEach.inputRequest = InputRequest(
            callID: "c", prompt: "p", approval: ApprovalRequest(tool: "t", callID: "c", arguments: [:], rule: nil))
        return [RunState(runID: "", agent: "", startedAt: Timestamp(millisecondsSinceEpoch: 1_767_225_600_000)), oneOfEach, full]
    }

    @Test(arguments: states)
    func canonicalJSONIsTheCodableEncoding(_ state: RunState) throws {
        #expect(Self.text(state.canonicalJSON()) == (try Self.reference(state)))
    }

    /// Decodes back to an equal state (without NaN, which JSON writes as null).
    @Test func canonicalJSONDecodesToAnEqualState() throws {
        let state = Self.full(nan: false)
        #expect(try JSONValueDecoder().decode(RunState.self, from: JSONValue(parsing: state.canonicalJSON())) == state)
    }

    /// A field added to any type in the state must be added to the hand-written encoding too: this fails until
    /// `RunState+CanonicalJSON.swift` / `CanonicalJSONWriter.swift` are updated (and then these counts).
    @Test func storedPropertyCountsMatchTheHandWrittenEncoding() {
        let state = Self.full
        let counts: [(String, Int, Int)] = [
            ("RunState", Mirror(reflecting: state).children.count, 20),
            ("ForkOrigin", Mirror(reflecting: state.fork!).children.count, 4),
            ("MemoryState", Mirror(reflecting: state.memory).children.count, 4),
            ("Message", Mirror(reflecting: state.memory.messages[0]).children.count, 2),
            ("ToolCall", Mirror(reflecting: state.pendingCalls[0].call).children.count, 4),
            ("ReasoningPart", Mirror(reflecting: ReasoningPart(text: "")).children.count, 3),
            ("ToolResultPart", Mirror(reflecting: state.pendingCalls[1].result!).children.count, 3),
            ("PendingCall", Mirror(reflecting: state.pendingCalls[0]).children.count, 7),
            ("ApprovalDecision", Mirror(reflecting: state.pendingCalls[1].approval!).children.count, 3),
            ("IdempotencyKey", Mirror(reflecting: state.pendingCalls[0].key).children.count, 3),
            ("Usage", Mirror(reflecting: state.usage).children.count, 3),
            ("Counters", Mirror(reflecting: state.counters).children.count, 3),
            ("Plan", Mirror(reflecting: state.plan!).children.count, 1),
            ("Plan.Step", Mirror(reflecting: state.plan!.steps[0]).children.count, 2),
            ("ChildRun", Mirror(reflecting: state.children[0]).children.count, 4),
            ("InputRequest", Mirror(reflecting: state.inputRequest!).children.count, 4),
            ("ApprovalRequest", Mirror(reflecting: state.inputRequest!.approval!).children.count, 5),
            ("RunFailure", Mirror(reflecting: state.failure!).children.count, 2),
            ("Timestamp", Mirror(reflecting: state.startedAt).children.count, 1),
        ]
        for (type, actual, encoded) in counts {
            #expect(actual == encoded, "\(type) has \(actual) stored properties; the canonical JSON writer encodes \(encoded)")
        }
    }

    // MARK: RunStateEncoder

    @Test func encoderMatchesAcrossAGrowingChangingRun() throws {
        let encoder = RunStateEncoder()
        var state = Self.full
        var steps: [RunState] = []
        for i in 0..<6 {
            state.memory.messages.append(.assistant("step \(i)"))
            state.step = i
            steps.append(state)
        }
        var edited = state
        edited.memory.messages[1] = .user("replaced at the same index")
        steps.append(edited)
        var compacted = edited
        compacted.memory.messages.removeFirst(3)
        compacted.memory.summary = "compacted"
        steps.append(compacted)
        steps.append(compacted)
        var decoded = try JSONValueDecoder().decode(RunState.self, from: JSONValue(parsing: compacted.canonicalJSON()))
        decoded.memory.messages.append(.user("after a resume"))
        steps.append(decoded)
        for (i, step) in steps.enumerated() {
            #expect(Self.text(encoder.encode(step)) == (try Self.reference(step)), "step \(i)")
        }
    }

    @Test(arguments: [0, 1, 2])
    func encoderStaysCorrectWhenRunsAreEvicted(capacity: Int) throws {
        let encoder = RunStateEncoder(runCapacity: capacity)
        var runs = (0..<3).map { RunState(runID: "run-\($0)", agent: "a", startedAt: Timestamp(millisecondsSinceEpoch: 0)) }
        for round in 0..<4 {
            for index in runs.indices {
                runs[index].memory.messages.append(.user("run \(index) round \(round)"))
                if round == 2 { runs[index].memory.messages[0] = .assistant("rewritten \(index)") }
                #expect(Self.text(encoder.encode(runs[index])) == (try Self.reference(runs[index])))
            }
        }
    }
}
