import Micro
import MicroAgent

/// Scenario outcomes as text for a terminal (`micro test`).
///
/// ```
/// ✓ crash and resume  3 steps, 1 crash, 61 s virtual  (Scenarios/crash.yaml)
/// ✗ tool failures  2 steps, 0 crashes, 0 s virtual  (Scenarios/tools.yaml)
/// ✓ overflow  6 steps, 0 crashes, 0 s virtual, 6774 tokens (in 6000, out 94, summarizer 680), $0.000230  (Scenarios/overflow.yaml)
///     Scenarios/overflow.yaml:20: trajectory: precision 1.00, recall 1.00, f1 1.00, threshold 0.80
///     Scenarios/tools.yaml:14: tool_called: search_flights was called 0 times, expected at least 1
/// 1 passed, 1 failed
/// ```
///
/// A scenario that spent tokens shows them by kind and its cost (`cost unknown (no price for …)` when a
/// model that spent tokens has no known price); with more than one agent, a line per agent follows, and a
/// line per judge's verdict.
public enum TerminalReport {
    /// The summary, one line per scenario with its failed checks under it, and a last line with the counts;
    /// `color` adds ANSI colors (green passes, red failures, dim details).
    public static func summary(_ outcomes: [ScenarioOutcome], color: Bool) -> String {
        func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        var lines: [String] = []
        for outcome in outcomes {
            let crashes = outcome.crashes == 1 ? "1 crash" : "\(outcome.crashes) crashes"
            let steps = outcome.reportSteps == 1 ? "1 step" : "\(outcome.reportSteps) steps"
            var details = "\(steps), \(crashes), \(ReportText.duration(outcome.virtualDuration)) virtual"
            let costs = outcome.record.costs
            if costs.tokens.total + costs.tokens.judge > 0 { details += ", \(costs.tokens.text), \(costs.costText)" }
            let mark = outcome.passed ? paint("✓", "32") : paint("✗", "31")
            let name = outcome.passed ? outcome.scenario.name : paint(outcome.scenario.name, "1")
            lines.append("\(mark) \(oneLine(name))  \(paint(details, "2"))  \(paint("(\(oneLine(outcome.scenario.file)))", "2"))")
            for line in costLines(outcome.record) { lines.append("    " + paint(oneLine(line), "2")) }
            for check in outcome.failures {
                lines.append("    " + paint(oneLine(outcome.diagnostic(check)), "31"))
            }
            for check in outcome.checks where !check.scores.isEmpty {
                lines.append("    " + paint(oneLine("\(outcome.location(of: check)): \(check.name): \(ReportText.scores(check.scores))"), "2"))
            }
            if let error = outcome.error, outcome.failures.isEmpty {
                lines.append("    " + paint(oneLine("\(outcome.scenario.file): error: \(error)"), "31"))
            }
        }
        let passed = outcomes.count(where: \.passed)
        let failed = outcomes.count - passed
        let counts = "\(passed) passed, \(failed) failed"
        lines.append(failed == 0 ? paint(counts, "32") : paint(counts, "31"))
        return lines.joined(separator: "\n") + "\n"
    }

    /// A line per agent when more than one spent tokens, and one per judge's verdict.
    static func costLines(_ record: RunRecord) -> [String] {
        let costs = record.costs
        var lines: [String] = []
        let spending = costs.agents.filter { $0.tokens.total > 0 }
        if spending.count > 1 {
            for agent in spending {
                let cost = agent.cost.map(RunCosts.usd) ?? "cost unknown"
                lines.append("\(agent.agent): \(agent.tokens.text), \(cost)")
            }
        }
        for (judge, verdict) in zip(costs.judges, record.judgeVerdicts) {
            let cost = judge.cost.map(RunCosts.usd) ?? "cost unknown"
            lines.append("\(judge.id) (\(judge.model)): \(verdict.summary) — \(judge.usage.totalTokens) judge tokens, \(cost)")
        }
        return lines
    }

    /// `text` with line breaks and other control characters shown escaped, so that one item stays one line
    /// and stray escape sequences cannot restyle the terminal.
    private static func oneLine(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += " "
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                    out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
