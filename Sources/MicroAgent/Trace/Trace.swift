import Micro
import Synchronization

/// The ordered record of everything observable in one or more runs (model requests and responses, tool
/// calls and results, plans, delegations, checkpoints, compactions, pauses, resumes, errors), with step
/// numbers and virtual timestamps. Serializes as canonical JSON lines.
public final class Trace: Sendable {
    private let events = Mutex<[TraceEvent]>([])

    public init() {}

    /// Appends an event and returns it.
    @discardableResult
    public func append(
        _ kind: TraceEvent.Kind, runID: String, agent: String, step: Int, at: Timestamp, data: JSONValue = .object([:])
    ) -> TraceEvent {
        events.withLock { events in
            let event = TraceEvent(
                sequence: events.count + 1, kind: kind, runID: runID, agent: agent, step: step, at: at, data: data)
            events.append(event)
            return event
        }
    }

    /// Every event so far, in order.
    public var all: [TraceEvent] { events.withLock { $0 } }

    /// The events of one kind, in order.
    public func events(_ kind: TraceEvent.Kind) -> [TraceEvent] { all.filter { $0.kind == kind } }

    /// One canonical JSON object per line.
    public func jsonLines() throws -> String {
        let encoder = JSONValueEncoder()
        return try all.map { try encoder.encode($0).canonicalString() + "\n" }.joined()
    }

    /// Parses ``jsonLines()`` output; throws naming the line that is not a valid event.
    public static func events(fromJSONLines text: String) throws -> [TraceEvent] {
        var events: [TraceEvent] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            do {
                events.append(try JSONValueDecoder().decode(TraceEvent.self, from: JSONValue(parsing: String(line))))
            } catch {
                throw TraceError(line: number + 1, message: "\(error)")
            }
        }
        return events
    }
}

/// A trace file that cannot be read.
public struct TraceError: Error, Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "trace line \(line): \(message)" }
}
