/// Where a forked run came from: the parent run, the checkpoint it was forked at, and the edit applied there.
///
/// Stored in every checkpoint of the fork (``RunState/fork``), so the link survives with the run in any
/// ``Checkpointer``.
public struct ForkOrigin: Sendable, Hashable, Codable {
    /// The run that was forked.
    public var runID: String
    /// The parent's checkpoint the fork starts from.
    public var sequence: Int
    /// That checkpoint's juncture.
    public var juncture: Juncture
    /// What was changed there, for people (``ForkEdit/summary``: `model answer replaced`, `none`, …).
    public var edit: String

    public init(runID: String, sequence: Int, juncture: Juncture, edit: String) {
        self.runID = runID
        self.sequence = sequence
        self.juncture = juncture
        self.edit = edit
    }

    /// `parent@sequence (juncture): edit`.
    public var summary: String { "\(runID)@\(sequence) (\(juncture)): \(edit)" }
}
