/// A time by which some work must be done, and which limit set it: a tool call's, a model call's or a
/// run's, how long that limit is, and the call it bounds. ``withDeadline(_:environment:operation:)``
/// enforces one by cancelling the work in flight.
public struct Deadline: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Which limit a deadline comes from. New kinds may be added.
    public struct Kind: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }
        public var description: String { rawValue }

        /// One tool call's time limit.
        public static let tool = Kind(rawValue: "tool")
        /// One model call's time limit (the whole streamed answer).
        public static let model = Kind(rawValue: "model")
        /// The whole run's time limit.
        public static let run = Kind(rawValue: "run")
        /// A deadline set on a call with no name for where it came from (``CallContext/deadline``).
        public static let call = Kind(rawValue: "call")
    }

    public var kind: Kind
    /// When it passes, in the wall time of the environment.
    public var at: Timestamp
    /// The length of the limit (for example the 5 s of a tool-call timeout), when known.
    public var limit: Duration?
    /// What it bounds, for messages: `tool crm_lookup (call c1)`, `model call of step 3`, `run r1`.
    public var subject: String

    public init(_ kind: Kind, at: Timestamp, limit: Duration? = nil, subject: String = "") {
        self.kind = kind
        self.at = at
        self.limit = limit
        self.subject = subject
    }

    /// The deadline `limit` from `start`.
    public static func after(_ limit: Duration, from start: Timestamp, _ kind: Kind, subject: String) -> Deadline {
        Deadline(kind, at: start.advanced(by: limit), limit: limit, subject: subject)
    }

    /// The earlier of two deadlines; on a tie the run's (it ends more), else `self`.
    public func earlier(_ other: Deadline?) -> Deadline {
        guard let other else { return self }
        if other.at < at || (other.at == at && other.kind == .run && kind != .run) { return other }
        return self
    }

    /// The deadline in the innermost ``withDeadline(_:environment:operation:)`` scope of the current task.
    @TaskLocal public static var current: Deadline?

    /// `the tool deadline (5s) at 2026-01-01T00:00:05.000Z`.
    public var description: String {
        "the \(kind) deadline" + (limit.map { " (\(Self.text($0)))" } ?? "") + " at \(at)"
    }

    /// `{kind, atMs, limitMs?, subject}`, for traces and error details.
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "kind": .string(kind.rawValue), "atMs": .integer(Int(at.millisecondsSinceEpoch)), "subject": .string(subject),
        ]
        if let limit { object["limitMs"] = .integer(Int(limit.milliseconds)) }
        return .object(object)
    }

    /// `250ms`, `5s`, `1.5s`.
    static func text(_ duration: Duration) -> String {
        let ms = duration.milliseconds
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        return ms < 1000 ? "\(ms)ms" : "\(Double(ms) / 1000)s"
    }
}
