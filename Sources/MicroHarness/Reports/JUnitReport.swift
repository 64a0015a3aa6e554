import Micro
import MicroAgent

/// Scenario outcomes as JUnit XML, the format CI systems read test results in.
///
/// One `<testsuite>` inside `<testsuites>`; one `<testcase>` per scenario with `classname` = the scenario
/// file and `name` = the scenario name. A failing scenario has a `<failure>` (or an `<error>` when the run
/// threw instead of ending) whose text lists each failed check as `file:line: name: message`. Every case has
/// `<properties>` (status, steps, crashes, virtual duration, faults injected; tokens by kind `tokens_input`,
/// `tokens_output`, `tokens_cached`, `tokens_summarizer`, `tokens_judge`, `tokens_total`; `cost_usd` and
/// `judge_cost_usd`, `unknown` when a price is; per agent `agent.NAME.tokens` and `agent.NAME.cost_usd`; per
/// judge `expect[N].judge.verdict` and `expect[N].judge.score`; scored checks' figures as `trajectory.f1` …) and a `<system-out>` with a
/// short summary of its Trace. Test-case times are not written: scenarios run on a virtual clock, and the
/// wall time is only known for the whole suite.
public enum JUnitReport {
    /// How many trace lines `<system-out>` holds at most; the rest is counted, not listed.
    public static let traceLineLimit = 200

    /// The JUnit XML document for `outcomes`; `wallTime` becomes the suite's `time` when given.
    public static func xml(_ outcomes: [ScenarioOutcome], suiteName: String, wallTime: Duration?) -> String {
        let failures = outcomes.count(where: { !$0.passed && $0.error == nil })
        let errors = outcomes.count(where: { !$0.passed && $0.error != nil })
        let time = wallTime.map { " time=\"\(ReportText.seconds($0))\"" } ?? ""
        let suite = attribute(suiteName)
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"\(suite)\" tests=\"\(outcomes.count)\" failures=\"\(failures)\" errors=\"\(errors)\"\(time)>\n"
        xml += "  <testsuite name=\"\(suite)\" tests=\"\(outcomes.count)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"0\"\(time)>\n"
        for outcome in outcomes { xml += testCase(outcome) }
        xml += "  </testsuite>\n</testsuites>\n"
        return xml
    }

    private static func testCase(_ outcome: ScenarioOutcome) -> String {
        var xml = "    <testcase classname=\"\(attribute(outcome.scenario.file))\" name=\"\(attribute(outcome.scenario.name))\">\n"
        xml += "      <properties>\n"
        let properties: [(String, String)] = [
            ("status", outcome.reportStatus), ("steps", "\(outcome.reportSteps)"), ("crashes", "\(outcome.crashes)"),
            ("virtual_duration_ms", "\(outcome.virtualDuration.milliseconds)"),
            ("faults_injected", "\(outcome.faultsInjected)"),
        ] + costProperties(outcome.record) + ReportText.scoreNames(outcome.checks).map { ($0.name, "\($0.value)") }
        for (name, value) in properties {
            xml += "        <property name=\"\(name)\" value=\"\(attribute(value))\"/>\n"
        }
        xml += "      </properties>\n"
        if !outcome.passed {
            let failed = outcome.failures
            let element = outcome.error == nil ? "failure" : "error"
            let message: String
            if let error = outcome.error {
                message = "the run threw: \(ReportText.short(error, 200))"
            } else if failed.count == 1, let only = failed.first {
                message = ReportText.short("\(only.name): \(only.message)", 200)
            } else {
                message = "\(failed.count) of \(outcome.checks.count) checks failed"
            }
            let type = outcome.error == nil ? "expectation" : "error"
            var text = failed.map(outcome.diagnostic).joined(separator: "\n")
            if let error = outcome.error { text = (text.isEmpty ? "" : text + "\n") + "error: \(error)" }
            xml += "      <\(element) message=\"\(attribute(message))\" type=\"\(type)\">\(ReportText.xml(text))</\(element)>\n"
        }
        xml += "      <system-out>\(ReportText.xml(traceSummary(outcome)))</system-out>\n"
        xml += "    </testcase>\n"
        return xml
    }

    private static func attribute(_ text: String) -> String { ReportText.xml(text, attribute: true) }

    /// Tokens by kind, costs, and per agent and judge.
    static func costProperties(_ record: RunRecord) -> [(String, String)] {
        let costs = record.costs
        let tokens = costs.tokens
        func usd(_ value: Double?) -> String { value.map { String(format: "%.6f", $0) } ?? "unknown" }
        var properties: [(String, String)] = [
            ("tokens_input", "\(tokens.input)"), ("tokens_output", "\(tokens.output)"), ("tokens_cached", "\(tokens.cached)"),
            ("tokens_summarizer", "\(tokens.summarizer)"), ("tokens_judge", "\(tokens.judge)"), ("tokens_total", "\(tokens.total)"),
            ("cost_usd", usd(costs.cost)), ("judge_cost_usd", usd(costs.judgeCost)),
        ]
        for agent in costs.agents {
            properties.append(("agent.\(agent.agent).tokens", "\(agent.tokens.total)"))
            properties.append(("agent.\(agent.agent).cost_usd", usd(agent.cost)))
        }
        for verdict in record.judgeVerdicts {
            let word = verdict.error != nil ? "error" : verdict.passed.map { $0 ? "pass" : "fail" } ?? "none"
            properties.append(("\(verdict.id).verdict", word))
            if let score = verdict.score { properties.append(("\(verdict.id).score", Bounds.format(score))) }
        }
        return properties
    }

    /// The run's figures, then one line per trace event (up to ``traceLineLimit``).
    static func traceSummary(_ outcome: ScenarioOutcome) -> String {
        var lines = [
            "status: \(outcome.reportStatus), steps: \(outcome.reportSteps), crashes: \(outcome.crashes), "
                + "faults injected: \(outcome.faultsInjected), virtual time: \(ReportText.duration(outcome.virtualDuration))"
        ]
        if let output = outcome.result?.output { lines.append("output: \(ReportText.short(output, 400))") }
        if let failure = outcome.result?.failure { lines.append("failure: \(failure.code): \(failure.message)") }
        var counts: [String: Int] = [:]
        for event in outcome.trace { counts[event.kind.rawValue, default: 0] += 1 }
        lines.append(
            "trace: \(outcome.trace.count) events"
                + (counts.isEmpty ? "" : " (" + counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"))
        let start = outcome.trace.first?.at
        for event in outcome.trace.prefix(traceLineLimit) {
            let offset = start.map { ReportText.duration(event.at.duration(since: $0)) } ?? "0 s"
            lines.append("  #\(event.sequence) +\(offset) \(event.agent)/\(event.runID) step \(event.step) \(event.kind): \(TraceEventText.summary(event))")
        }
        if outcome.trace.count > traceLineLimit { lines.append("  … \(outcome.trace.count - traceLineLimit) more events") }
        return lines.joined(separator: "\n")
    }
}
