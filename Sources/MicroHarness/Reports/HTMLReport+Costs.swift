import Micro
import MicroAgent

extension HTMLReport {
    /// Tokens by kind and cost per agent (and its summarizer) and per judge, with where each price came from;
    /// empty when nothing spent tokens.
    static func costsTable(_ record: RunRecord) -> String {
        let costs = record.costs
        guard costs.tokens.total + costs.tokens.judge > 0 else { return "" }
        func e(_ text: String) -> String { ReportText.html(text) }
        func usd(_ value: Double?) -> String { value.map(RunCosts.usd) ?? "unknown" }
        var html = "<h2>Tokens and cost <small>\(e(costs.tokens.text)), \(e(costs.costText))</small></h2>\n"
        html += "<table class=\"costs\">\n<thead><tr><th>who</th><th>model</th><th>input</th><th>output</th><th>cached</th>"
        html += "<th>summarizer</th><th>cost</th><th>price</th></tr></thead>\n<tbody>\n"
        for agent in costs.agents {
            let tokens = agent.tokens
            let price = agent.price.map { "\($0.input) / \($0.output)\($0.cached.map { " / cached \($0)" } ?? "") (\($0.source ?? "given"))" }
            html += "<tr class=\"cost\"><td>\(e(agent.agent))</td><td>\(e(agent.model ?? ""))</td><td>\(tokens.input)</td>"
            html += "<td>\(tokens.output)</td><td>\(tokens.cached)</td><td>\(tokens.summarizer)</td><td>\(e(usd(agent.cost)))</td>"
            html += "<td>\(e(price ?? "no price"))</td></tr>\n"
        }
        for judge in costs.judges {
            let price = judge.price.map { "\($0.input) / \($0.output) (\($0.source ?? "given"))" }
            html += "<tr class=\"cost judge\"><td>\(e(judge.id))</td><td>\(e(judge.model))</td><td>\(judge.usage.inputTokens)</td>"
            html += "<td>\(judge.usage.outputTokens)</td><td>\(judge.usage.cachedInputTokens)</td><td></td><td>\(e(usd(judge.cost)))</td>"
            html += "<td>\(e(price ?? "no price"))</td></tr>\n"
        }
        return html + "</tbody>\n</table>\n"
    }

    /// Each judge's verdict, score and reasoning; empty when the scenario has no judge.
    static func judgesTable(_ record: RunRecord) -> String {
        let verdicts = record.judgeVerdicts
        guard !verdicts.isEmpty else { return "" }
        func e(_ text: String) -> String { ReportText.html(text) }
        var html = "<h2>Judges</h2>\n<table class=\"judges\">\n<thead><tr><th>judge</th><th>rubric</th><th>verdict</th>"
        html += "<th>score</th><th>reasoning</th></tr></thead>\n<tbody>\n"
        for verdict in verdicts {
            let word = verdict.error.map { "no verdict: \($0)" } ?? verdict.passed.map { $0 ? "pass" : "fail" } ?? "—"
            let good = verdict.error == nil && verdict.passed != false
            html += "<tr class=\"judge \(good ? "good" : "bad")\"><td>\(e(verdict.id))<br/><small>\(e(verdict.model))</small></td>"
            html += "<td>\(e(verdict.rubric))</td><td>\(e(word))</td><td>\(e(verdict.score.map(Bounds.format) ?? ""))</td>"
            html += "<td>\(e(verdict.reasoning))</td></tr>\n"
        }
        return html + "</tbody>\n</table>\n"
    }
}
