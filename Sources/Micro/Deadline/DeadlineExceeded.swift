/// Work that a ``Deadline`` cut off: the deadline passed while it was in flight (it was cancelled) or
/// before it started (it never ran).
public struct DeadlineExceeded: Error, Sendable, Hashable, CustomStringConvertible {
    public var deadline: Deadline
    /// When it was cut off, in the wall time of the environment.
    public var at: Timestamp
    /// Whether the work had started (and was cancelled) rather than refused before it began.
    public var cancelledInFlight: Bool

    public init(_ deadline: Deadline, at: Timestamp, cancelledInFlight: Bool) {
        self.deadline = deadline
        self.at = at
        self.cancelledInFlight = cancelledInFlight
    }

    /// `tool crm_lookup (call c1): the tool deadline (5s) at … passed; the call in flight was cancelled`.
    public var description: String {
        let subject = deadline.subject.isEmpty ? "" : "\(deadline.subject): "
        let what = cancelledInFlight ? "the call in flight was cancelled" : "the call was not started (now \(at))"
        return "\(subject)\(deadline) passed; \(what)"
    }

    /// The deadline's ``Deadline/jsonValue`` with `cancelled` (in flight or not).
    public var jsonValue: JSONValue {
        var object = deadline.jsonValue.objectValue ?? [:]
        object["cancelled"] = .bool(cancelledInFlight)
        return .object(object)
    }
}
