import Micro

/// Finds archived messages relevant to the latest message by keyword overlap.
///
/// Keywords are the lowercased letter/digit words of a message (text, tool names, arguments and results)
/// that are at least 3 characters long and not common English words, or that contain a digit and are at
/// least 2 characters long. An archived message scores the number of distinct query keywords it contains;
/// messages scoring 0 are never recalled; ties go to the more recent message.
enum KeywordRecall {
    static let stopwords: Set<String> = [
        "about", "above", "after", "again", "all", "also", "and", "any", "are", "because", "been", "before",
        "being", "below", "between", "both", "but", "can", "could", "did", "does", "doing", "down", "during",
        "each", "few", "for", "from", "further", "had", "has", "have", "having", "her", "here", "hers", "him",
        "his", "how", "into", "its", "just", "let", "like", "more", "most", "need", "not", "now", "off", "once",
        "only", "other", "our", "ours", "out", "over", "own", "please", "same", "she", "should", "some", "such",
        "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "through",
        "too", "under", "until", "very", "want", "was", "were", "what", "when", "where", "which", "while",
        "who", "whom", "why", "will", "with", "would", "yes", "you", "your", "yours", "true", "false", "null",
    ]

    static func keywords(_ text: String) -> Set<String> {
        Set(
            MemoryText.words(text).filter { word in
                if word.contains(where: \.isNumber) { return word.count >= 2 }
                return word.count >= 3 && !stopwords.contains(word)
            })
    }

    static func searchableText(_ archived: ArchivedMessage) -> String {
        archived.message.parts.map { part in
            switch part {
            case .text(let text): text
            case .reasoning(let reasoning): reasoning.text
            case .toolCall(let call): "\(call.name) \(call.arguments.canonicalString())"
            case .toolResult(let result):
                "\(archived.toolNames[result.callID] ?? "") \(MemoryText.content(result.content))"
            }
        }.joined(separator: "\n")
    }

    /// The indices of the entries that share at least one keyword with `query`, best first (score, then
    /// recency).
    static func rank(query: Set<String>, entries: [(index: Int, keywords: Set<String>)]) -> [Int] {
        guard !query.isEmpty else { return [] }
        var scored: [(index: Int, score: Int)] = []
        for entry in entries {
            let score = query.intersection(entry.keywords).count
            if score > 0 { scored.append((entry.index, score)) }
        }
        scored.sort { a, b in a.score != b.score ? a.score > b.score : a.index > b.index }
        return scored.map(\.index)
    }
}
