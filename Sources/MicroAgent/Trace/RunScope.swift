/// The run on whose behalf the current task works, set while a runner drives a run. Backends that are not
/// told about runs (stores, brokers, fault injectors) read it to attribute what they record.
public struct RunScope: Sendable, Hashable {
    public var runID: String
    public var agent: String

    public init(runID: String, agent: String) {
        self.runID = runID
        self.agent = agent
    }

    @TaskLocal public static var current: RunScope?
}
