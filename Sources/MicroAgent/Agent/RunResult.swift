/// How a call to run or resume an agent ended.
public struct RunResult: Sendable, Hashable {
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
