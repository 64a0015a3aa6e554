import Micro

/// Text helpers shared by compaction, summaries and recall: rendering messages, clipping to a token
/// bound, the extractive summary and the head/tail bound of a rolling summary.
enum MemoryText {
    /// The text of a JSON value as a model should read it: strings bare, anything else as canonical JSON.
    static func content(_ value: JSONValue) -> String {
        if case .string(let text) = value { text } else { value.canonicalString() }
    }

    /// `text` cut so that it (with `marker` appended) takes at most `limit` tokens; unchanged when it fits.
    static func clip(_ text: String, to limit: Int, estimator: TokenEstimator, marker: String = "…") -> String {
        if estimator.count(text) <= limit { return text }
        if estimator.count(marker) > limit { return "" }
        let characters = Array(text)
        var low = 0
        var high = characters.count
        while low < high {
            let middle = (low + high + 1) / 2
            if estimator.count(String(characters[..<middle]) + marker) <= limit { low = middle } else { high = middle - 1 }
        }
        var prefix = String(characters[..<low])
        while prefix.last?.isWhitespace == true { prefix.removeLast() }
        return prefix + marker
    }

    /// One message in full, on one line per part: `[#12 user] …`, `[#13 assistant] called name {…}`,
    /// `[#14 tool name] {…}`.
    static func render(_ archived: ArchivedMessage) -> String {
        let message = archived.message
        var pieces: [String] = []
        let text = message.text.trimmingWhitespace
        if !text.isEmpty { pieces.append(text) }
        for call in message.toolCalls {
            pieces.append("called \(call.name) \(call.arguments.canonicalString())")
        }
        for result in message.toolResults {
            let name = archived.toolNames[result.callID] ?? result.callID
            pieces.append("\(name)\(result.isError ? " failed" : "") → \(content(result.content))")
        }
        return "[#\(archived.index) \(message.role.rawValue)] " + pieces.joined(separator: " | ")
    }

    /// Words of `text` that a search can match: lowercased letter/digit runs.
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in text.lowercased() {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// Sentences of `text`: split after `.`, `!` or `?` followed by whitespace, and at line breaks.
    static func sentences(_ text: String) -> [String] {
        var sentences: [String] = []
        var current = ""
        var previous: Character?
        func flush() {
            let sentence = current.trimmingWhitespace
            if !sentence.isEmpty { sentences.append(sentence) }
            current = ""
        }
        for character in text {
            if character.isNewline {
                flush()
            } else if character.isWhitespace, let previous, ".!?".contains(previous) {
                flush()
            } else {
                current.append(character)
            }
            previous = character
        }
        flush()
        return sentences
    }
}

extension String {
    var trimmingWhitespace: String {
        var slice = Substring(self)
        while slice.first?.isWhitespace == true { slice.removeFirst() }
        while slice.last?.isWhitespace == true { slice.removeLast() }
        return String(slice)
    }
}

/// The summary written without a model: a few key facts per evicted message, merged into the rolling
/// summary and bounded by ``SummaryBound``.
///
/// Per message, one line `- #<index> <role>: …` holding the first sentence of its text plus every further
/// sentence that contains a digit (amounts, dates, identifiers), tool calls as `name(arguments)` and tool
/// results as `name → result` (`name failed → …` for errors), each piece clipped to a few dozen tokens.
enum ExtractiveSummary {
    static let sentenceTokens = 48
    static let callTokens = 24
    static let resultTokens = 32

    static func line(for archived: ArchivedMessage, estimator: TokenEstimator) -> String? {
        let message = archived.message
        var pieces: [String] = []
        let sentences = MemoryText.sentences(message.text)
        if let first = sentences.first {
            let facts = [first] + sentences.dropFirst().filter { $0.contains(where: \.isNumber) }
            pieces.append(MemoryText.clip(facts.joined(separator: " "), to: sentenceTokens, estimator: estimator))
        }
        for call in message.toolCalls {
            let arguments = MemoryText.clip(call.arguments.canonicalString(), to: callTokens, estimator: estimator)
            pieces.append("called \(call.name)(\(arguments))")
        }
        for result in message.toolResults {
            let name = archived.toolNames[result.callID] ?? result.callID
            let content = MemoryText.clip(MemoryText.content(result.content), to: resultTokens, estimator: estimator)
            pieces.append("\(name)\(result.isError ? " failed" : "") → \(content)")
        }
        guard !pieces.isEmpty else { return nil }
        return "- #\(archived.index) \(message.role.rawValue): " + pieces.joined(separator: "; ")
    }

    /// The previous summary followed by a line per newly evicted message, bounded to `limit` tokens.
    static func merge(
        previous: String?, evicted: [ArchivedMessage], limit: Int, estimator: TokenEstimator
    ) -> String {
        let lines = evicted.compactMap { line(for: $0, estimator: estimator) }
        let text = ([previous].compactMap { $0 } + lines).joined(separator: "\n")
        return SummaryBound.bound(text, limit: limit, estimator: estimator)
    }
}

/// Keeps a rolling summary within its token bound without losing its oldest facts: when it is too long,
/// it keeps the first lines (about a third of the bound: the task and the facts of the first rounds) and
/// the latest lines, and replaces the middle with one marker line counting the points left out (whose
/// messages stay in the archive). Markers from earlier rounds are merged into the new one.
enum SummaryBound {
    private enum Item: Equatable {
        case line(String)
        case omitted(Int)
    }

    private static let markerPrefix = "- [… "
    private static let markerSuffix = " earlier points omitted; their messages are archived]"

    private static func marker(_ count: Int) -> String { markerPrefix + String(count) + markerSuffix }

    private static func parse(_ text: String) -> [Item] {
        text.split(separator: "\n", omittingEmptySubsequences: true).map { line in
            let line = String(line)
            if line.hasPrefix(markerPrefix), line.hasSuffix(markerSuffix),
                let count = Int(line.dropFirst(markerPrefix.count).dropLast(markerSuffix.count))
            {
                return .omitted(count)
            }
            return .line(line)
        }
    }

    private static func render(_ items: [Item]) -> String {
        var merged: [Item] = []
        for item in items {
            if case .omitted(let count) = item, case .omitted(let earlier)? = merged.last {
                merged[merged.count - 1] = .omitted(earlier + count)
            } else {
                merged.append(item)
            }
        }
        return merged.map { item in
            switch item {
            case .line(let line): line
            case .omitted(let count): marker(count)
            }
        }.joined(separator: "\n")
    }

    static func bound(_ text: String, limit: Int, estimator: TokenEstimator) -> String {
        let limit = max(0, limit)
        let items = parse(text)
        let whole = render(items)
        if estimator.count(whole) <= limit { return whole }

        let markerCost = estimator.count(marker(Int.max) + "\n")
        let room = max(0, limit - markerCost)
        let lineLimit = max(1, room / 3)
        // Each line clipped to a third of the room, so one long line cannot take the whole summary.
        let clipped = items.map { item -> Item in
            guard case .line(let line) = item else { return item }
            return .line(MemoryText.clip(line, to: lineLimit, estimator: estimator))
        }
        func cost(_ item: Item) -> Int {
            switch item {
            case .line(let line): estimator.count(line + "\n")
            case .omitted(let count): estimator.count(marker(count) + "\n")
            }
        }
        var head = 0
        var used = 0
        while head < clipped.count, used + cost(clipped[head]) <= lineLimit {
            used += cost(clipped[head])
            head += 1
        }
        var tail = clipped.count
        while tail > head, used + cost(clipped[tail - 1]) <= room {
            used += cost(clipped[tail - 1])
            tail -= 1
        }
        let middle = clipped[head..<tail]
        let omitted = middle.reduce(0) { total, item in
            if case .omitted(let count) = item { total + count } else { total + 1 }
        }
        let kept = Array(clipped[..<head]) + (omitted > 0 ? [.omitted(omitted)] : []) + Array(clipped[tail...])
        return MemoryText.clip(render(kept), to: limit, estimator: estimator)
    }
}
