import Foundation
import Micro
import MicroAgent

/// The layout of a Trace as a timeline: one lane per run (its run ID and agent), events placed left to
/// right in sequence order with a gap wherever the virtual clock moved, spans for model calls (request to
/// response or error) and tool calls (call to result), and links for delegations between lanes.
/// Pure geometry in abstract units; ``HTMLReport`` draws it.
struct TraceTimeline {
    struct Lane: Hashable {
        /// The run ID, or `agent:NAME` / `world` for events outside a run.
        var key: String
        var runID: String
        var agent: String
    }

    struct Mark {
        var event: TraceEvent
        var lane: Int
        var x: Double
    }

    struct Span {
        enum Kind: String { case model, tool }
        var kind: Kind
        var lane: Int
        var start: Double
        var end: Double
        var startSequence: Int
        /// The closing event; nil when the call never finished (a crash, or the trace ended).
        var endSequence: Int?
        /// The model call ended in an error, or the tool result is an error.
        var failed: Bool
        var label: String
    }

    struct Link {
        enum Kind: String { case delegation, result }
        var kind: Kind
        var fromLane: Int
        var fromX: Double
        var toLane: Int
        var toX: Double
        var sequence: Int
    }

    /// Where the virtual clock moved between two consecutive events.
    struct Gap {
        var x: Double
        var width: Double
        var elapsed: Duration
    }

    static let slot = 18.0

    var lanes: [Lane] = []
    var marks: [Mark] = []
    var spans: [Span] = []
    var links: [Link] = []
    var gaps: [Gap] = []
    /// The x just after the last event.
    var width = 0.0
    /// The virtual time of the first event.
    var start: Timestamp?

    init(_ trace: [TraceEvent]) {
        let events = trace.sorted { $0.sequence < $1.sequence }
        start = events.first?.at
        var laneIndex: [String: Int] = [:]
        var x = Self.slot / 2
        var previous: Timestamp?
        var openModel: [Int: (x: Double, sequence: Int)] = [:]
        var openTools: [String: (lane: Int, x: Double, sequence: Int, tool: String)] = [:]
        var toolOrder: [String] = []

        func lane(for event: TraceEvent) -> Int {
            let key = !event.runID.isEmpty ? event.runID : (event.agent.isEmpty ? "world" : "agent:\(event.agent)")
            if let index = laneIndex[key] {
                if lanes[index].agent.isEmpty { lanes[index].agent = event.agent }
                return index
            }
            lanes.append(Lane(key: key, runID: event.runID, agent: event.agent))
            laneIndex[key] = lanes.count - 1
            return lanes.count - 1
        }

        func closeAll(at end: Double) {
            for (laneNumber, open) in openModel.sorted(by: { $0.key < $1.key }) {
                spans.append(Span(
                    kind: .model, lane: laneNumber, start: open.x, end: end, startSequence: open.sequence, endSequence: nil,
                    failed: false, label: "model call (unfinished)"))
            }
            openModel = [:]
            for key in toolOrder {
                guard let open = openTools[key] else { continue }
                spans.append(Span(
                    kind: .tool, lane: open.lane, start: open.x, end: end, startSequence: open.sequence, endSequence: nil,
                    failed: false, label: "\(open.tool) (unfinished)"))
            }
            openTools = [:]
            toolOrder = []
        }

        for event in events {
            if let previous, event.at > previous {
                let elapsed = event.at.duration(since: previous)
                let width = Self.gapWidth(elapsed)
                gaps.append(Gap(x: x - Self.slot / 2, width: width, elapsed: elapsed))
                x += width
            }
            previous = event.at
            let laneNumber = lane(for: event)
            marks.append(Mark(event: event, lane: laneNumber, x: x))
            switch event.kind {
            case .modelRequest:
                if let open = openModel[laneNumber] {
                    spans.append(Span(
                        kind: .model, lane: laneNumber, start: open.x, end: x, startSequence: open.sequence, endSequence: nil,
                        failed: false, label: "model call (unfinished)"))
                }
                openModel[laneNumber] = (x, event.sequence)
            case .modelResponse, .modelError:
                if let open = openModel.removeValue(forKey: laneNumber) {
                    let failed = event.kind == .modelError
                    let label = failed
                        ? "model error: \(event.data["code"]?.stringValue ?? "")"
                        : "model call: \(event.data["stopReason"]?.stringValue ?? "")"
                    spans.append(Span(
                        kind: .model, lane: laneNumber, start: open.x, end: x, startSequence: open.sequence,
                        endSequence: event.sequence, failed: failed, label: label))
                }
            case .toolCall:
                let key = "\(laneNumber)\u{0}\(event.data["callID"]?.stringValue ?? "#\(event.sequence)")"
                if openTools[key] == nil { toolOrder.append(key) }
                openTools[key] = (laneNumber, x, event.sequence, event.data["tool"]?.stringValue ?? "tool")
            case .toolResult:
                let key = "\(laneNumber)\u{0}\(event.data["callID"]?.stringValue ?? "")"
                if let open = openTools.removeValue(forKey: key) {
                    toolOrder.removeAll { $0 == key }
                    let failed = event.data["isError"]?.boolValue == true
                    spans.append(Span(
                        kind: .tool, lane: laneNumber, start: open.x, end: x, startSequence: open.sequence,
                        endSequence: event.sequence, failed: failed, label: failed ? "\(open.tool) (error)" : open.tool))
                }
            case .crashed:
                closeAll(at: x)
            default:
                break
            }
            x += Self.slot
        }
        closeAll(at: x - Self.slot / 2)
        width = x - Self.slot / 2
        links = Self.links(marks, lanes: lanes)
    }

    /// The room a clock jump takes: grows with the logarithm of the elapsed time, within bounds.
    static func gapWidth(_ elapsed: Duration) -> Double {
        let ms = max(1, Double(elapsed.milliseconds))
        return min(160, 28 + 18 * log10(ms))
    }

    /// Delegation arrows: from the parent's `delegation` to the child run's first event after it, and from
    /// the child's last event before a `delegation_result` back to it.
    private static func links(_ marks: [Mark], lanes: [Lane]) -> [Link] {
        var links: [Link] = []
        var laneOfRun: [String: Int] = [:]
        for (index, lane) in lanes.enumerated() where !lane.runID.isEmpty { laneOfRun[lane.runID] = index }
        for mark in marks where mark.event.kind == .delegation || mark.event.kind == .delegationResult {
            guard let child = mark.event.data["childRunID"]?.stringValue, let childLane = laneOfRun[child],
                childLane != mark.lane
            else { continue }
            let sequence = mark.event.sequence
            if mark.event.kind == .delegation {
                guard let target = marks.first(where: { $0.lane == childLane && $0.event.sequence > sequence }) else { continue }
                links.append(Link(
                    kind: .delegation, fromLane: mark.lane, fromX: mark.x, toLane: childLane, toX: target.x, sequence: sequence))
            } else {
                guard let source = marks.last(where: { $0.lane == childLane && $0.event.sequence < sequence }) else { continue }
                links.append(Link(
                    kind: .result, fromLane: childLane, fromX: source.x, toLane: mark.lane, toX: mark.x, sequence: sequence))
            }
        }
        return links
    }
}
