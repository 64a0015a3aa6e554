import Foundation
import Micro
import MicroAgent

/// Chaos for a black-box agent: the world runs in this process and the agent is the child. A reference
/// run goes uninterrupted; each trial kills the agent (SIGKILL) when a chosen model request or tool call
/// reaches the world, before it is answered or run, or after a tool call ran and before its result
/// reaches the agent; restarts it with the same environment until it exits,
/// and compares how it ended and the side-effect ledger with the reference. An agent that does not keep
/// its own checkpoints repeats its side effects here, and the trial says so.
public struct ExternalChaos: Sendable {
    public var scenario: Scenario
    public var selection: ChaosRun.Selection
    public var seed: UInt64
    public var jobs: Int

    public init(scenario: Scenario, selection: ChaosRun.Selection, seed: UInt64, jobs: Int) {
        self.scenario = scenario
        self.selection = selection
        self.seed = seed
        self.jobs = jobs
    }

    /// Whether `scenario`'s run starts an external agent.
    public static func applies(to scenario: Scenario) -> Bool { scenario.agent(scenario.run.agent)?.external != nil }

    /// The uninterrupted run.
    public func reference() async throws -> ScenarioOutcome {
        let outcome = try await run(kill: nil)
        guard outcome.result != nil, outcome.error == nil else {
            throw ChaosError("the reference run of \(scenario.file) did not finish: \(outcome.error ?? "no result")")
        }
        return outcome
    }

    /// Every model request and tool call of the reference run, or `kills` seeded random ones among them.
    public func points(reference: ScenarioOutcome) -> [ExternalKillPoint] {
        let models = reference.trace.count { $0.kind == .modelRequest }
        let tools = reference.trace.count { $0.kind == .toolCall }
        let all: [ExternalKillPoint] = (0..<models).map { .modelRequest($0 + 1) } + (0..<tools).map { .toolCall($0 + 1) }
            + (0..<tools).map { .toolReturned($0 + 1) }
        switch selection {
        case .everyJuncture:
            return all
        case .random(let kills):
            let random = RandomSource.seeded(seed)
            return (0..<kills).compactMap { _ in all.isEmpty ? nil : all[random.next(in: 0...(all.count - 1))] }
        }
    }

    /// One trial per point, `jobs` at a time; `progress` gets how many are done.
    public func trials(
        _ points: [ExternalKillPoint], reference: ScenarioOutcome, progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) async -> [ChaosTrial] {
        let expected = ChaosSummary(record: reference.record)
        return await points.mapConcurrently(jobs: jobs, progress: progress) { _, point in
            do {
                let outcome = try await run(kill: point)
                var violations = ChaosSummary(record: outcome.record).violations(against: expected)
                if let error = outcome.error { violations.append(error) }
                return ChaosTrial(point: .external(point), killed: outcome.crashes > 0, processes: outcome.crashes + 1, violations: violations)
            } catch {
                return ChaosTrial(point: .external(point), killed: false, processes: 0, violations: ["\(error)"])
            }
        }
    }

    func run(kill: ExternalKillPoint?) async throws -> ScenarioOutcome {
        var scenario = scenario
        scenario.seed = seed
        let world = try await World(scenario)
        guard let agent = scenario.agent(scenario.run.agent), let external = agent.external else {
            throw ChaosError("the run of \(scenario.file) does not start an external agent")
        }
        return await ExternalAgentRun.run(in: world, agent: agent, external: external, kill: kill)
    }
}
