import Foundation
import Micro
import MicroAgent

/// A memory summarizer answering with turns written in the scenario. A summarization request carries the
/// previous summary (``CompactMemory``'s `<previous_summary>`), and the turn after the one that wrote it
/// answers: the first turn for the first compaction. So a run resumed in a new process (with a fresh
/// model, its summary restored from the checkpoint) gets the same summaries as an uninterrupted one.
struct ScriptedSummarizer: Model {
    let turns: [ScriptedModel.Turn]
    let info: ModelInfo

    func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        do {
            let index = try turn(for: request)
            return ScriptedModel([turns[index]], info: info).stream(request)
        } catch {
            return AsyncThrowingStream { $0.finish(throwing: error) }
        }
    }

    /// The index of the turn that answers `request`.
    func turn(for request: ModelRequest) throws -> Int {
        let prompt = request.messages.last?.text ?? ""
        guard let previous = Self.previousSummary(in: prompt) else {
            throw ModelError(.noMatch, "a scripted summarizer answers CompactMemory's summarization requests; this one has no <previous_summary>")
        }
        var index = 0
        if !previous.hasPrefix("(none yet") {
            guard let written = turns.lastIndex(where: { Self.trimmed($0.text ?? "") == previous }) else {
                throw ModelError(
                    .noMatch, "the previous summary is none of the summarizer's turns (a turn longer than summary_token_limit is cut): \(previous.prefix(200))")
            }
            index = written + 1
        }
        guard index < turns.count else {
            throw ModelError(.noMatch, "the summarizer's script has \(turns.count) turns and compaction \(index + 1) asked for another")
        }
        return index
    }

    static func previousSummary(in prompt: String) -> String? {
        guard let start = prompt.range(of: "<previous_summary>\n"), let end = prompt.range(of: "\n</previous_summary>"),
            start.upperBound <= end.lowerBound
        else { return nil }
        return trimmed(String(prompt[start.upperBound..<end.lowerBound]))
    }

    static func trimmed(_ text: String) -> String { text.trimmingCharacters(in: .whitespacesAndNewlines) }
}
