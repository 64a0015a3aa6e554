import Foundation
import Micro

extension TraceDiff {
    /// The diff as one self-contained HTML page (`micro diff --html FILE`), in the scenario report's style: per
    /// run, the aligned steps side by side (A left, B right; changed steps amber with their differences, added
    /// green, dropped red), metric, ledger and fact differences, then each side's timeline as the scenario
    /// report draws it. Every piece of text from the inputs is escaped; the page is well-formed XML.
    public var html: String {
        func e(_ text: String) -> String { ReportText.html(text) }
        var html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
        html += "<title>\(e("diff: \(aFile) → \(bFile)"))</title>\n<style>\(HTMLReport.style)\(Self.style)</style>\n</head>\n<body>\n"
        html += "<header><h1>\(identical ? "<span class=\"badge pass\">IDENTICAL</span>" : "<span class=\"badge fail\">DIFFERENT</span>") "
        html += "\(e(aFile)) → \(e(bFile))</h1>\n<dl class=\"facts\">"
        html += "<div><dt>A</dt><dd>\(e(aFile)) (\(e(aFormat.rawValue)))</dd></div><div><dt>B</dt><dd>\(e(bFile)) (\(e(bFormat.rawValue)))</dd></div>"
        html += "</dl></header>\n"
        for name in onlyInA { html += "<p class=\"bad\">run \(e(name)) only in A</p>\n" }
        for name in onlyInB { html += "<p class=\"good\">run \(e(name)) only in B</p>\n" }
        for run in runs { html += Self.section(run) }
        html += "</body>\n</html>\n"
        return html
    }

    private static func section(_ run: RunDiff) -> String {
        func e(_ text: String) -> String { ReportText.html(text) }
        var html = "<h2>\(e(run.name)) <small>\(run.changed.count) changed, \(run.added.count) added, \(run.dropped.count) dropped"
        html += run.identical ? ", identical" : ""
        html += "</small></h2>\n"
        if let divergence = run.firstDivergence {
            html += "<p>First divergence at step \(divergence.aIndex) of A, step \(divergence.bIndex) of B "
            html += "(\(e(divergence.operation.rawValue))).</p>\n"
        }
        if run.comparedSteps {
            html += "<table class=\"diff\">\n<thead><tr><th></th><th>A</th><th>step</th><th>B</th><th>step</th></tr></thead>\n<tbody>\n"
            for entry in run.entries {
                html += "<tr class=\"\(entry.operation.rawValue)\"><td class=\"op\">\(symbol(entry.operation))</td>"
                html += cell(entry.a) + cell(entry.b) + "</tr>\n"
                var notes: [String] = entry.argumentChanges.map { "arguments " + $0.text }
                notes += entry.detailChanges.prefix(12).map(\.text)
                if !entry.metricChanges.isEmpty { notes.append("metrics " + entry.metricChanges.map(\.text).joined(separator: ", ")) }
                if !notes.isEmpty {
                    html += "<tr class=\"notes\"><td></td><td colspan=\"4\"><pre>\(e(notes.joined(separator: "\n")))</pre></td></tr>\n"
                }
            }
            html += "</tbody>\n</table>\n"
        } else {
            html += "<p class=\"empty\">No steps to compare: one side or both carry none.</p>\n"
        }
        if let effects = run.sideEffects, !effects.isEmpty {
            html += "<h2>Side effects</h2>\n<pre class=\"output\">"
            var lines: [String] = effects.dropped.map { "- \($0.kind) \($0.key) #\($0.occurrence) \($0.payload.canonicalString())" }
            lines += effects.added.map { "+ \($0.kind) \($0.key) #\($0.occurrence) \($0.payload.canonicalString())" }
            for change in effects.changed {
                lines.append("~ \(change.old.kind) \(change.old.key) #\(change.old.occurrence): " + change.changes.map(\.text).joined(separator: ", "))
            }
            html += e(lines.joined(separator: "\n"))
            html += "</pre>\n"
        }
        if !run.facts.isEmpty {
            html += "<h2>Facts</h2>\n<pre class=\"output\">\(e(run.facts.map(\.text).joined(separator: "\n")))</pre>\n"
        }
        if !run.aTrace.isEmpty { html += "<h2>Timeline of A</h2>\n" + HTMLReport.timeline(run.aTrace) }
        if !run.bTrace.isEmpty { html += "<h2>Timeline of B</h2>\n" + HTMLReport.timeline(run.bTrace) }
        return html
    }

    private static func cell(_ step: DiffStep?) -> String {
        guard let step else { return "<td class=\"none\"></td><td></td>" }
        return "<td>\(ReportText.html(step.summary))</td><td class=\"where\">\(step.index)\(step.sequence.map { " · #\($0)" } ?? "")</td>"
    }

    private static func symbol(_ operation: Operation) -> String {
        switch operation {
        case .same: "="
        case .changed: "~"
        case .added: "+"
        case .dropped: "−"
        }
    }

    static let style = """
        table.diff td{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace;width:45%}table.diff td.op,table.diff td.where{width:auto}
        table.diff tr.changed td{background:#fff8c5}table.diff tr.added td{background:#dafbe1}
        table.diff tr.dropped td{background:#ffebe9}table.diff td.none{background:#f6f8fa !important}
        table.diff tr.notes td{border-bottom:1px solid var(--line);background:#fffdf0}table.diff tr.same td{color:var(--muted)}
        """
}
