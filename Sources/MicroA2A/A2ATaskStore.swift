import Micro

/// Where an A2A server keeps its tasks: one record per task in a ``Store`` namespace, as canonical JSON,
/// so tasks outlive the process when the store is durable (``SQLiteStore``).
///
/// Keys: `task/<id>` for tasks, `message/<messageId>` for the task a message started (so a client that
/// sends the same message again — a resumed delegation — gets the same task).
public struct A2ATaskStore: Sendable {
    public let namespace: StoreNamespace
    /// How long a task is kept after its last change (nil: for ever); an expired task is unknown.
    public let retention: Duration?

    /// Tasks of the agent `agent` in `store` (namespace `a2a.<agent>`).
    public init(store: any Store, agent: String, retention: Duration? = nil) {
        namespace = store.namespace("a2a." + agent)
        self.retention = retention
    }

    public func task(_ id: String) async throws -> A2ATask? {
        guard let record = try await namespace.read("task/" + id) else { return nil }
        return try JSONValueDecoder().decode(A2ATask.self, from: JSONValue(parsing: record.value))
    }

    public func save(_ task: A2ATask) async throws {
        try await namespace.write(StoreRecord(key: "task/" + task.id, value: try Self.encode(task), expiresAt: expiry()))
    }

    /// Saves a new task unless `messageID` already started one; returns the task that holds the message.
    /// A nil `messageID` always saves (no deduplication).
    public func create(_ task: A2ATask, messageID: String?) async throws -> (task: A2ATask, created: Bool) {
        guard let messageID else {
            try await save(task)
            return (task, true)
        }
        let claimed = try await namespace.writeIfAbsent(
            StoreRecord(key: "message/" + messageID, value: Array(task.id.utf8), expiresAt: expiry()))
        if !claimed, let record = try await namespace.read("message/" + messageID),
            let existing = try await self.task(String(decoding: record.value, as: UTF8.self))
        {
            return (existing, false)
        }
        try await save(task)
        return (task, true)
    }

    /// Every task, ordered by id.
    public func all() async throws -> [A2ATask] {
        try await namespace.read(prefix: "task/").map { try JSONValueDecoder().decode(A2ATask.self, from: JSONValue(parsing: $0.value)) }
    }

    private func expiry() -> Timestamp? {
        retention.map { namespace.store.now().advanced(by: $0) }
    }

    private static func encode(_ task: A2ATask) throws -> [UInt8] {
        try JSONValueEncoder().encode(task).canonicalBytes()
    }
}
