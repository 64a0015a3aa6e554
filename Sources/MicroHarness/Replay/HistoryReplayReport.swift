import Micro

/// What ``HistoryReplay`` found, run by run.
public struct HistoryReplayReport: Sendable, Hashable, Codable {
    /// One stored run, re-driven.
    public struct Run: Sendable, Hashable, Codable {
        public var runID: String
        public var agent: String
        /// Model calls the history recorded for the run (sub-agents' not counted).
        public var steps: Int
        /// The first divergence, or nil when the current code did what the history did.
        public var divergence: HistoryDivergence?
        /// Why the run was not replayed (a fork, a sub-agent run), or nil.
        public var skipped: String?

        public init(runID: String, agent: String, steps: Int, divergence: HistoryDivergence? = nil, skipped: String? = nil) {
            self.runID = runID
            self.agent = agent
            self.steps = steps
            self.divergence = divergence
            self.skipped = skipped
        }
    }

    public var runs: [Run]

    public init(runs: [Run]) { self.runs = runs }

    /// Whether any replayed run diverged.
    public var diverged: Bool { runs.contains { $0.divergence != nil } }

    /// A line per run, the divergence under it, and a last line of totals.
    public var text: String {
        var lines: [String] = []
        for run in runs {
            if let skipped = run.skipped {
                lines.append("SKIP \(run.runID) (\(run.agent)): \(skipped)")
            } else if let divergence = run.divergence {
                lines.append("DIVERGED \(run.runID) (\(run.agent)) at step \(divergence.step) of \(run.steps)")
                lines += divergence.description.split(separator: "\n").map { "  " + $0 }
            } else {
                lines.append("ok \(run.runID) (\(run.agent)): \(run.steps) steps as recorded")
            }
        }
        let replayed = runs.filter { $0.skipped == nil }
        let diverged = replayed.filter { $0.divergence != nil }.count
        lines.append("\(replayed.count) runs replayed, \(diverged) diverged, \(runs.count - replayed.count) skipped")
        return lines.joined(separator: "\n") + "\n"
    }
}
