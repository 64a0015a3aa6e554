import Micro
import MicroAgent

/// Scenario outcomes as self-contained HTML pages (`micro test --html DIR`): an index, and per scenario a
/// page with its verdicts and a timeline of its Trace. Pages use only inline CSS and a little inline
/// JavaScript, so they open from `file://` with no server and no network; every piece of text from the
/// scenario or the trace is escaped.
///
/// The timeline has one lane per run (agent and run ID). Events sit in sequence order, with a gap labelled
/// with the elapsed virtual time wherever the clock moved. Model calls are spans from request to response
/// (red when they ended in an error), tool calls spans from call to result; checkpoints are ticks, injected
/// faults red markers, crashes a bold line across every lane, resumes blue arrows, compactions purple
/// diamonds, and delegations arrows between lanes. Hovering an event shows its JSON in the inspector;
/// clicking it also opens it in the event list below. The pages are also well-formed XML (XHTML syntax).
public enum HTMLReport {
    /// The page for one scenario; `index` is the index page's file name, for the link back (nil for none).
    public static func page(for outcome: ScenarioOutcome, index: String? = "index.html") -> String {
        let scenario = outcome.scenario
        var html = head(title: "\(outcome.passed ? "✓" : "✗") \(scenario.name)")
        if let index { html += "<nav><a href=\"\(e(index))\">← all scenarios</a></nav>\n" }
        html += "<header><h1>\(badge(outcome.passed)) \(e(scenario.name))</h1>\n"
        if !scenario.description.isEmpty { html += "<p class=\"desc\">\(e(scenario.description))</p>\n" }
        html += "<dl class=\"facts\">\n"
        var facts: [(String, String)] = [
            ("file", scenario.file), ("status", outcome.reportStatus), ("steps", "\(outcome.reportSteps)"),
            ("crashes", "\(outcome.crashes)"), ("virtual time", ReportText.duration(outcome.virtualDuration)),
            ("faults injected", "\(outcome.faultsInjected)"), ("trace events", "\(outcome.trace.count)"),
        ]
        if let result = outcome.result { facts.append(("run", result.runID)) }
        let costs = outcome.record.costs
        if costs.tokens.total + costs.tokens.judge > 0 {
            facts.append(("tokens", costs.tokens.text))
            facts.append(("cost", costs.costText))
        }
        for (name, value) in facts { html += "<div><dt>\(e(name))</dt><dd>\(e(value))</dd></div>\n" }
        html += "</dl>\n"
        if let output = outcome.result?.output { html += "<h2>Output</h2><pre class=\"output\">\(e(output))</pre>\n" }
        if let failure = outcome.result?.failure {
            html += "<h2>Failure</h2><pre class=\"output bad\">\(e(failure.code)): \(e(failure.message))</pre>\n"
        }
        if let error = outcome.error { html += "<h2>Error</h2><pre class=\"output bad\">\(e(error))</pre>\n" }
        html += "</header>\n"
        html += checks(outcome)
        html += costsTable(outcome.record)
        html += judgesTable(outcome.record)
        html += "<h2>Timeline</h2>\n"
        html += outcome.trace.isEmpty ? "<p class=\"empty\">The trace is empty.</p>\n" : timeline(outcome.trace)
        html += "<section id=\"inspector\"><h3>Hover or click an event to see its data</h3><pre></pre></section>\n"
        html += eventList(outcome.trace)
        html += "<script>//<![CDATA[\n\(script)\n//]]></script>\n</body>\n</html>\n"
        return html
    }

    /// The index page: the counts, and a row per scenario linking to its page (named by ``fileNames(for:)``).
    public static func index(_ outcomes: [ScenarioOutcome]) -> String {
        let names = fileNames(for: outcomes)
        let passed = outcomes.count(where: \.passed)
        var html = head(title: "Scenarios: \(passed) passed, \(outcomes.count - passed) failed")
        html += "<header><h1>Scenarios</h1>\n<p class=\"counts\"><span class=\"good\">\(passed) passed</span>, "
        html += "<span class=\"\(passed == outcomes.count ? "" : "bad")\">\(outcomes.count - passed) failed</span></p></header>\n"
        html += "<table class=\"index\">\n<thead><tr><th></th><th>scenario</th><th>file</th><th>status</th><th>steps</th>"
        html += "<th>crashes</th><th>faults</th><th>virtual time</th><th>tokens</th><th>cost</th><th>failed checks</th></tr></thead>\n<tbody>\n"
        for (outcome, name) in zip(outcomes, names) {
            html += "<tr class=\"\(outcome.passed ? "pass" : "fail")\"><td>\(badge(outcome.passed))</td>"
            html += "<td><a href=\"\(e(name))\">\(e(outcome.scenario.name))</a></td><td>\(e(outcome.scenario.file))</td>"
            html += "<td>\(e(outcome.reportStatus))</td><td>\(outcome.reportSteps)</td><td>\(outcome.crashes)</td>"
            html += "<td>\(outcome.faultsInjected)</td><td>\(e(ReportText.duration(outcome.virtualDuration)))</td>"
            let costs = outcome.record.costs
            html += "<td>\(costs.tokens.total)</td><td>\(e(costs.cost.map(RunCosts.usd) ?? "unknown"))</td>"
            html += "<td>\(outcome.failures.count)</td></tr>\n"
        }
        html += "</tbody>\n</table>\n</body>\n</html>\n"
        return html
    }

    /// Safe, unique page file names for `outcomes`, in order: the scenario file's base name (else the
    /// scenario name) in lower-case ASCII letters, digits and dashes (at most 60), `-2`, `-3`… on repeats,
    /// never `index.html`.
    public static func fileNames(for outcomes: [ScenarioOutcome]) -> [String] {
        var used: Set<String> = ["index"]
        return outcomes.map { outcome in
            var slug = ""
            var base = Substring(outcome.scenario.file.split(separator: "/").last ?? "")
            if let dot = base.lastIndex(of: "."), dot != base.startIndex { base = base[..<dot] }
            if base.isEmpty { base = Substring(outcome.scenario.name) }
            for scalar in base.lowercased().unicodeScalars {
                if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                    slug.unicodeScalars.append(scalar)
                } else if !slug.isEmpty && !slug.hasSuffix("-") {
                    slug += "-"
                }
                if slug.count >= 60 { break }
            }
            while slug.hasSuffix("-") { slug.removeLast() }
            if slug.isEmpty { slug = "scenario" }
            var name = slug
            var counter = 2
            while used.contains(name) {
                name = "\(slug)-\(counter)"
                counter += 1
            }
            used.insert(name)
            return name + ".html"
        }
    }

    // MARK: Pieces

    private static func e(_ text: String) -> String { ReportText.html(text) }

    private static func badge(_ passed: Bool) -> String {
        passed ? "<span class=\"badge pass\">PASS</span>" : "<span class=\"badge fail\">FAIL</span>"
    }

    private static func head(title: String) -> String {
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
            + "<title>\(e(title))</title>\n<style>\(style)</style>\n</head>\n<body>\n"
    }

    private static func checks(_ outcome: ScenarioOutcome) -> String {
        var html = "<h2>Checks <small>\(outcome.checks.count - outcome.failures.count) of \(outcome.checks.count) passed</small></h2>\n"
        guard !outcome.checks.isEmpty else { return html + "<p class=\"empty\">No checks.</p>\n" }
        html += "<table class=\"checks\">\n<thead><tr><th></th><th>check</th><th>where</th><th>message</th></tr></thead>\n<tbody>\n"
        for check in outcome.checks {
            html += "<tr class=\"\(check.passed ? "pass" : "fail")\"><td>\(check.passed ? "✓" : "✗")</td>"
            html += "<td>\(e(check.name))</td><td class=\"where\">\(e(outcome.location(of: check)))</td><td>\(e(check.message))"
            if !check.scores.isEmpty { html += "<br/><b class=\"scores\">\(e(ReportText.scores(check.scores)))</b>" }
            html += "</td></tr>\n"
        }
        return html + "</tbody>\n</table>\n"
    }

    /// The event list: one collapsible row per event, with its full JSON.
    private static func eventList(_ trace: [TraceEvent]) -> String {
        guard !trace.isEmpty else { return "" }
        let start = trace.map(\.at).min()
        var html = "<h2>Events</h2>\n<div id=\"events\">\n"
        for event in trace {
            let offset = start.map { ReportText.duration(event.at.duration(since: $0)) } ?? ""
            html += "<details id=\"e\(event.sequence)\" class=\"row k-\(kindClass(event.kind))\" data-seq=\"\(event.sequence)\">"
            html += "<summary><span class=\"seq\">#\(event.sequence)</span> <span class=\"t\">+\(e(offset))</span> "
            html += "<span class=\"lane\">\(e(event.agent))/\(e(event.runID))</span> <span class=\"step\">step \(event.step)</span> "
            html += "<b>\(e(event.kind.rawValue))</b> \(e(TraceEventText.summary(event)))</summary>"
            html += "<pre>\(e(eventJSON(event).prettyString()))</pre></details>\n"
        }
        return html + "</div>\n"
    }

    /// An event as JSON, with its time also in ISO 8601.
    static func eventJSON(_ event: TraceEvent) -> JSONValue {
        [
            "sequence": .integer(event.sequence), "kind": .string(event.kind.rawValue), "runID": .string(event.runID),
            "agent": .string(event.agent), "step": .integer(event.step),
            "at": .integer(Int(event.at.millisecondsSinceEpoch)), "time": .string(event.at.description), "data": event.data,
        ]
    }

    /// A kind as a CSS class name: lower-case letters, digits and underscores only.
    static func kindClass(_ kind: TraceEvent.Kind) -> String {
        String(String.UnicodeScalarView(kind.rawValue.lowercased().unicodeScalars.map { scalar in
            ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) ? scalar : "_"
        }))
    }
}
