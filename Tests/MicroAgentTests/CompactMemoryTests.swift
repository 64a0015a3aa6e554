import Micro
import MicroAgent
import Testing

// MARK: Fixtures

private let estimator = TokenEstimator.standard
private let options = ModelOptions(maxTokens: 200)

private func target(_ window: Int) -> ModelInfo {
    ModelInfo(provider: "test", name: "target", contextWindow: window)
}

/// About 100 tokens: one sentence with a numbered fact, then filler without digits or periods.
private func say(_ round: Int, _ who: String) -> String {
    "Round \(round) \(who) says fact-\(round). " + String(repeating: "lorem ipsum dolor ", count: 20)
}

/// `rounds` user/assistant exchanges.
private func conversation(rounds: Int) -> [Message] {
    (0..<rounds).flatMap { [Message.user(say($0, "user")), Message.assistant(say($0, "assistant"))] }
}

/// A summarizer that merges: it repeats the previous summary and adds the first sentence of each new user
/// message (what a faithful model does, deterministically).
private struct MergingSummarizer: Model {
    let info = ModelInfo(provider: "test", name: "merger", contextWindow: 100_000)

    func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        let prompt = request.messages.last?.text ?? ""
        var lines = section("previous_summary", of: prompt).split(separator: "\n").map(String.init)
            .filter { !$0.hasPrefix("(none") }
        for line in section("new_messages", of: prompt).split(separator: "\n") where line.contains(" user] ") {
            let body = line.split(separator: "]", maxSplits: 1).last ?? ""
            let sentence = body.split(separator: ".", maxSplits: 1).first ?? ""
            lines.append("- " + sentence.split(separator: " ").joined(separator: " ") + ".")
        }
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: ModelEvent.self)
        continuation.yield(.textDelta(lines.joined(separator: "\n")))
        continuation.yield(.finish(.endTurn))
        continuation.finish()
        return stream
    }

    private func section(_ tag: String, of text: String) -> String {
        guard let start = text.range(of: "<\(tag)>\n"), let end = text.range(of: "\n</\(tag)>") else { return "" }
        return String(text[start.upperBound..<end.lowerBound])
    }
}

/// Checks what every prepared request must satisfy; returns nothing, records issues.
private func checkInvariants(
    _ prepared: MemoryPreparation, history: [Message], window: Int, reserved: Int, system: String?,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let messages = prepared.messages
    if let first = messages.first { #expect(first.role == .user, sourceLocation: sourceLocation) }
    for (index, message) in messages.enumerated() {
        let calls = Set(message.toolCalls.map(\.id))
        if !calls.isEmpty {
            let next = messages.indices.contains(index + 1) ? messages[index + 1] : nil
            #expect(next?.role == .tool, "tool calls at \(index) not followed by results", sourceLocation: sourceLocation)
            #expect(Set(next?.toolResults.map(\.callID) ?? []) == calls, sourceLocation: sourceLocation)
        }
        if message.role == .tool {
            let previous = index > 0 ? Set(messages[index - 1].toolCalls.map(\.id)) : []
            #expect(!previous.isEmpty, "results at \(index) without their calls", sourceLocation: sourceLocation)
            #expect(Set(message.toolResults.map(\.callID)) == previous, sourceLocation: sourceLocation)
        }
    }
    let tokens = estimator.count(ModelRequest(model: "target", system: system, messages: messages))
    #expect(tokens == prepared.estimatedTokens, sourceLocation: sourceLocation)
    #expect(tokens + reserved <= window, "request of \(tokens) + \(reserved) over \(window)", sourceLocation: sourceLocation)
    // The state is the history's suffix, verbatim.
    let state = prepared.state
    #expect(state.evictedCount + state.messages.count == history.count, sourceLocation: sourceLocation)
    #expect(state.messages == Array(history.suffix(state.messages.count)), sourceLocation: sourceLocation)
    #expect(prepared.recalled.allSatisfy { $0 < state.evictedCount }, sourceLocation: sourceLocation)
}

// MARK: Tests

@Suite struct CompactMemoryTests {
    @Test func underBudgetNothingChanges() async throws {
        let state = MemoryState(messages: [.user("Hello"), .assistant("Hi! How can I help?"), .user("Book a table.")])
        let prepared = try await CompactMemory().prepare(
            state: state, system: "Be brief.", tools: [], info: target(10_000), options: options, runID: "r")
        #expect(prepared.messages == state.messages)
        #expect(prepared.state == state)
        #expect(prepared.compaction == nil)
        #expect(prepared.recalled.isEmpty)
        #expect(prepared.budget == 8_000 - 200)
    }

    @Test func overBudgetKeepsRecentVerbatimAndAsksTheSummarizer() async throws {
        let history = conversation(rounds: 10)
        let summarizer = ScriptedModel([.answer("- The user talked about fact-0 to fact-6.")])
        let memory = CompactMemory(summarizer: .init(model: summarizer, modelName: "small-model"))
        let prepared = try await memory.prepare(
            state: MemoryState(messages: history), system: "Be brief.", tools: [], info: target(2_000),
            options: options, runID: "r")

        let report = try #require(prepared.compaction)
        let state = prepared.state
        #expect(state.messages.count >= memory.minimumRecentMessages)
        #expect(state.messages == Array(history.suffix(state.messages.count)))
        #expect(report.evicted == 0..<state.evictedCount)
        #expect(state.evictedCount + state.messages.count == history.count)
        #expect(state.summary == "- The user talked about fact-0 to fact-6.")
        #expect(state.compactions == 1)
        #expect(report.method == .model)
        #expect(report.tokensAfter < report.tokensBefore)
        #expect(prepared.estimatedTokens + 200 <= 1_600)

        // The summarization request: instructions, the previous summary slot, every evicted message, no kept one.
        let request = try #require(report.summarizationRequest)
        #expect(summarizer.requests == [request])
        #expect(request.model == "small-model")
        #expect(request.system == CompactMemory.Summarizer.defaultInstructions)
        #expect(request.options.maxTokens == 350)
        let prompt = request.messages[0].text
        #expect(prompt.contains("(none yet: this is the first compaction)"))
        for index in report.evicted { #expect(prompt.contains("[#\(index) \(history[index].role.rawValue)] \(history[index].text.prefix(25))")) }
        #expect(!prompt.contains("fact-9"))
        #expect(report.summarizationResponse?.message.text == state.summary)
        // The trace form carries the summarization request and response.
        let json = report.jsonValue
        #expect(json["method"] == "model")
        #expect(json["evicted"] == ["from": 0, "to": .integer(state.evictedCount)])
        #expect(json["summarization"]?["request"]?["system"] == .string(CompactMemory.Summarizer.defaultInstructions))
        #expect(json["summarization"]?["response"]?["message"] != nil)

        // What is sent: the summary leads, as user text, then the verbatim messages.
        #expect(prepared.messages[0].role == .user)
        #expect(prepared.messages[0].text.hasPrefix(CompactMemory.summaryHeader + "- The user talked about"))
        checkInvariants(prepared, history: history, window: 2_000, reserved: 200, system: "Be brief.")
    }

    @Test func extractiveFallbackKeepsTheFirstSentenceOfEachEvictedMessage() async throws {
        let history = conversation(rounds: 10)
        let prepared = try await CompactMemory().prepare(
            state: MemoryState(messages: history), system: nil, tools: [], info: target(2_000), options: options,
            runID: "r")
        let report = try #require(prepared.compaction)
        #expect(report.method == .extractive)
        #expect(report.summarizationRequest == nil)
        let summary = try #require(prepared.state.summary)
        for index in report.evicted {
            let role = history[index].role.rawValue
            #expect(summary.contains("- #\(index) \(role): Round \(index / 2) \(role) says fact-\(index / 2)."))
        }
        #expect(!summary.contains("lorem"))
        #expect(estimator.count(summary) <= 350)
        checkInvariants(prepared, history: history, window: 2_000, reserved: 200, system: nil)
    }

    enum SummaryMode: String, CaseIterable { case extractive, mergingModel }

    @Test(arguments: SummaryMode.allCases)
    func rollingSummaryKeepsRoundOneFacts(mode: SummaryMode) async throws {
        let memory = CompactMemory(
            summaryTokenLimit: 160, summarizer: mode == .mergingModel ? .init(model: MergingSummarizer()) : nil)
        var history: [Message] = []
        var state = MemoryState()
        for round in 0..<40 {
            let question = Message.user(say(round, "user"))
            history.append(question)
            state.messages.append(question)
            let before = state
            let prepared = try await memory.prepare(
                state: state, system: nil, tools: [], info: target(2_000), options: options, runID: "r")
            checkInvariants(prepared, history: history, window: 2_000, reserved: 200, system: nil)
            if let report = prepared.compaction, mode == .mergingModel {
                // Rolling: the summarizer is shown the previous summary, whole.
                let prompt = try #require(report.summarizationRequest).messages[0].text
                #expect(prompt.contains("<previous_summary>\n\(before.summary ?? "(none yet")"))
            }
            state = prepared.state
            let answer = Message.assistant(say(round, "assistant"))
            history.append(answer)
            state.messages.append(answer)
        }
        #expect(state.compactions >= 3)
        let summary = try #require(state.summary)
        #expect(summary.contains("Round 0 user says fact-0."))
        #expect(summary.contains("fact-1."))
        #expect(estimator.count(summary) <= 160)
        #expect(summary.contains("earlier points omitted"))
    }

    @Test(arguments: [UInt64](1...16))
    func randomConversationsKeepEveryInvariant(seed: UInt64) async throws {
        let run = try await simulate(seed: seed)
        #expect(run.compactions > 0 || run.overflowed)
        #expect(run.steps > 0)
    }

    @Test func sameInputsGiveTheSameOutputs() async throws {
        for seed: UInt64 in [3, 7] {
            let first = try await simulate(seed: seed)
            let second = try await simulate(seed: seed)
            #expect(first.preparations == second.preparations)
            #expect(first.archive == second.archive)
        }
    }

    @Test func aggressiveModeHalvesTheBudget() async throws {
        let state = MemoryState(messages: conversation(rounds: 5))
        let memory = CompactMemory()
        let normal = try await memory.prepare(
            state: state, system: nil, tools: [], info: target(2_000), options: options, runID: "r")
        #expect(normal.compaction == nil)
        let aggressive = try await memory.prepare(
            state: state, system: nil, tools: [], info: target(2_000), options: options, runID: "r", aggressive: true)
        let report = try #require(aggressive.compaction)
        #expect(report.aggressive)
        #expect(aggressive.budget == 800 - 200)
        #expect(aggressive.estimatedTokens <= aggressive.budget)
        #expect(aggressive.state.messages.count < state.messages.count)
        checkInvariants(aggressive, history: state.messages, window: 2_000, reserved: 200, system: nil)
    }

    @Test func archivesOnceAndRecallsRelevantMessages() async throws {
        let store = InMemoryStore(environment: .simulated())
        // The archive is passed per call here (as the agent passes its runtime's store).
        let memory = CompactMemory()
        var history = conversation(rounds: 10)
        history[0] = .user("My hotel in Lisbon is the Pestana Palace, booking ZX-4921. " + say(0, "user"))
        let initial = MemoryState(messages: history)
        let first = try await memory.prepare(
            state: initial, system: nil, tools: [], info: target(2_000), options: options,
            runID: "run-1", archive: store)
        let report = try #require(first.compaction)
        #expect(report.archived == Array(report.evicted))

        // One canonical-JSON record per evicted message, keyed by absolute index.
        let namespace = store.namespace("\(MemoryArchive.defaultNamespace)/run-1")
        let records = try await namespace.read(prefix: "")
        #expect(records.map(\.key) == report.evicted.map(MemoryArchive.key(for:)))
        for (offset, record) in records.enumerated() {
            let archived = ArchivedMessage(runID: "run-1", index: offset, message: history[offset])
            #expect(record.value == (try JSONValueEncoder().encode(archived).canonicalBytes()))
        }

        // A re-run after a crash (same input state) writes nothing new and leaves the same records.
        let again = try await memory.prepare(
            state: initial, system: nil, tools: [], info: target(2_000), options: options,
            runID: "run-1", archive: store)
        #expect(again.compaction?.archived == [])
        #expect(again.state == first.state)
        let rewritten = try await namespace.read(prefix: "")
        #expect(rewritten == records)

        // A different message at an archived index is a conflict.
        let archive = MemoryArchive(store: store, runID: "run-1")
        let error = await #expect(throws: StoreError.self) {
            try await archive.archive([ArchivedMessage(runID: "run-1", index: 0, message: .user("something else"))])
        }
        #expect(error?.code == .conflict)

        // Asking about the hotel recalls message #0, in a labelled note that is not checkpointed.
        var state = first.state
        let question = Message.user("Remind me: which hotel did I pick in Lisbon?")
        state.messages.append(question)
        let recalled = try await memory.prepare(
            state: state, system: nil, tools: [], info: target(2_000), options: options,
            runID: "run-1", archive: store)
        #expect(recalled.recalled.first == 0)
        #expect(recalled.recalled.count <= memory.recallLimit)
        let lead = recalled.messages[0].text
        #expect(lead.contains(CompactMemory.recallHeader + "[#0 user] My hotel in Lisbon is the Pestana Palace"))
        #expect(recalled.state.messages.allSatisfy { !$0.text.contains(CompactMemory.recallHeader) })
        #expect(recalled.state.messages.last == question)
        checkInvariants(recalled, history: history + [question], window: 2_000, reserved: 200, system: nil)

        // Messages still verbatim are never recalled, even though the archive holds them.
        let verbatim = try await memory.prepare(
            state: MemoryState(messages: history + [question]), system: nil, tools: [], info: target(100_000),
            options: options, runID: "run-1", archive: store)
        #expect(verbatim.compaction == nil)
        #expect(verbatim.recalled.isEmpty)
        #expect(verbatim.messages == history + [question])
    }

    @Test(arguments: [0, 6])
    func throwsWhenEvenTheLastTurnDoesNotFit(roundsBefore: Int) async throws {
        let huge = Message.user("Please read this. " + String(repeating: "word ", count: 1_000))
        let history = conversation(rounds: roundsBefore) + [huge]
        let error = await #expect(throws: MemoryError.self) {
            try await CompactMemory().prepare(
                state: MemoryState(messages: history), system: nil, tools: [], info: target(1_000),
                options: ModelOptions(maxTokens: 100), runID: "r")
        }
        let excess = try #require(error?.excessTokens)
        #expect(error?.code == .contextOverflow)
        #expect(error?.availableTokens == 1_000)
        #expect(excess > estimator.count(huge) + 100 - 1_000 - 1)
        #expect(error?.message.contains("\(excess) tokens too many") == true)
        if roundsBefore == 0 {
            #expect(excess == estimator.count(huge) + 100 - 1_000)
        }
    }

    @Test func hugeToolResultsAreShortenedWithAMarkerButKeptWhole() async throws {
        let call = ToolCall(id: "c1", name: "read_file", arguments: ["path": "log.txt"])
        let result = ToolResultPart(callID: "c1", content: .string(String(repeating: "line of log\n", count: 500)))
        let state = MemoryState(messages: [
            .user("What does the log say?"), Message(role: .assistant, parts: [.toolCall(call)]),
            Message(role: .tool, parts: [.toolResult(result)]),
        ])
        let memory = CompactMemory(toolResultTokenLimit: 100)
        let prepared = try await memory.prepare(
            state: state, system: nil, tools: [], info: target(4_000), options: options, runID: "r")
        let sent = try #require(prepared.messages.last?.toolResults.first)
        let text = try #require(sent.content.stringValue)
        #expect(text.contains("[… shortened by CompactMemory: the full result has about 1500 tokens]"))
        #expect(estimator.count(text) <= 100)
        #expect(prepared.state == state)
    }

    // MARK: Randomized simulation

    struct Simulation {
        var preparations: [MemoryPreparation] = []
        var archive: [StoreRecord] = []
        var compactions = 0
        var steps = 0
        var overflowed = false
    }

    private static let vocabulary = [
        "flight", "hotel", "lisbon", "porto", "invoice", "refund", "meeting", "budget", "ticket", "train", "42",
        "2025", "window", "seat", "visa", "museum", "dinner", "booking", "confirmed", "cancelled",
    ]

    private func text(_ words: Int, _ random: inout SeededGenerator) -> String {
        (0..<max(1, words)).map { index in
            Self.vocabulary.randomElement(using: &random)! + (index % 9 == 8 ? "." : "")
        }.joined(separator: " ")
    }

    /// Drives a conversation with tool loops through `prepare` the way the agent does, checking invariants.
    private func simulate(seed: UInt64) async throws -> Simulation {
        var random = SeededGenerator(seed: seed)
        let window = Int.random(in: 1_500...6_000, using: &random)
        let reserved = Int.random(in: 50...300, using: &random)
        let system = Bool.random(using: &random) ? "You are a travel agent." : nil
        let store = InMemoryStore(environment: .simulated(seed: seed))
        let memory = CompactMemory(
            minimumRecentMessages: Int.random(in: 0...6, using: &random),
            recentShare: [0.3, 0.5, 0.8].randomElement(using: &random)!,
            summaryTokenLimit: Int.random(in: 64...512, using: &random),
            summarizer: Bool.random(using: &random) ? .init(model: MergingSummarizer()) : nil,
            archive: store)
        var simulation = Simulation()
        var history: [Message] = []
        var state = MemoryState()

        func prepare() async throws -> Bool {
            do {
                let prepared = try await memory.prepare(
                    state: state, system: system, tools: [], info: target(window),
                    options: ModelOptions(maxTokens: reserved), runID: "sim")
                checkInvariants(prepared, history: history, window: window, reserved: reserved, system: system)
                if let report = prepared.compaction {
                    #expect(report.evicted.lowerBound == state.evictedCount)
                    #expect(prepared.state.compactions == state.compactions + 1)
                    simulation.compactions += 1
                }
                simulation.preparations.append(prepared)
                simulation.steps += 1
                state = prepared.state
                return true
            } catch let error as MemoryError {
                #expect(error.code == .contextOverflow)
                #expect((error.excessTokens ?? 0) > 0)
                simulation.overflowed = true
                return false
            }
        }

        conversation: for step in 0..<25 {
            // Now and then a message too large for any request.
            let words = Int.random(in: 0..<40, using: &random) == 0 ? window : Int.random(in: 3...200, using: &random)
            let question = Message.user(text(words, &random))
            history.append(question)
            state.messages.append(question)
            guard try await prepare() else { break conversation }
            for loop in 0..<Int.random(in: 0...3, using: &random) {
                let calls = (0..<Int.random(in: 1...3, using: &random)).map { index in
                    ToolCall(id: "s\(step)-l\(loop)-c\(index)", name: "search", arguments: ["q": .string(text(3, &random))])
                }
                let results = calls.map { call in
                    MessagePart.toolResult(
                        ToolResultPart(callID: call.id, content: ["value": .string(text(Int.random(in: 3...150, using: &random), &random))]))
                }
                let turn = [Message(role: .assistant, parts: calls.map(MessagePart.toolCall)), Message(role: .tool, parts: results)]
                history += turn
                state.messages += turn
                guard try await prepare() else { break conversation }
            }
            let answer = Message.assistant(text(Int.random(in: 3...120, using: &random), &random))
            history.append(answer)
            state.messages.append(answer)
        }
        simulation.archive = try await store.read(prefix: "", in: "\(MemoryArchive.defaultNamespace)/sim", limit: nil, offset: 0)
        #expect(simulation.archive.count == state.evictedCount)
        return simulation
    }
}
