import Micro

/// What a fork changes at the checkpoint it starts from (``AgentRunner/fork(runID:at:edit:newRunID:)``).
public enum ForkEdit: Sendable, Hashable {
    /// Nothing: the fork goes on from the checkpoint as the parent did.
    case none
    /// Another answer to the model call at the checkpoint (a `before_model:N` or `after_model:N` checkpoint):
    /// the fork takes this assistant message as the answer of step N instead of calling the model.
    case modelAnswer(Message)
    /// Another result for the tool call `callID`, pending at the checkpoint: the call is not executed in the fork.
    case toolResult(callID: String, content: JSONValue, isError: Bool)
    /// Another answer to the question the run waits for at the checkpoint (a `paused` checkpoint).
    case input(String)

    /// For people and ``ForkOrigin/edit``.
    public var summary: String {
        switch self {
        case .none: "none"
        case .modelAnswer(let message):
            "model answer replaced" + (message.toolCalls.isEmpty ? "" : " (calls \(message.toolCalls.map(\.name).joined(separator: ", ")))")
        case .toolResult(let callID, _, let isError): "result of call \(callID) replaced" + (isError ? " (an error)" : "")
        case .input(let text): "input answered with \(JSONValue.string(text).canonicalString())"
        }
    }
}

/// A fork that cannot be made.
public struct ForkError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }
        /// The parent run has no checkpoints.
        public static let unknownRun = Code(rawValue: "unknown_run")
        /// The parent run has no checkpoint with that sequence.
        public static let unknownCheckpoint = Code(rawValue: "unknown_checkpoint")
        /// The edit does not apply at that checkpoint (no model call there, no such pending call, no question).
        public static let editNotApplicable = Code(rawValue: "edit_not_applicable")
        /// The checkpoint is in a state a fork cannot start from without repeating or sharing a side effect.
        public static let unsupported = Code(rawValue: "unsupported")
    }

    public var code: Code
    public var message: String
    /// The parent run.
    public var runID: String
    /// The checkpoint asked for.
    public var sequence: Int

    public init(_ code: Code, _ message: String, runID: String, sequence: Int) {
        self.code = code
        self.message = message
        self.runID = runID
        self.sequence = sequence
    }

    public var description: String { "\(code): run \(runID) checkpoint \(sequence): \(message)" }
}
