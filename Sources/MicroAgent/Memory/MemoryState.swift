/// What an agent's memory holds between steps, checkpointed with the run: the recent conversation
/// verbatim, and a rolling summary of everything older (which is archived in the Store).
public struct MemoryState: Sendable, Hashable, Codable {
    /// The conversation since the last compaction, verbatim, oldest first.
    public var messages: [Message]
    /// The rolling summary of every evicted message, or nil before the first compaction.
    public var summary: String?
    /// How many messages have been evicted (and archived) so far; the next archived message gets this index.
    public var evictedCount: Int
    /// How many compactions have happened.
    public var compactions: Int

    public init(messages: [Message] = [], summary: String? = nil, evictedCount: Int = 0, compactions: Int = 0) {
        self.messages = messages
        self.summary = summary
        self.evictedCount = evictedCount
        self.compactions = compactions
    }
}
