import Foundation
import Micro
import MicroAgent
import Synchronization

/// Decides, call by call, whether a fault of the plan fires, and records every fault it injects in the Trace.
///
/// Each fault counts the calls it applies to (its target, its filters and its `match`); its trigger decides
/// on that count. Probabilities draw from the seeded random source, so a seed repeats the same faults.
///
/// Calls with an identity (a tool call's idempotency key, a model call's run and turn) have their decision
/// and the counts kept in `memory`, the world's store: a process that resumes the run and repeats such a
/// call meets the same decision, and the counts go on where the killed process left them, so a chaos trial
/// of a scenario with faults meets the faults of the uninterrupted run.
public final class FaultInjector: Sendable {
    public let plan: [FaultSpec]
    let trace: Trace
    let environment: Environment
    let memory: (any Store)?
    private let state: Mutex<State>

    struct State {
        var counts: [Count]
        var loaded = false
        /// How many times each identity was asked about in this process (a retry repeats an identity).
        var occurrences: [String: Int] = [:]
    }

    struct Count: Codable, Equatable {
        var seen = 0
        var fired = 0
    }

    /// What was decided for one call: the fault's index in the plan and its count (nil: none fired), and every
    /// fault's counts after the decision (one record, so a kill never keeps one without the other).
    struct Decision: Codable {
        var fault: Int?
        var count: Int
        var counts: [Count]
    }

    static let namespace = "micro.faults"

    public init(plan: [FaultSpec], trace: Trace, environment: Environment, memory: (any Store)? = nil) {
        self.plan = plan
        self.trace = trace
        self.environment = environment
        self.memory = memory
        state = Mutex(State(counts: Array(repeating: Count(), count: plan.count)))
    }

    /// How many times each fault of the plan fired, in plan order (this process's firings and, with a
    /// memory, those of the processes before it).
    public var firedCounts: [Int] { state.withLock { $0.counts.map(\.fired) } }

    /// A new process takes over (a simulated crash): its calls are first occurrences again, as they would be
    /// in a process started anew.
    public func restarted() {
        state.withLock { $0.occurrences = [:] }
    }

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
        let decision = state.withLock { decide(&$0.counts, target, agent: agent, tool: tool, topic: topic, text: text) }
        return record(decision, target, agent: agent, tool: tool, topic: topic)
    }

    /// ``fault(_:agent:tool:topic:text:)`` for a call with a stable `identity`: the first time this process
    /// asks about it (a retry within the process asks again, as a further occurrence), a decision remembered
    /// from an earlier process is repeated; otherwise one is made and remembered.
    public func fault(
        _ target: FaultSpec.Target, agent: String? = nil, tool: String? = nil, topic: String? = nil, text: String = "",
        identity: String
    ) async -> FaultSpec? {
        guard plan.contains(where: { $0.target == target }) else { return nil }
        guard let memory else { return fault(target, agent: agent, tool: tool, topic: topic, text: text) }
        await loadCounts(from: memory)
        let occurrence = state.withLock { state in
            state.occurrences[identity, default: 0] += 1
            return state.occurrences[identity]!
        }
        let decisions = memory.namespace(Self.namespace)
        let key = "decision/\(target.rawValue)/\(identity)#\(occurrence)"
        if let earlier = try? await decisions.read(key, as: Decision.self) {
            guard let index = earlier.fault, plan.indices.contains(index) else { return nil }
            return record((index, earlier.count), target, agent: agent, tool: tool, topic: topic)
        }
        let (decision, counts) = state.withLock { state in
            let decision = decide(&state.counts, target, agent: agent, tool: tool, topic: topic, text: text)
            return (decision, state.counts)
        }
        try? await decisions.write(key, Decision(fault: decision?.index, count: decision?.count ?? 0, counts: counts))
        return record(decision, target, agent: agent, tool: tool, topic: topic)
    }

    private func applies(
        _ fault: FaultSpec, _ target: FaultSpec.Target, agent: String?, tool: String?, topic: String?, text: String
    ) -> Bool {
        guard fault.target == target else { return false }
        if let wanted = fault.agent, wanted != agent { return false }
        if let wanted = fault.tool, wanted != tool { return false }
        if let wanted = fault.topic, wanted != topic { return false }
        if let match = fault.trigger.match, !text.contains(match) { return false }
        return true
    }

    private func decide(
        _ counts: inout [Count], _ target: FaultSpec.Target, agent: String?, tool: String?, topic: String?, text: String
    ) -> (index: Int, count: Int)? {
        var chosen: (Int, Int)?
        for (index, fault) in plan.enumerated() where applies(fault, target, agent: agent, tool: tool, topic: topic, text: text) {
            counts[index].seen += 1
            if chosen == nil && fault.trigger.fires(count: counts[index].seen, random: environment.random) {
                counts[index].fired += 1
                chosen = (index, counts[index].seen)
            }
        }
        return chosen
    }

    /// The counts of earlier processes (the decision that saw the most calls), read once, before this
    /// process decides anything with an identity.
    private func loadCounts(from memory: any Store) async {
        guard !state.withLock({ $0.loaded }) else { return }
        let decisions = (try? await memory.read(prefix: "decision/", in: Self.namespace, limit: nil, offset: 0)) ?? []
        let kept = decisions.compactMap { try? JSONDecoder().decode(Decision.self, from: Data($0.value)).counts }
            .max { $0.reduce(0) { $0 + $1.seen } < $1.reduce(0) { $0 + $1.seen } }
        state.withLock { state in
            guard !state.loaded else { return }
            state.loaded = true
            guard let kept, kept.count == state.counts.count else { return }
            for index in kept.indices {
                state.counts[index].seen += kept[index].seen
                state.counts[index].fired += kept[index].fired
            }
        }
    }

    private func record(
        _ decision: (index: Int, count: Int)?, _ target: FaultSpec.Target, agent: String?, tool: String?, topic: String?
    ) -> FaultSpec? {
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
