import Micro

/// Token-budgeted memory: keeps the recent conversation verbatim and folds older turns into a rolling
/// summary, so every request fits the model's context window. The agent loop calls
/// ``prepare(state:system:tools:info:options:runID:archive:aggressive:)`` before every model call and checkpoints
/// the returned state.
///
/// ## Policy
/// - **Budget**: the request's input may take `contextWindow × budgetShare − reservedOutput` tokens
///   (estimated with ``estimator``); the reserved output is the request's `maxTokens` or
///   ``reservedOutputTokens``. Under budget, nothing changes.
/// - **Eviction** cuts only at turn boundaries: before a user or assistant message, never before a tool
///   message and never between a tool call and its result. It evicts the oldest messages until the verbatim
///   part takes at most ``recentShare`` of what the budget leaves after system, tools and summary, keeping
///   at least ``minimumRecentMessages``; if that is not enough it keeps less (down to the last turn).
///   Beyond the budget, the hard limit is the context window less the reserved output: if even the summary
///   and the last turn do not fit, it throws ``MemoryError/Code/contextOverflow`` saying by how much. It
///   never cuts user text; only tool results may be shortened, with a marker (``toolResultTokenLimit``).
/// - **Summary**: rolling — the summarizer (or the extractive fallback) rewrites the previous summary plus
///   the newly evicted messages, bounded by ``summaryTokenLimit`` (when too long, the oldest and the latest
///   points survive and the middle collapses into one marker line counting the omitted points).
/// - **Archive and recall**: evicted messages are archived (``MemoryArchive``); on every call the archived
///   messages sharing the most keywords with the latest user or tool message are shown (up to
///   ``recallLimit``, within the budget) in a labelled note that is not checkpointed.
/// - The summary and the note lead the request as user text: merged into the first verbatim message when
///   it is a user message, otherwise as a user message of their own, so roles keep alternating.
/// - Deterministic: no clock, no randomness; the same inputs give the same outputs.
public struct CompactMemory: Sendable {
    /// A model that writes the rolling summary.
    public struct Summarizer: Sendable {
        public var model: any Model
        /// The model identifier sent in summarization requests.
        public var modelName: String
        /// The system instructions of summarization requests.
        public var instructions: String

        public init(model: any Model, modelName: String? = nil, instructions: String = Summarizer.defaultInstructions) {
            self.model = model
            self.modelName = modelName ?? model.info.name
            self.instructions = instructions
        }

        public static let defaultInstructions = """
            You maintain the running summary of a conversation between a user and an AI agent that calls tools. \
            The oldest messages are being removed from the agent's context; afterwards your summary is all the \
            agent will know about them. Rewrite the previous summary so that it also covers the new messages:
            - keep every fact of the previous summary that may still matter: names, numbers, amounts, dates, \
            identifiers and references, decisions, the user's goals, preferences and constraints, tool results, \
            open tasks and questions;
            - add what the new messages contribute, in chronological order;
            - drop greetings, repetition and dead ends;
            - never invent or guess anything.
            Write terse bullet points, one fact per line. Answer with the summary only.
            """
    }

    /// Text that introduces the summary in a request.
    public static let summaryHeader =
        "Summary of the conversation so far (older messages were condensed to fit the context window):\n"
    /// Text that introduces recalled messages in a request.
    public static let recallHeader =
        "Recalled from earlier in this conversation (archived messages matching the latest message; for reference only):\n"

    /// Share of the context window the request (input plus reserved output) may fill.
    public var budgetShare: Double
    /// Output tokens reserved when the request's options set no `maxTokens`.
    public var reservedOutputTokens: Int
    /// Messages kept verbatim at least (unless even they do not fit the budget).
    public var minimumRecentMessages: Int
    /// After a compaction, the verbatim messages take at most this share of what the budget leaves after
    /// system, tools and summary (when possible), so that compactions do not follow each other every turn.
    public var recentShare: Double
    /// Upper bound of the summary, in tokens (at most a quarter of the budget is used).
    public var summaryTokenLimit: Int
    /// If set, tool results longer than this many tokens are sent shortened, ending with an explicit
    /// marker; the checkpointed state and the archive keep them whole.
    public var toolResultTokenLimit: Int?
    public var estimator: TokenEstimator
    /// Writes the summary; nil uses the extractive fallback.
    public var summarizer: Summarizer?
    /// Where evicted messages are archived (``MemoryArchive``); nil archives nothing and recalls nothing.
    public var archive: (any Store)?
    /// The namespace prefix of the archive; each run gets `"<prefix>/<runID>"`.
    public var archiveNamespace: String
    /// How many archived messages keyword recall may inject (0 disables recall).
    public var recallLimit: Int
    /// Upper bound of one recalled message, in tokens.
    public var recallItemTokenLimit: Int
    /// Whether memory compacts at all. When false, every request carries the whole conversation however
    /// large (no eviction, summary, recall or overflow error): a baseline showing what compaction prevents.
    public var compacts: Bool = true

    public init(
        budgetShare: Double = 0.8,
        reservedOutputTokens: Int = 4096,
        minimumRecentMessages: Int = 4,
        recentShare: Double = 0.5,
        summaryTokenLimit: Int = 1024,
        toolResultTokenLimit: Int? = nil,
        estimator: TokenEstimator = .standard,
        summarizer: Summarizer? = nil,
        archive: (any Store)? = nil,
        archiveNamespace: String = MemoryArchive.defaultNamespace,
        recallLimit: Int = 3,
        recallItemTokenLimit: Int = 200
    ) {
        precondition(budgetShare > 0 && budgetShare <= 1, "budgetShare must be in (0, 1]")
        precondition(recentShare > 0 && recentShare <= 1, "recentShare must be in (0, 1]")
        self.budgetShare = budgetShare
        self.reservedOutputTokens = reservedOutputTokens
        self.minimumRecentMessages = max(0, minimumRecentMessages)
        self.recentShare = recentShare
        self.summaryTokenLimit = max(0, summaryTokenLimit)
        self.toolResultTokenLimit = toolResultTokenLimit
        self.estimator = estimator
        self.summarizer = summarizer
        self.archive = archive
        self.archiveNamespace = archiveNamespace
        self.recallLimit = max(0, recallLimit)
        self.recallItemTokenLimit = max(0, recallItemTokenLimit)
    }

    /// Builds the messages of the next request from `state`, compacting first if the request would pass the
    /// budget. `archive`, when given, is used instead of the configured ``archive`` (the runtime's store).
    /// `aggressive` (after a provider still reported the context length exceeded) halves the budget share.
    /// Throws ``MemoryError/Code/contextOverflow`` when even the smallest request does not fit, and
    /// rethrows summarizer and archive errors.
    public func prepare(
        state: MemoryState, system: String?, tools: [ToolSpec], info: ModelInfo, options: ModelOptions,
        runID: String, archive: (any Store)? = nil, aggressive: Bool = false
    ) async throws -> MemoryPreparation {
        let archive = archive ?? self.archive
        let reserved = max(0, options.maxTokens ?? reservedOutputTokens)
        let limit = info.contextWindow - reserved
        let share = aggressive ? budgetShare / 2 : budgetShare
        let budget = min(limit, Int((Double(info.contextWindow) * share).rounded(.down)) - reserved)
        let fixed = estimator.count(ModelRequest(model: info.name, system: system, messages: [], tools: tools))
        func tokens(_ messages: [Message]) -> Int { fixed + estimator.count(messages) }

        let messages = state.messages.map(shortened)
        let before = tokens(Self.assemble(summary: state.summary, note: nil, kept: messages))
        guard compacts else {
            return MemoryPreparation(
                messages: Self.assemble(summary: state.summary, note: nil, kept: messages), state: state, compaction: nil,
                recalled: [], estimatedTokens: before, budget: budget)
        }
        let summaryLimit = min(summaryTokenLimit, max(32, budget / 4))

        var newState = state
        var kept = messages
        var report: CompactionReport?
        if before > budget,
            let cut = try cut(
                messages, before: before, fixed: fixed, summaryLimit: summaryLimit, budget: budget, limit: limit,
                reserved: reserved, info: info, evictedCount: state.evictedCount)
        {
            let evicted = Self.archived(state.messages[..<cut], from: state.evictedCount, runID: runID)
            var written: [Int] = []
            if let archive {
                written = try await MemoryArchive(store: archive, runID: runID, namespacePrefix: archiveNamespace)
                    .archive(evicted)
            }
            let summary = try await summarize(previous: state.summary, evicted: evicted, limit: summaryLimit)
            newState = MemoryState(
                messages: Array(state.messages[cut...]), summary: summary.text,
                evictedCount: state.evictedCount + cut, compactions: state.compactions + 1)
            kept = Array(messages[cut...])
            report = CompactionReport(
                evicted: state.evictedCount..<(state.evictedCount + cut), tokensBefore: before,
                tokensAfter: tokens(Self.assemble(summary: summary.text, note: nil, kept: kept)), budget: budget,
                aggressive: aggressive, summary: summary.text, method: summary.method,
                summarizationRequest: summary.request, summarizationResponse: summary.response, archived: written)
        }

        let recalled = try await recall(
            state: newState, runID: runID, archive: archive,
            room: budget - tokens(Self.assemble(summary: newState.summary, note: nil, kept: kept)))
        let note = recalled.isEmpty ? nil : Self.recallHeader + recalled.map(\.line).joined(separator: "\n")
        let sent = Self.assemble(summary: newState.summary, note: note, kept: kept)
        let estimated = tokens(sent)
        guard estimated <= limit else {
            // Unreachable with a subadditive estimator (every planning step above uses upper bounds).
            throw MemoryError(
                .contextOverflow,
                "the prepared request needs ~\(estimated) input tokens + \(reserved) reserved for output, but the context window of \(info.name) is \(info.contextWindow): \(estimated + reserved - info.contextWindow) tokens too many",
                requiredTokens: estimated + reserved, availableTokens: info.contextWindow)
        }
        return MemoryPreparation(
            messages: sent, state: newState, compaction: report, recalled: recalled.map(\.index),
            estimatedTokens: estimated, budget: budget)
    }

    // MARK: Eviction

    /// Indices before which the conversation may be cut (keeping `messages[cut...]`), ascending, excluding 0
    /// and `messages.count`: a cut never starts at a tool message and never falls between a tool call and
    /// the message holding its result.
    static func cutPoints(_ messages: [Message]) -> [Int] {
        var lastResult: [String: Int] = [:]
        for (index, message) in messages.enumerated() {
            for result in message.toolResults { lastResult[result.callID] = index }
        }
        var cuts: [Int] = []
        var openUntil = -1
        for (index, message) in messages.enumerated() {
            if index > 0, openUntil < index, message.role != .tool, message.toolResults.isEmpty { cuts.append(index) }
            for call in message.toolCalls {
                if let result = lastResult[call.id] { openUntil = max(openUntil, result) }
            }
        }
        return cuts
    }

    /// Where to cut, or nil to send everything as it is.
    private func cut(
        _ messages: [Message], before: Int, fixed: Int, summaryLimit: Int, budget: Int, limit: Int, reserved: Int,
        info: ModelInfo, evictedCount: Int
    ) throws -> Int? {
        var suffix = [Int](repeating: 0, count: messages.count + 1)
        for index in messages.indices.reversed() { suffix[index] = suffix[index + 1] + estimator.count(messages[index]) }
        // Upper bound of the summary's cost, whether merged into the first message or on its own.
        let leading = estimator.count(Message.user(Self.summaryHeader)) + estimator.count("\n\n") + summaryLimit
        func tokens(_ cut: Int) -> Int { fixed + leading + suffix[cut] }

        let cuts = Self.cutPoints(messages)
        let preferred = cuts.filter { $0 <= messages.count - minimumRecentMessages }
        let recentTarget = Int((Double(max(0, budget - fixed - leading)) * recentShare).rounded(.down))
        if let cut = preferred.first(where: { suffix[$0] <= recentTarget && tokens($0) <= budget }) { return cut }
        if let cut = preferred.last, tokens(cut) <= budget { return cut }
        if let cut = cuts.first(where: { tokens($0) <= budget }) { return cut }
        if before <= limit { return nil }
        if let cut = cuts.first(where: { tokens($0) <= limit }) { return cut }

        let smallest = cuts.last.map(tokens) ?? before
        let from = evictedCount + (cuts.last ?? 0)
        let turn = messages.count - (cuts.last ?? 0) == 1
            ? "message #\(from)" : "messages #\(from)–#\(evictedCount + messages.count - 1)"
        throw MemoryError(
            .contextOverflow,
            "even the smallest request (system, tools, summary and the last turn, \(turn)) needs ~\(smallest) input tokens + \(reserved) reserved for output, but the context window of \(info.name) is \(info.contextWindow): \(smallest + reserved - info.contextWindow) tokens too many",
            requiredTokens: smallest + reserved, availableTokens: info.contextWindow)
    }

    /// The evicted messages as archive records, tool results labelled with the names of their calls.
    static func archived(_ messages: ArraySlice<Message>, from start: Int, runID: String) -> [ArchivedMessage] {
        var names: [String: String] = [:]
        return messages.enumerated().map { offset, message in
            for call in message.toolCalls { names[call.id] = call.name }
            var toolNames: [String: String] = [:]
            for result in message.toolResults { toolNames[result.callID] = names[result.callID] }
            return ArchivedMessage(runID: runID, index: start + offset, message: message, toolNames: toolNames)
        }
    }

    /// `message` with tool results over ``toolResultTokenLimit`` shortened, ending with an explicit marker.
    private func shortened(_ message: Message) -> Message {
        guard let toolResultTokenLimit, !message.toolResults.isEmpty else { return message }
        var message = message
        message.parts = message.parts.map { part in
            guard case .toolResult(var result) = part else { return part }
            let text = MemoryText.content(result.content)
            let size = estimator.count(text)
            guard size > toolResultTokenLimit else { return part }
            let marker = "\n[… shortened by CompactMemory: the full result has about \(size) tokens]"
            result.content = .string(MemoryText.clip(text, to: toolResultTokenLimit, estimator: estimator, marker: marker))
            return .toolResult(result)
        }
        return message
    }

    // MARK: Summary

    private struct Summary {
        var text: String
        var method: CompactionReport.Method
        var request: ModelRequest?
        var response: ModelResponse?
    }

    private func summarize(previous: String?, evicted: [ArchivedMessage], limit: Int) async throws -> Summary {
        func extractive() -> String {
            ExtractiveSummary.merge(previous: previous, evicted: evicted, limit: limit, estimator: estimator)
        }
        guard let summarizer else { return Summary(text: extractive(), method: .extractive) }
        let request = summarizationRequest(previous: previous, evicted: evicted, limit: limit, summarizer: summarizer)
        let response = try await summarizer.model.respond(to: request)
        let text = response.message.text.trimmingWhitespace
        guard !text.isEmpty else {
            return Summary(text: extractive(), method: .extractive, request: request, response: response)
        }
        return Summary(
            text: SummaryBound.bound(text, limit: limit, estimator: estimator), method: .model, request: request,
            response: response)
    }

    /// The request asking the summarizer to fold `evicted` into `previous`. Messages are rendered one per
    /// line (`[#index role] …`); if they would overflow the summarizer's window, each is clipped to an
    /// equal share with a visible marker.
    func summarizationRequest(
        previous: String?, evicted: [ArchivedMessage], limit: Int, summarizer: Summarizer
    ) -> ModelRequest {
        let words = max(20, limit * 3 / 4)
        func request(_ lines: [String]) -> ModelRequest {
            let prompt = """
                <previous_summary>
                \(previous ?? "(none yet: this is the first compaction)")
                </previous_summary>

                <new_messages>
                \(lines.joined(separator: "\n"))
                </new_messages>

                Write the updated summary, covering the previous summary and the new messages, in at most \(words) words.
                """
            return ModelRequest(
                model: summarizer.modelName, system: summarizer.instructions, messages: [.user(prompt)],
                options: ModelOptions(maxTokens: limit))
        }
        var lines = evicted.map(MemoryText.render)
        let available = summarizer.model.info.contextWindow - limit
        if estimator.count(request(lines)) > available, !lines.isEmpty {
            let share = max(8, (available - estimator.count(request([]))) / lines.count)
            lines = lines.map { MemoryText.clip($0, to: share, estimator: estimator, marker: " … [clipped]") }
        }
        return request(lines)
    }

    // MARK: Recall

    /// Archived messages sharing keywords with the latest user or tool message, best first, that fit in
    /// `room` tokens, returned oldest first as rendered note lines. Never one that is still verbatim.
    private func recall(
        state: MemoryState, runID: String, archive: (any Store)?, room: Int
    ) async throws -> [(index: Int, line: String)] {
        guard let archive, recallLimit > 0, state.evictedCount > 0, room > 0,
            let latest = state.messages.last(where: { $0.role == .user || $0.role == .tool })
        else { return [] }
        var names: [String: String] = [:]
        for message in state.messages { for call in message.toolCalls { names[call.id] = call.name } }
        let query = KeywordRecall.keywords(
            KeywordRecall.searchableText(
                ArchivedMessage(runID: runID, index: -1, message: latest, toolNames: names)))
        let archiveStore = MemoryArchive(store: archive, runID: runID, namespacePrefix: archiveNamespace)
        let entries = try await archiveStore.keywordIndex().filter { $0.index < state.evictedCount }
        let records = Dictionary(entries.map { ($0.index, $0.record) }, uniquingKeysWith: { first, _ in first })
        // The note's cost is bounded by the separator (or a message of its own) plus its lines' tokens.
        var cost = estimator.count("\n\n") + estimator.count(Self.recallHeader)
            + (state.summary == nil ? estimator.count(Message.user("")) : 0)
        var chosen: [(index: Int, line: String)] = []
        // Only the best few candidates are considered (each is decoded and measured).
        let ranked = KeywordRecall.rank(query: query, entries: entries.map { ($0.index, $0.keywords) })
        for index in ranked.prefix(recallLimit * 3) {
            guard chosen.count < recallLimit else { break }
            guard let record = records[index] else { continue }
            let candidate = try archiveStore.decode(record)
            if state.messages.contains(candidate.message) { continue }
            let line = MemoryText.clip(MemoryText.render(candidate), to: recallItemTokenLimit, estimator: estimator)
            let lineCost = estimator.count(line + "\n")
            if cost + lineCost <= room {
                cost += lineCost
                chosen.append((index, line))
            }
        }
        return chosen.sorted { $0.index < $1.index }
    }

    // MARK: Assembly

    /// The messages to send: the summary and note as leading user text, then `kept`.
    static func assemble(summary: String?, note: String?, kept: [Message]) -> [Message] {
        let leading = [summary.map { summaryHeader + $0 }, note].compactMap { $0 }
        guard !leading.isEmpty else { return kept }
        let text = leading.joined(separator: "\n\n")
        if let first = kept.first, first.role == .user, first.toolResults.isEmpty {
            return [Message(role: .user, parts: [.text(text + "\n\n")] + first.parts)] + kept.dropFirst()
        }
        return [.user(text)] + kept
    }
}
