/// How an approval question about a tool call was answered, committed with the call before it runs (so a
/// resumed run never asks again and never runs a denied call).
public struct ApprovalDecision: Sendable, Hashable, Codable {
    public var approved: Bool
    /// Whether the answer replaced the call's arguments (the call keeps its id and idempotency key).
    public var edited: Bool
    /// Why it was denied, when the answer said.
    public var reason: String?

    public init(approved: Bool, edited: Bool = false, reason: String? = nil) {
        self.approved = approved
        self.edited = edited
        self.reason = reason
    }
}
