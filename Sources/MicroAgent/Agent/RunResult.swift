/// How a call to run or resume an agent ended.
public struct RunResult: Sendable, Hashable, Codable {
    public var runID: String
    public var status: RunState.Status
    /// The final answer, when completed.
    public var output: String?
    /// Why it failed, when failed.
    public var failure: RunFailure?
    /// What the run asks for, when waiting for input.
    public var inputRequest: InputRequest?
    public var steps: Int
    public var usage: Usage

    public init(
        runID: String, status: RunState.Status, output: String? = nil, failure: RunFailure? = nil,
        inputRequest: InputRequest? = nil, steps: Int = 0, usage: Usage = Usage()
    ) {
        self.runID = runID
        self.status = status
        self.output = output
        self.failure = failure
        self.inputRequest = inputRequest
        self.steps = steps
        self.usage = usage
    }

    init(_ state: RunState) {
        runID = state.runID
        status = state.status
        output = state.output
        failure = state.failure
        inputRequest = state.inputRequest
        steps = state.step
        usage = state.usage
    }
}
