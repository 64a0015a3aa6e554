import Micro
import MicroAgent
import Synchronization

/// Decides, call by call, whether a fault of the plan fires, and records every fault it injects in the Trace.
///
/// Each fault counts the calls it applies to (its target, its filters and its `match`); its trigger decides
/// on that count. Probabilities draw from the seeded random source, so a seed repeats the same faults.
public final class FaultInjector: Sendable {
    public let plan: [FaultSpec]
    let trace: Trace
    let environment: Environment
    private let state: Mutex<[(seen: Int, fired: Int)]>

    public init(plan: [FaultSpec], trace: Trace, environment: Environment) {
        self.plan = plan
        self.trace = trace
        self.environment = environment
        state = Mutex(Array(repeating: (0, 0), count: plan.count))
    }

    /// How many times each fault of the plan fired, in plan order.
    public var firedCounts: [Int] { state.withLock { $0.map(\.fired) } }

    /// Faults of the plan that never fired and are not optional.
    public var unfired: [FaultSpec] {
        let fired = firedCounts
        return plan.indices.filter { fired[$0] == 0 && !plan[$0].optional }.map { plan[$0] }
    }

    /// The first fault of `target` that fires for this call, if any; records it in the Trace.
    ///
    /// - Parameters:
    ///   - agent: the agent making the call (model and process faults filter on it).
    ///   - tool: the tool called (tool faults filter on it).
    ///   - topic: the broker topic (broker faults filter on it).
    ///   - text: what `match` searches (the model's last message, the tool's arguments, the juncture).
    public func fault(
        _ target: FaultSpec.Target, agent: String? = nil, tool: String? = nil, topic: String? = nil, text: String = ""
    ) -> FaultSpec? {
        guard plan.contains(where: { $0.target == target }) else { return nil }
        let decision: (index: Int, count: Int)? = state.withLock { state in
            var chosen: (Int, Int)?
            for (index, fault) in plan.enumerated() where fault.target == target {
                if let wanted = fault.agent, wanted != agent { continue }
                if let wanted = fault.tool, wanted != tool { continue }
                if let wanted = fault.topic, wanted != topic { continue }
                if let match = fault.trigger.match, !text.contains(match) { continue }
                state[index].seen += 1
                if chosen == nil && fault.trigger.fires(count: state[index].seen, random: environment.random) {
                    state[index].fired += 1
                    chosen = (index, state[index].seen)
                }
            }
            return chosen
        }
        guard let decision else { return nil }
        let fault = plan[decision.index]
        let scope = RunScope.current
        let runID = scope?.runID ?? ""
        let step = trace.all.last { $0.runID == runID }?.step ?? 0
        var data: [String: JSONValue] = [
            "target": .string(target.rawValue), "kind": .string(fault.kind), "call": .integer(decision.count),
            "fault": .string(fault.label),
        ]
        if fault.line > 0 { data["line"] = .integer(fault.line) }
        if let tool { data["tool"] = .string(tool) }
        if let topic { data["topic"] = .string(topic) }
        trace.append(
            .faultInjected, runID: runID, agent: agent ?? scope?.agent ?? "", step: step, at: environment.now(),
            data: .object(data))
        return fault
    }
}

/// An error the harness injected on purpose.
public struct InjectedFault: Error, Sendable, CustomStringConvertible {
    public var fault: FaultSpec
    public var description: String { "injected fault: \(fault.label)" }
}
