import Foundation

/// Where an A2A task is in its life. A run maps onto it: running → working, a `request_input` pause →
/// input-required, completed, failed, cancelled → canceled.
public enum A2ATaskState: String, Sendable, Hashable, Codable, CaseIterable {
    case submitted
    case working
    case inputRequired = "input-required"
    case completed
    case canceled
    case failed
    case rejected
    case authRequired = "auth-required"
    case unknown

    /// The task will not change again.
    public var isTerminal: Bool {
        switch self {
        case .completed, .canceled, .failed, .rejected: true
        default: false
        }
    }

    /// The task waits for the client (an answer or credentials).
    public var isInterrupted: Bool { self == .inputRequired || self == .authRequired }

    /// The state as `version` spells it: `input-required` (0.3) or `TASK_STATE_INPUT_REQUIRED` (1.0).
    public func wire(_ version: A2AVersion) -> String {
        switch version {
        case .v0_3: rawValue
        case .v1_0:
            self == .unknown
                ? "TASK_STATE_UNSPECIFIED" : "TASK_STATE_" + rawValue.uppercased().replacingOccurrences(of: "-", with: "_")
        }
    }

    /// The state a wire string names in either version, or nil.
    public init?(wire: String) {
        if let state = A2ATaskState(rawValue: wire) {
            self = state
        } else if wire == "TASK_STATE_UNSPECIFIED" {
            self = .unknown
        } else if wire.hasPrefix("TASK_STATE_"),
            let state = A2ATaskState(rawValue: wire.dropFirst(11).lowercased().replacingOccurrences(of: "_", with: "-"))
        {
            self = state
        } else {
            return nil
        }
    }
}
