/// The run's plan: steps the agent intends to take, with their status. Owned by the run, checkpointed with
/// it, updated through the built-in `plan` tool and shown to the model at every step.
public struct Plan: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        case pending
        case inProgress = "in_progress"
        case done
        case skipped
    }

    public struct Step: Sendable, Hashable, Codable {
        public var title: String
        public var status: Status
        public init(title: String, status: Status = .pending) {
            self.title = title
            self.status = status
        }
    }

    public var steps: [Step]
    public init(steps: [Step] = []) { self.steps = steps }

    /// The plan as the model sees it: `1. [done] Search flights`.
    public var rendered: String {
        steps.enumerated().map { "\($0.offset + 1). [\($0.element.status.rawValue)] \($0.element.title)" }
            .joined(separator: "\n")
    }
}
