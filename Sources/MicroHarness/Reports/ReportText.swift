import Foundation
import Micro
import MicroAgent

/// Text helpers the reports share: escaping for XML and HTML, and how durations and outcomes read.
enum ReportText {
    /// `text` made safe for XML 1.0 character data and attribute values: markup characters become entity
    /// references, and characters XML 1.0 forbids (C0 controls other than tab, newline and return, U+FFFE,
    /// U+FFFF) are written visibly as `\u{XX}`. In attributes, tab, newline and return become character
    /// references so that attribute normalization keeps them.
    static func xml(_ text: String, attribute: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r":
                if attribute { out += "&#\(scalar.value);" } else { out.unicodeScalars.append(scalar) }
            default:
                if isForbidden(scalar) { out += visible(scalar) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// `text` made safe for HTML text and quoted attribute values (also inside inline SVG): markup
    /// characters become entity references; control characters other than tab, newline and return are
    /// written visibly as `\u{XX}`.
    static func html(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if isForbidden(scalar) || (0x7F...0x9F).contains(scalar.value) {
                    out += visible(scalar)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    private static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF
    }

    private static func visible(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "\\u{" + String(repeating: "0", count: max(0, 2 - hex.count)) + hex + "}"
    }

    /// A duration for people: `0 s`, `250 ms`, `1.5 s`, `61.2 s`, `2 min 5 s`.
    static func duration(_ duration: Duration) -> String {
        let ms = duration.milliseconds
        if ms == 0 { return "0 s" }
        if abs(ms) < 1000 { return "\(ms) ms" }
        if abs(ms) < 120_000 {
            let tenths = (ms + (ms >= 0 ? 50 : -50)) / 100
            return tenths % 10 == 0 ? "\(tenths / 10) s" : "\(tenths / 10).\(abs(tenths % 10)) s"
        }
        let seconds = ms / 1000
        return seconds % 60 == 0 ? "\(seconds / 60) min" : "\(seconds / 60) min \(seconds % 60) s"
    }

    /// Seconds with millisecond precision, as JUnit's `time` attributes want them: `1.250`.
    static func seconds(_ duration: Duration) -> String {
        let ms = max(0, duration.milliseconds)
        let fraction = String(ms % 1000)
        return "\(ms / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    /// A check's scores in a line: `precision 0.67, recall 1.00, f1 0.80, threshold 0.80` (those four first, then
    /// the rest by name).
    static func scores(_ scores: [String: Double]) -> String {
        let first = ["precision", "recall", "f1", "threshold"]
        let names = first.filter { scores[$0] != nil } + scores.keys.filter { !first.contains($0) }.sorted()
        return names.map { name in
            let value = scores[name] ?? 0
            let text = value == value.rounded() && abs(value) >= 10 ? Bounds.format(value) : String(format: "%.2f", value)
            return "\(name) \(text)"
        }.joined(separator: ", ")
    }

    /// The name a check's score goes by in flat lists (JUnit properties): `trajectory.f1`, or `trajectory@12.f1`
    /// when the scenario has more than one scored check of that name.
    static func scoreNames(_ checks: [ScenarioOutcome.Check]) -> [(name: String, value: Double)] {
        let scored = checks.filter { !$0.scores.isEmpty }
        var counts: [String: Int] = [:]
        for check in scored { counts[check.name, default: 0] += 1 }
        return scored.flatMap { check in
            let prefix = counts[check.name, default: 0] > 1 ? "\(check.name)@\(check.line)" : check.name
            return check.scores.sorted { $0.key < $1.key }.map { (name: "\(prefix).\($0.key)", value: $0.value) }
        }
    }

    /// `text` on one line, cut to `limit` characters with an ellipsis.
    static func short(_ text: String, _ limit: Int = 120) -> String {
        let line = text.map { $0.isNewline ? " " : $0 }
        return line.count <= limit ? String(line) : String(line.prefix(limit - 1)) + "…"
    }
}

extension ScenarioOutcome {
    /// How the top-level run ended: its status, else `error` when running it threw, else `not_run`.
    var reportStatus: String {
        if let result { return result.status.rawValue }
        return error != nil ? "error" : "not_run"
    }

    /// Model calls the top-level run made: the result's steps, else the highest step its trace shows.
    var reportSteps: Int {
        if let result { return result.steps }
        return trace.filter { $0.runID == scenario.run.runID }.map(\.step).max() ?? 0
    }

    /// How many faults the harness injected.
    var faultsInjected: Int { trace.count(where: { $0.kind == .faultInjected }) }

    /// Where a check points: `file:line`, or just the file for implicit checks.
    func location(of check: Check) -> String {
        check.line > 0 ? "\(scenario.file):\(check.line)" : scenario.file
    }

    /// A failed check as compilers print diagnostics: `file:line: name: message`.
    func diagnostic(_ check: Check) -> String {
        "\(location(of: check)): \(check.name): \(check.message)"
    }
}
