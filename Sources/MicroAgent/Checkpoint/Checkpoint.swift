import Micro

/// A point in a run where its state is committed.
public enum Juncture: Sendable, Hashable, Codable, CustomStringConvertible {
    case started
    case beforeModel(step: Int)
    case afterModel(step: Int)
    case beforeTool(step: Int, index: Int)
    case afterTool(step: Int, index: Int)
    case paused
    case resumed
    case completed
    case failed
    /// The run was cancelled (a task cancelled by its client) and will not go on.
    case cancelled
    /// A flow run's step boundary: `point` (entered, output, verified, rejected, retry, iteration, paused,
    /// completed) of the stage `stage` (a name without `:`).
    case stage(String, String)

    public var description: String {
        switch self {
        case .started: "started"
        case .beforeModel(let step): "before_model:\(step)"
        case .afterModel(let step): "after_model:\(step)"
        case .beforeTool(let step, let index): "before_tool:\(step):\(index)"
        case .afterTool(let step, let index): "after_tool:\(step):\(index)"
        case .paused: "paused"
        case .resumed: "resumed"
        case .completed: "completed"
        case .failed: "failed"
        case .cancelled: "cancelled"
        case .stage(let stage, let point): "stage:\(stage):\(point)"
        }
    }

    /// Parses ``description``.
    public init?(_ text: String) {
        let parts = text.split(separator: ":").map(String.init)
        switch (parts.first, parts.count) {
        case ("started", 1): self = .started
        case ("paused", 1): self = .paused
        case ("resumed", 1): self = .resumed
        case ("completed", 1): self = .completed
        case ("failed", 1): self = .failed
        case ("cancelled", 1): self = .cancelled
        case ("stage", 3): self = .stage(parts[1], parts[2])
        case ("before_model", 2): guard let s = Int(parts[1]) else { return nil }; self = .beforeModel(step: s)
        case ("after_model", 2): guard let s = Int(parts[1]) else { return nil }; self = .afterModel(step: s)
        case ("before_tool", 3):
            guard let s = Int(parts[1]), let i = Int(parts[2]) else { return nil }
            self = .beforeTool(step: s, index: i)
        case ("after_tool", 3):
            guard let s = Int(parts[1]), let i = Int(parts[2]) else { return nil }
            self = .afterTool(step: s, index: i)
        default: return nil
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let juncture = Juncture(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "unknown juncture \"\(text)\""))
        }
        self = juncture
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A committed snapshot of a run at a juncture.
public struct Checkpoint: Sendable, Hashable, Codable {
    public var runID: String
    /// 1 for the first checkpoint of the run, increasing by one per commit.
    public var sequence: Int
    public var juncture: Juncture
    public var state: RunState
    public var at: Timestamp

    public init(runID: String, sequence: Int, juncture: Juncture, state: RunState, at: Timestamp) {
        self.runID = runID
        self.sequence = sequence
        self.juncture = juncture
        self.state = state
        self.at = at
    }
}

/// One line of `micro runs list`.
public struct RunSummary: Sendable, Hashable, Codable {
    public var runID: String
    public var agent: String
    public var parentRunID: String?
    public var status: RunState.Status
    public var step: Int
    public var lastJuncture: Juncture
    public var checkpoints: Int
    public var updatedAt: Timestamp
    public var lease: Lease?

    public init(
        runID: String, agent: String, parentRunID: String?, status: RunState.Status, step: Int,
        lastJuncture: Juncture, checkpoints: Int, updatedAt: Timestamp, lease: Lease?
    ) {
        self.runID = runID
        self.agent = agent
        self.parentRunID = parentRunID
        self.status = status
        self.step = step
        self.lastJuncture = lastJuncture
        self.checkpoints = checkpoints
        self.updatedAt = updatedAt
        self.lease = lease
    }
}

/// The right to advance a run, held by one owner until it expires.
public struct Lease: Sendable, Hashable, Codable {
    public var runID: String
    public var owner: String
    public var expiresAt: Timestamp
    public init(runID: String, owner: String, expiresAt: Timestamp) {
        self.runID = runID
        self.owner = owner
        self.expiresAt = expiresAt
    }
}
