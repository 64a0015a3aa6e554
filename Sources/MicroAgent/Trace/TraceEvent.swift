import Micro

/// One observable thing that happened in a run. Assertions read these, never log text.
public struct TraceEvent: Sendable, Hashable, Codable {
    /// What happened. New kinds may be added.
    public struct Kind: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }
        public var description: String { rawValue }

        public static let runStarted = Kind(rawValue: "run_started")
        public static let modelRequest = Kind(rawValue: "model_request")
        public static let modelResponse = Kind(rawValue: "model_response")
        public static let modelError = Kind(rawValue: "model_error")
        public static let modelRetry = Kind(rawValue: "model_retry")
        public static let toolCall = Kind(rawValue: "tool_call")
        public static let toolResult = Kind(rawValue: "tool_result")
        public static let guardrail = Kind(rawValue: "guardrail")
        /// The approval policy asks about a call before it runs: `tool`, `callID`, `arguments`, `rule`,
        /// `invalidAnswers`, and `problem` when an answer could not be used and the question is asked again.
        public static let approvalRequested = Kind(rawValue: "approval_requested")
        /// An approval question was answered: `callID`, `tool`, `approved`, `edited`, the `arguments` the
        /// call runs with, and the denial's `reason` (or null).
        public static let approvalAnswered = Kind(rawValue: "approval_answered")
        /// The approval policy denied a call without asking: `callID`, `tool`, `rule` (null for the default).
        public static let toolDenied = Kind(rawValue: "tool_denied")
        /// A deadline cut a call in flight: `deadline` is `{kind (tool, model or run), limitMs, atMs, subject,
        /// cancelled}`; a tool call's also has `callID` and `tool`.
        public static let deadlineExceeded = Kind(rawValue: "deadline_exceeded")
        public static let planUpdated = Kind(rawValue: "plan_updated")
        public static let delegation = Kind(rawValue: "delegation")
        public static let delegationResult = Kind(rawValue: "delegation_result")
        public static let checkpoint = Kind(rawValue: "checkpoint")
        public static let compaction = Kind(rawValue: "compaction")
        public static let recall = Kind(rawValue: "recall")
        public static let paused = Kind(rawValue: "paused")
        public static let resumed = Kind(rawValue: "resumed")
        public static let completed = Kind(rawValue: "completed")
        public static let failed = Kind(rawValue: "failed")
        public static let cancelled = Kind(rawValue: "cancelled")
        /// A run was forked from another run's checkpoint: `parent`, `sequence`, `juncture`, `edit` (the fork's
        /// first event; what came before is in the parent's checkpoints, never executed again).
        public static let forked = Kind(rawValue: "forked")
        public static let error = Kind(rawValue: "error")
        /// The harness injected a fault.
        public static let faultInjected = Kind(rawValue: "fault_injected")
        /// The process running the run crashed (or was killed) here.
        public static let crashed = Kind(rawValue: "crashed")
        /// A flow run started: `flow`, the event's `kind` (direct, topic, schedule), `topic`, `id`, `data`.
        public static let flowTriggered = Kind(rawValue: "flow_triggered")
        /// A flow run entered a stage: `stage`, `index`.
        public static let stageEntered = Kind(rawValue: "stage_entered")
        /// A flow run completed a stage: `stage`, `index`, `iterations`, `attempts`.
        public static let stageCompleted = Kind(rawValue: "stage_completed")
        /// A flow step failed and is retried: `stage`, `iteration`, `attempt`, `retry` (the next one), `error`.
        public static let stageRetry = Kind(rawValue: "stage_retry")
        /// A verifier graded an attempt: `stage`, `iteration`, `attempt`, `passed`, `feedback`, `grader` (code, model).
        public static let verification = Kind(rawValue: "verification")
        /// A loop iteration of a flow step was accepted: `stage`, `iteration`, `done` (its condition held),
        /// `capped` (the iteration limit ended the loop), `judge` (code, model).
        public static let loopIteration = Kind(rawValue: "loop_iteration")
    }

    /// Position in the trace, from 1.
    public var sequence: Int
    public var kind: Kind
    public var runID: String
    public var agent: String
    /// The run's step (model calls made) when it happened.
    public var step: Int
    /// Time on the environment's clock.
    public var at: Timestamp
    public var data: JSONValue

    public init(sequence: Int, kind: Kind, runID: String, agent: String, step: Int, at: Timestamp, data: JSONValue) {
        self.sequence = sequence
        self.kind = kind
        self.runID = runID
        self.agent = agent
        self.step = step
        self.at = at
        self.data = data
    }
}
