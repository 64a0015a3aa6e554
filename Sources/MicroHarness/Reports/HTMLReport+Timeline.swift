import Micro
import MicroAgent

extension HTMLReport {
    private static let axisHeight = 30.0
    private static let laneHeight = 48.0

    /// The timeline: lane labels beside a horizontally scrolling inline SVG.
    static func timeline(_ trace: [TraceEvent]) -> String {
        let layout = TraceTimeline(trace)
        let width = layout.width + 24
        let height = axisHeight + Double(layout.lanes.count) * laneHeight + 6
        func center(_ lane: Int) -> Double { axisHeight + (Double(lane) + 0.5) * laneHeight }

        var html = legend
        html += "<div class=\"tl\"><div class=\"labels\" style=\"padding-top:\(n(axisHeight))px\">"
        for lane in layout.lanes {
            let runID = lane.runID.isEmpty ? (lane.key == "world" ? "world" : "outside a run") : lane.runID
            html += "<div style=\"height:\(n(laneHeight))px\"><b>\(e(lane.agent.isEmpty ? "—" : lane.agent))</b>"
            html += "<span>\(e(runID))</span></div>"
        }
        html += "</div>\n<div class=\"scroll\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" "
        html += "height=\"\(n(height))\" viewBox=\"0 0 \(n(width)) \(n(height))\">\n"
        html += "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
        html += "orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" fill=\"#0f766e\"/></marker></defs>\n"

        for index in layout.lanes.indices {
            let top = axisHeight + Double(index) * laneHeight
            html += "<rect class=\"lane\(index % 2 == 0 ? "" : " odd")\" x=\"0\" y=\"\(n(top))\" width=\"\(n(width))\" height=\"\(n(laneHeight))\"/>\n"
        }
        for gap in layout.gaps {
            html += "<g class=\"gap\"><rect x=\"\(n(gap.x))\" y=\"\(n(axisHeight))\" width=\"\(n(gap.width))\" "
            html += "height=\"\(n(height - axisHeight))\"/><text x=\"\(n(gap.x + gap.width / 2))\" y=\"25\">"
            html += "+\(e(ReportText.duration(gap.elapsed)))</text></g>\n"
        }
        for mark in layout.marks where mark.event.sequence % 10 == 0 && mark.event.kind != .crashed {
            html += "<text class=\"tick\" x=\"\(n(mark.x))\" y=\"10\">#\(mark.event.sequence)</text>\n"
        }
        for mark in layout.marks where mark.event.kind == .crashed {
            html += "<g class=\"crashline\" data-seq=\"\(mark.event.sequence)\"><title>\(e(title(mark.event)))</title>"
            html += "<line x1=\"\(n(mark.x))\" y1=\"14\" x2=\"\(n(mark.x))\" y2=\"\(n(height))\"/>"
            html += "<text x=\"\(n(mark.x + 4))\" y=\"10\">✕ crash</text></g>\n"
        }
        for span in layout.spans {
            let cy = center(span.lane)
            let y = span.kind == .model ? cy - 13 : cy + 4
            let classes = ["ev", "span", span.kind.rawValue, span.failed ? "failed" : nil, span.endSequence == nil ? "open" : nil]
            let endText = span.endSequence.map { "#\($0)" } ?? "never finished"
            html += "<g class=\"\(classes.compactMap { $0 }.joined(separator: " "))\" data-seq=\"\(span.startSequence)\">"
            html += "<title>\(e("\(span.label): #\(span.startSequence) → \(endText)"))</title>"
            html += "<rect x=\"\(n(span.start))\" y=\"\(n(y))\" width=\"\(n(max(6, span.end - span.start)))\" height=\"9\" rx=\"3\"/></g>\n"
        }
        for link in layout.links {
            let (y1, y2) = (center(link.fromLane), center(link.toLane))
            let middle = (link.fromX + link.toX) / 2
            html += "<g class=\"ev link \(link.kind.rawValue)\" data-seq=\"\(link.sequence)\"><title>"
            html += link.kind == .delegation ? "delegation #\(link.sequence)" : "delegation result #\(link.sequence)"
            html += "</title><path d=\"M\(n(link.fromX)),\(n(y1)) C\(n(middle)),\(n(y1)) \(n(middle)),\(n(y2)) \(n(link.toX)),\(n(y2))\" "
            html += "marker-end=\"url(#arrow)\"/></g>\n"
        }
        for mark in layout.marks {
            let kind = mark.event.kind
            let bad = mark.event.data["isError"]?.boolValue == true ? " bad" : ""
            html += "<g class=\"ev k-\(kindClass(kind))\(bad)\" data-seq=\"\(mark.event.sequence)\" tabindex=\"0\">"
            html += "<title>\(e(title(mark.event)))</title>\(shape(kind, x: mark.x, cy: center(mark.lane)))</g>\n"
        }
        html += "</svg></div></div>\n"
        return html
    }

    private static func title(_ event: TraceEvent) -> String {
        let summary = TraceEventText.summary(event)
        return "#\(event.sequence) \(event.kind.rawValue) (step \(event.step))" + (summary.isEmpty ? "" : ": \(summary)")
    }

    /// The marker for one event, centered on its lane.
    private static func shape(_ kind: TraceEvent.Kind, x: Double, cy: Double) -> String {
        let hit = "<rect class=\"hit\" x=\"\(n(x - 7))\" y=\"\(n(cy - 20))\" width=\"14\" height=\"40\"/>"
        func circle(_ y: Double, _ r: Double) -> String { "<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(r))\"/>" }
        func polygon(_ points: [(Double, Double)]) -> String {
            "<polygon points=\"\(points.map { "\(n(x + $0.0)),\(n(cy + $0.1))" }.joined(separator: " "))\"/>"
        }
        switch kind {
        case .modelRequest, .modelResponse, .modelError, .modelRetry: return hit + circle(cy - 8.5, 3.5)
        case .toolCall, .toolResult: return hit + circle(cy + 8.5, 3.5)
        case .checkpoint:
            return "<rect class=\"hit\" x=\"\(n(x - 4))\" y=\"\(n(cy - 20))\" width=\"8\" height=\"40\"/>"
                + "<line x1=\"\(n(x))\" y1=\"\(n(cy - 18))\" x2=\"\(n(x))\" y2=\"\(n(cy + 18))\"/>"
        case .faultInjected:
            return hit + "<line x1=\"\(n(x))\" y1=\"\(n(cy - 10))\" x2=\"\(n(x))\" y2=\"\(n(cy + 20))\"/>"
                + polygon([(-7, -21), (7, -21), (0, -9)])
        case .crashed:
            return hit + "<path d=\"M\(n(x - 7)),\(n(cy - 7))L\(n(x + 7)),\(n(cy + 7))M\(n(x + 7)),\(n(cy - 7))L\(n(x - 7)),\(n(cy + 7))\"/>"
        case .resumed: return hit + polygon([(-5, -8), (-5, 8), (8, 0)])
        case .paused:
            return hit + "<rect x=\"\(n(x - 5))\" y=\"\(n(cy - 7))\" width=\"4\" height=\"14\"/>"
                + "<rect x=\"\(n(x + 1))\" y=\"\(n(cy - 7))\" width=\"4\" height=\"14\"/>"
        case .compaction: return hit + polygon([(0, -8), (7, 0), (0, 8), (-7, 0)])
        case .failed: return hit + "<rect x=\"\(n(x - 6))\" y=\"\(n(cy - 6))\" width=\"12\" height=\"12\"/>"
        case .guardrail: return hit + polygon([(-3, -7), (3, -7), (7, -3), (7, 3), (3, 7), (-3, 7), (-7, 3), (-7, -3)])
        case .planUpdated: return hit + "<rect x=\"\(n(x - 4))\" y=\"\(n(cy - 5))\" width=\"8\" height=\"10\" rx=\"1\"/>"
        case .completed: return hit + circle(cy, 6)
        default: return hit + circle(cy, 4.5)
        }
    }

    /// The legend: each kind of mark drawn exactly as on the timeline.
    private static let legend: String = {
        func swatch(_ inner: String) -> String {
            "<svg class=\"swatch\" width=\"16\" height=\"32\" viewBox=\"-12 -24 24 48\">\(inner)</svg>"
        }
        func span(_ classes: String, y: Double) -> String {
            swatch("<g class=\"span \(classes)\"><rect x=\"-11\" y=\"\(n(y))\" width=\"22\" height=\"9\" rx=\"3\"/></g>")
        }
        func mark(_ kind: TraceEvent.Kind) -> String {
            swatch("<g class=\"k-\(kindClass(kind))\">\(shape(kind, x: 0, cy: 0))</g>")
        }
        let items: [(String, String)] = [
            (span("model", y: -13), "model call"), (span("model failed", y: -13), "model error"),
            (span("tool", y: 4), "tool call"), (span("tool failed", y: 4), "tool error"),
            (span("tool open", y: 4), "unfinished"), (mark(.checkpoint), "checkpoint"), (mark(.faultInjected), "fault"),
            (mark(.crashed), "crash"), (mark(.resumed), "resume"), (mark(.paused), "paused"), (mark(.compaction), "compaction"),
            (swatch("<g class=\"link\"><path d=\"M-11,-8 C0,-8 0,8 10,8\" marker-end=\"url(#arrow)\"/></g>"), "delegation"),
            (mark(.runStarted), "started"), (mark(.completed), "completed"), (mark(.failed), "failed"),
            (mark(.guardrail), "guardrail"), (mark(.modelRetry), "retry"),
        ]
        return "<div class=\"legend\">" + items.map { "<span>\($0.0)\($0.1)</span>" }.joined() + "</div>\n"
    }()

    /// A coordinate with at most one decimal.
    private static func n(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? String(Int(tenths / 10)) : String(tenths / 10)
    }

    private static func e(_ text: String) -> String { ReportText.html(text) }
}
