import Micro
import MicroAgent
import MicroProviders
import MicroSQLite
import Synchronization

/// Everything a scenario runs in: a virtual clock and seeded randomness, the stores, registry and broker,
/// the services, the agents' model backends, the fault plan and the Trace.
///
/// A world outlives the "processes" that run in it: after ``restart()`` the next runner gets fresh models (new
/// cassette cursors), as a restarted process would, on the same stores and checkpoints.
public final class World: Sendable {
    /// Where the world keeps its state.
    public enum Storage: Sendable, Hashable {
        /// In memory, gone with the world.
        case inMemory
        /// One SQLite file for the store and the checkpoints, shared by the processes of a chaos run.
        case sqlite(path: String)
    }

    public let scenario: Scenario
    public let clock: VirtualClock
    public let environment: Environment
    public let runtime: Runtime
    public let checkpointer: any Checkpointer
    public let trace: Trace
    public let injector: FaultInjector
    /// The side-effect ledger the bundled payments service and fixture effects write to.
    public let ledger: SideEffectLedger
    /// For `micro test --record`: the transport an agent's model talks to instead of its cassette.
    let liveTransport: (@Sendable (AgentSpec) throws -> (any HTTPTransport)?)?
    /// The agents of the current "process" and their cassettes, built on first use; ``restart()`` drops them.
    private let process = Mutex<(agents: [Agent], cassettes: [(agent: String, transport: CassetteTransport)])?>(nil)
    /// Each agent's model context window.
    var contextWindows: [String: Int] {
        process.withLock { Dictionary(($0?.agents ?? []).map { ($0.name, $0.model.info.contextWindow) }) { first, _ in first } }
    }
    /// Names of the services the world serves.
    let servedNames: [String]

    /// Builds the world of `scenario`.
    ///
    /// - Parameters:
    ///   - startingAt: where the virtual clock starts (a resumed process starts after the dead one's lease).
    ///   - afterToolCall: called with the tool's name after each service call returns, before its result is
    ///     committed (the chaos driver kills processes there, between junctures).
    ///   - liveTransport: for each recorded-model agent, the transport to talk to instead of its cassette
    ///     (a recording transport, when turning a live session into a fixture); nil keeps the cassette.
    public init(
        _ scenario: Scenario, storage: Storage = .inMemory, trace: Trace = Trace(), startingAt: Timestamp? = nil,
        afterToolCall: (@Sendable (String) async throws -> Void)? = nil,
        liveTransport: (@Sendable (AgentSpec) throws -> (any HTTPTransport)?)? = nil
    ) async throws {
        self.scenario = scenario
        self.trace = trace
        self.liveTransport = liveTransport
        let clock = startingAt.map { VirtualClock(mode: .autoAdvance, epoch: $0) } ?? VirtualClock(mode: .autoAdvance)
        self.clock = clock
        let environment = Environment.simulated(seed: scenario.seed, clock: clock, ids: .incrementing())
        self.environment = environment
        let injector = FaultInjector(plan: scenario.faults, trace: trace, environment: environment)
        self.injector = injector
        let hasFaults = { (target: FaultSpec.Target) in scenario.faults.contains { $0.target == target } }

        var runtime = Runtime.inMemory(environment: environment)
        var checkpointer: any Checkpointer
        switch storage {
        case .inMemory:
            checkpointer = InMemoryCheckpointer()
        case .sqlite(let path):
            runtime.store = try SQLiteStore(path: path, environment: environment)
            checkpointer = try SQLiteCheckpointer(path: path)
        }
        let mailboxes = Mailboxes(base: runtime.broker)
        runtime.broker = mailboxes
        if hasFaults(.store) { runtime.store = FaultStore(base: runtime.store, injector: injector) }
        if hasFaults(.broker) { runtime.broker = FaultBroker(base: runtime.broker, injector: injector) }
        if hasFaults(.checkpointer) { checkpointer = FaultCheckpointer(base: checkpointer, injector: injector) }
        self.runtime = runtime
        self.checkpointer = checkpointer
        ledger = SideEffectLedger(store: runtime.store)

        var services = BundledServices.services(scenario.services, in: runtime)
        if scenario.services.contains(Bus.name) { services.append(Bus.service(broker: runtime.broker, mailboxes: mailboxes)) }
        for fixture in scenario.fixtures {
            do {
                services.append(try fixture.service(ledger: ledger))
            } catch {
                throw ScenarioError(
                    file: scenario.file, line: fixture.line, field: "fixtures.\(fixture.name)",
                    message: "invalid fixture service: \(error)")
            }
        }
        if hasFaults(.tool) {
            services = services.map { service in
                let name = service.name
                return service.injectingFaults(injector) { ToolNaming.baseName(service: name, endpoint: $0) }
            }
        }
        if let afterToolCall {
            services = services.map { service in
                let name = service.name
                return service.wrapped { endpoint, request, context, next in
                    let result = try await next(request, context)
                    try await afterToolCall(ToolNaming.baseName(service: name, endpoint: endpoint))
                    return result
                }
            }
        }
        servedNames = services.map(\.name)
        try await runtime.serve(services)
    }

    /// Served service names for names in an agent's `tools` (bundled short names stand for theirs).
    func serviceNames(for names: [String]) -> [String] {
        names.flatMap { name in
            servedNames.contains(name) ? [name] : servedNames.filter { BundledServices.matches($0, name) }
        }
    }

    /// The agents of the current "process": built with fresh models (new cassette cursors) on first use, and
    /// shared by every runner of that process (the run's and the A2A servers'), until ``restart()``.
    public func agents() throws -> [Agent] {
        if let current = process.withLock({ $0 }) { return current.agents }
        var built: [Agent] = []
        var replays: [(agent: String, transport: CassetteTransport)] = []
        for spec in scenario.agents {
            let faulty = scenario.faults.contains { $0.target == .model }
            var (model, cassette) = try ScenarioModels.model(
                for: spec, scenario: scenario, environment: environment, transport: try liveTransport?(spec),
                injector: faulty ? injector : nil)
            if let cassette { replays.append((spec.name, cassette)) }
            if !spec.builtinTools { model = WithoutBuiltinTools(model) }
            var memory = CompactMemory(archive: runtime.store)
            let settings = spec.memory
            if let value = settings.reservedOutputTokens { memory.reservedOutputTokens = value }
            if let value = settings.minimumRecentMessages { memory.minimumRecentMessages = value }
            if let value = settings.summaryTokenLimit { memory.summaryTokenLimit = value }
            if let value = settings.toolResultTokenLimit { memory.toolResultTokenLimit = value }
            if let value = settings.budgetShare { memory.budgetShare = value }
            built.append(Agent(
                name: spec.name, description: spec.description, instructions: spec.instructions, model: model,
                tools: spec.tools.map { .services(serviceNames(for: $0)) } ?? .all, guardrails: spec.guardrails, memory: memory))
        }
        return process.withLock { process in
            if process == nil { process = (built, replays) }
            return process!.agents
        }
    }

    /// A new process starts: the next ``agents()`` builds fresh models, as a restarted process would.
    public func restart() {
        process.withLock { $0 = nil }
    }

    /// A runner for one "process" of the world: the local agents, and `remoteAgents` (the A2A-served ones).
    public func runner(
        owner: String = "scenario", remoteAgents: [any RemoteAgent] = [],
        onCheckpoint: (@Sendable (Checkpoint) async throws -> Void)? = nil
    ) throws -> AgentRunner {
        let served = Set(scenario.agents.filter(\.a2a).map(\.name))
        return AgentRunner(
            runtime: runtime, checkpointer: checkpointer, agents: try agents().filter { !served.contains($0.name) },
            remoteAgents: remoteAgents, trace: trace, owner: owner, leaseDuration: .seconds(60),
            onCheckpoint: onCheckpoint)
    }

    /// The runner behind an A2A server of the world: every agent, on the same stores, checkpoints and Trace.
    public func servingRunner(
        owner: String, onCheckpoint: (@Sendable (Checkpoint) async throws -> Void)? = nil
    ) throws -> AgentRunner {
        AgentRunner(
            runtime: runtime, checkpointer: checkpointer, agents: try agents(), trace: trace, owner: owner,
            leaseDuration: .seconds(60), onCheckpoint: onCheckpoint)
    }

    /// Runs whose checkpoint sequence is not 1, 2, … without a gap, as `runID: [sequences]` (a lost checkpoint).
    public func checkpointGaps() async throws -> [String] {
        var gaps: [String] = []
        for run in try await checkpointer.runs() {
            let sequences = try await checkpointer.history(runID: run.runID).map(\.sequence)
            if !sequences.isEmpty && sequences != Array(1...sequences.count) { gaps.append("\(run.runID): \(sequences)") }
        }
        return gaps
    }

    /// Interactions of the world's cassettes that no request used, per agent.
    public var unusedRecordings: [String] {
        process.withLock { process in
            (process?.cassettes ?? []).filter { !$0.transport.unusedInteractions.isEmpty }.map { "\($0.agent): \($0.transport.unusedReport)" }
        }
    }
}
