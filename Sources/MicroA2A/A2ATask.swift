import Micro

/// An A2A task: one piece of work an agent does for a client, backed by one agent run.
public struct A2ATask: Sendable, Hashable, Codable {
    public var id: String
    public var contextID: String
    public var state: A2ATaskState
    /// What the agent says with the state: its question when input-required, the failure when failed.
    public var statusMessage: A2AMessage?
    /// When the state last changed.
    public var updatedAt: Timestamp
    public var artifacts: [A2AArtifact]
    /// The messages exchanged, oldest first.
    public var history: [A2AMessage]
    /// The run behind the task (server side only; never on the wire).
    public var runID: String?
    /// The message that answered the task when the agent answered with a message rather than artifacts: what
    /// `SendMessage` returns instead of the task.
    public var reply: A2AMessage?

    public init(
        id: String, contextID: String, state: A2ATaskState, statusMessage: A2AMessage? = nil, updatedAt: Timestamp,
        artifacts: [A2AArtifact] = [], history: [A2AMessage] = [], runID: String? = nil
    ) {
        self.id = id
        self.contextID = contextID
        self.state = state
        self.statusMessage = statusMessage
        self.updatedAt = updatedAt
        self.artifacts = artifacts
        self.history = history
        self.runID = runID
    }

    /// A follow-up the client sent after the agent's last message (the answer to its question), or nil when
    /// the history ends with the agent or holds the first message only.
    public var pendingFollowUp: A2AMessage? {
        guard history.count > 1, let last = history.last, last.role == .user,
            history.dropLast().contains(where: { $0.role == .agent })
        else { return nil }
        return last
    }

    /// The artifacts' text, else the status message's text.
    public var outputText: String {
        let artifactText = artifacts.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n")
        return artifactText.isEmpty ? statusMessage?.text ?? "" : artifactText
    }
}

/// One event of a streamed task (`SendStreamingMessage`, `SubscribeToTask`).
public enum A2AStreamEvent: Sendable, Hashable {
    /// The task as it stands (the first event of a stream).
    case task(A2ATask)
    /// A direct answer without a task.
    case message(A2AMessage)
    /// The task's state changed; `final` marks the last event of the stream.
    case status(taskID: String, contextID: String, state: A2ATaskState, message: A2AMessage?, final: Bool)
    case artifact(taskID: String, contextID: String, artifact: A2AArtifact, lastChunk: Bool)
}

/// What `SendMessage` returns: a task, or a direct message.
public enum A2ASendResult: Sendable, Hashable {
    case task(A2ATask)
    case message(A2AMessage)
}
