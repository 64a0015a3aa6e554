import Micro

/// An agent in another process or on another host (A2A implements this). `delegate` hands it a task.
public protocol RemoteAgent: Sendable {
    /// The name `delegate` uses for it.
    var name: String { get }
    var description: String { get }

    /// Runs `task` remotely and returns its final answer. `context.idempotencyKey` identifies the delegation,
    /// so a resumed parent that asks again gets the same task rather than a new one.
    func send(task: String, context: CallContext) async throws -> String
}
