import Micro
import MicroAgent

/// A Swift function a flow in a scenario file names, over the flow's JSON state (`input`, `event`, and one
/// key per step's output).
public enum FlowFunction: Sendable {
    /// A code step: changes the state, returns the step's output; service calls through the context are keyed
    /// by the run, the stage and the attempt.
    case step(@Sendable (inout JSONValue, FlowStepContext) async throws -> String)
    /// A verifier: the candidate state and the step's output give a verdict.
    case verifier(@Sendable (JSONValue, String) -> FlowVerdict)
    /// A loop condition: true ends the loop.
    case condition(@Sendable (JSONValue, String) -> Bool)

    var kind: String {
        switch self {
        case .step: "step"
        case .verifier: "verifier"
        case .condition: "condition"
        }
    }
}
