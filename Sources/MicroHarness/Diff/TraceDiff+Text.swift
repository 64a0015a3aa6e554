import Micro

extension TraceDiff {
    /// The diff for a terminal (`micro diff A B`): per run, the first divergence, then every step that is not
    /// the same (`~` changed, `+` added, `-` dropped) with its argument and content differences, per-step
    /// metric differences, ledger entries and facts that differ; `color` adds ANSI colors.
    ///
    /// ```
    /// a.record.json (run_record) → b.record.json (run_record)
    /// run Scenarios/book.yaml: 1 changed, 1 added, 0 dropped
    ///   first divergence at step 4 of A, step 4 of B (changed):
    ///     A: tool_call travel_hotels_book {"nights":2} (booker, step 2)
    ///     B: tool_call travel_hotels_book {"nights":3} (booker, step 2)
    ///   ~ 4/4 tool_call travel_hotels_book (booker, step 2)
    ///       arguments $.nights: 2 → 3
    ///   + -/7 tool_call payments_charge {"amount":100} (booker, step 3)
    ///   metrics 2/2 model_call: outputTokens 10 → 12
    ///   side effect + payments.charge run/3/0 #1 {"amount":100}
    ///   fact $.status: "completed" → "failed"
    /// different
    /// ```
    public func text(color: Bool = false) -> String {
        func paint(_ text: String, _ code: String) -> String {
            color ? "\u{1B}[\(code)m\(Self.visible(text))\u{1B}[0m" : Self.visible(text)
        }
        func plain(_ text: String) -> String { Self.visible(text) }
        func index(_ step: DiffStep?) -> String { step.map { String($0.index) } ?? "-" }
        var lines = [plain("\(aFile) (\(aFormat.rawValue)) → \(bFile) (\(bFormat.rawValue))")]
        for name in onlyInA { lines.append(paint("- run \(name) only in A", "31")) }
        for name in onlyInB { lines.append(paint("+ run \(name) only in B", "32")) }
        for run in runs {
            var head = "run \(run.name)"
            if run.comparedSteps {
                head += ": \(run.changed.count) changed, \(run.added.count) added, \(run.dropped.count) dropped"
            } else {
                head += ": no steps to compare (\(aFormat == bFormat ? "the files carry none" : "one side carries none"))"
            }
            lines.append(run.identical ? plain(head + ", identical") : paint(head, "1"))
            if let divergence = run.firstDivergence {
                lines.append(plain(
                    "  first divergence at step \(divergence.aIndex) of A, step \(divergence.bIndex) of B (\(divergence.operation.rawValue)):"))
                lines.append(plain("    A: " + (divergence.a?.summary ?? "(no more steps)")))
                lines.append(plain("    B: " + (divergence.b?.summary ?? "(no more steps)")))
            }
            for entry in run.entries where entry.operation != .same {
                switch entry.operation {
                case .added: lines.append(paint("  + \(index(entry.a))/\(index(entry.b)) \(entry.b?.summary ?? "")", "32"))
                case .dropped: lines.append(paint("  - \(index(entry.a))/\(index(entry.b)) \(entry.a?.summary ?? "")", "31"))
                default:
                    lines.append(paint("  ~ \(index(entry.a))/\(index(entry.b)) \(entry.a?.summary ?? "")", "33"))
                    for change in entry.argumentChanges { lines.append(plain("      arguments " + ReportText.short(change.text, 200))) }
                    for change in entry.detailChanges.prefix(8) { lines.append(plain("      " + ReportText.short(change.text, 200))) }
                    if entry.detailChanges.count > 8 { lines.append("      … \(entry.detailChanges.count - 8) more differences") }
                }
            }
            for entry in run.metricChanges {
                lines.append(plain(
                    "  metrics \(index(entry.a))/\(index(entry.b)) \(entry.a?.kind ?? ""): "
                        + entry.metricChanges.map(\.text).joined(separator: ", ")))
            }
            if let effects = run.sideEffects {
                for effect in effects.dropped {
                    lines.append(paint("  side effect - \(effect.kind) \(effect.key) #\(effect.occurrence) \(effect.payload.canonicalString())", "31"))
                }
                for effect in effects.added {
                    lines.append(paint("  side effect + \(effect.kind) \(effect.key) #\(effect.occurrence) \(effect.payload.canonicalString())", "32"))
                }
                for change in effects.changed {
                    lines.append(
                        paint("  side effect ~ \(change.old.kind) \(change.old.key) #\(change.old.occurrence): ", "33")
                            + plain(change.changes.map(\.text).joined(separator: ", ")))
                }
            }
            for fact in run.facts { lines.append(plain("  fact " + ReportText.short(fact.text, 200))) }
        }
        lines.append(identical ? paint("identical", "32") : paint("different", "31"))
        return lines.joined(separator: "\n") + "\n"
    }

    /// `text` with control characters shown escaped, so one item stays one line and cannot restyle the terminal.
    static func visible(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                out += scalar == "\n" ? "\\n" : "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
