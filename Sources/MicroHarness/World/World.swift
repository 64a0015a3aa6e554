import Micro
import MicroA2A
import MicroAgent
import MicroMCP
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
    /// Measures every model request as it is sent, for the record (`within_context_window`).
    let meter = RequestMeter()
    /// For `micro test --record`: the transport an agent's model talks to instead of its cassette.
    let liveTransport: (@Sendable (AgentSpec) throws -> (any HTTPTransport)?)?
    /// The agents of the current "process" and their cassettes, built on first use; ``restart()`` drops them.
    private let process = Mutex<(agents: [Agent], cassettes: [(agent: String, transport: CassetteTransport)])?>(nil)
    /// Each agent's model context window.
    var contextWindows: [String: Int] {
        process.withLock { Dictionary(($0?.agents ?? []).map { ($0.name, $0.model.info.contextWindow) }) { first, _ in first } }
    }
    /// Each agent's model provider.
    var providers: [String: String] {
        process.withLock { Dictionary(($0?.agents ?? []).map { ($0.name, $0.model.info.provider) }) { first, _ in first } }
    }
    /// Names of the services the world serves.
    let servedNames: [String]
    /// The services each catalogue entry of the scenario built, by entry name.
    let entryServices: [String: [String]]
    /// What the catalogue's factories get: the runtime and the ledger.
    public let worldRuntime: WorldRuntime
    /// The scenario's remote agents (catalogue entries and A2A endpoints by URL).
    let remoteAgents: [any RemoteAgent]
    /// The edges of an external agent under test (its model requests and tool calls); nil when the run's agent
    /// runs in the harness.
    let edge: ExternalEdge?
    /// Replaces each agent's model (given its spec and the model the scenario describes); nil keeps them.
    let replaceModel: (@Sendable (AgentSpec, any Model) -> any Model)?

    /// Builds the world of `scenario`.
    ///
    /// - Parameters:
    ///   - startingAt: where the virtual clock starts (a resumed process starts after the dead one's lease).
    ///   - afterToolCall: called with the tool's name after each service call returns, before its result is
    ///     committed (the chaos driver kills processes there, between junctures).
    ///   - liveTransport: for each recorded-model agent, the transport to talk to instead of its cassette
    ///     (a recording transport, when turning a live session into a fixture); nil keeps the cassette.
    ///   - replaceModel: replaces each agent's model (history replay feeds recorded answers); nil keeps them.
    ///   - wrapService: wraps every served service, outermost (history replay answers from the record).
    ///   - liveTime: run on real time (wall clock, real sleeps) instead of the virtual clock, keeping the seeded
    ///     randomness and counter IDs: for worker processes sharing a store, whose leases are judged across
    ///     processes (`startingAt` is then ignored).
    public init(
        _ scenario: Scenario, storage: Storage = .inMemory, trace: Trace = Trace(), startingAt: Timestamp? = nil,
        afterToolCall: (@Sendable (String) async throws -> Void)? = nil,
        liveTransport: (@Sendable (AgentSpec) throws -> (any HTTPTransport)?)? = nil,
        replaceModel: (@Sendable (AgentSpec, any Model) -> any Model)? = nil,
        wrapService: (@Sendable (Service) -> Service)? = nil, liveTime: Bool = false
    ) async throws {
        self.scenario = scenario
        self.replaceModel = replaceModel
        self.trace = trace
        self.liveTransport = liveTransport
        // Recording, a live provider is on the other side: its retry-after and backoff waits really pass.
        let mode: VirtualClock.Mode = liveTransport == nil ? .autoAdvance : .paced
        let clock = startingAt.map { VirtualClock(mode: mode, epoch: $0) } ?? VirtualClock(mode: mode)
        self.clock = clock
        let environment = liveTime
            ? Environment(clock: ContinuousClock(), now: Environment.live.now, random: .seeded(scenario.seed), ids: .incrementing())
            : Environment.simulated(seed: scenario.seed, clock: clock, ids: .incrementing())
        self.environment = environment
        var runtime = Runtime.inMemory(environment: environment)
        var checkpointer: any Checkpointer
        switch storage {
        case .inMemory:
            checkpointer = InMemoryCheckpointer()
        case .sqlite(let path):
            runtime.store = try SQLiteStore(path: path, environment: environment)
            checkpointer = try SQLiteCheckpointer(path: path)
        }
        // Fault decisions are kept in the store itself (never through its own faults), so a resumed process
        // repeats them.
        let injector = FaultInjector(plan: scenario.faults, trace: trace, environment: environment, memory: runtime.store)
        self.injector = injector
        let hasFaults = { (target: FaultSpec.Target) in scenario.faults.contains { $0.target == target } }
        let mailboxes = Mailboxes(base: runtime.broker)
        runtime.broker = mailboxes
        if hasFaults(.store) { runtime.store = FaultStore(base: runtime.store, injector: injector) }
        if hasFaults(.broker) { runtime.broker = FaultBroker(base: runtime.broker, injector: injector) }
        if hasFaults(.checkpointer) { checkpointer = FaultCheckpointer(base: checkpointer, injector: injector) }
        self.runtime = runtime
        self.checkpointer = checkpointer
        ledger = SideEffectLedger(store: runtime.store)

        let worldRuntime = WorldRuntime(runtime: runtime, ledger: ledger)
        self.worldRuntime = worldRuntime
        var services: [Service] = []
        var entries: [String: [String]] = [:]
        for name in scenario.services {
            if name == Bus.name {
                services.append(Bus.service(broker: runtime.broker, mailboxes: mailboxes))
                continue
            }
            guard let entry = scenario.catalog.service(name) else {
                throw ScenarioError(
                    file: scenario.file, line: scenario.servicesLine, field: "services",
                    message: "unknown service \(name); the scenario was read with another catalogue")
            }
            do {
                let made = try entry.make(worldRuntime)
                entries[name] = made.map(\.name)
                services += made.filter { service in !services.contains { $0.name == service.name } }
            } catch {
                throw ScenarioError(
                    file: scenario.file, line: scenario.servicesLine, field: "services.\(name)",
                    message: "the catalogue's factory for \(name) threw: \(error)")
            }
        }
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
            let custom = scenario.catalog.toolFaults
            services = services.map { service in
                let name = service.name
                return service.injectingFaults(injector, custom: custom) { ToolNaming.baseName(service: name, endpoint: $0) }
            }
        }
        let runAgent = scenario.agent(scenario.run.agent)
        let edge = runAgent?.external != nil
            ? ExternalEdge(trace: trace, environment: environment, runID: scenario.run.runID, agent: scenario.run.agent) : nil
        self.edge = edge
        if let edge {
            services = services.map { service in
                let name = service.name
                return service.wrapped { endpoint, request, context, next in
                    let tool = ToolNaming.baseName(service: name, endpoint: endpoint)
                    let (number, key) = try edge.toolCall(
                        tool, arguments: request, runID: scenario.run.runID, clientKey: context.metadata[MCPServer.idempotencyKeyMeta])
                    var context = context
                    context.runID = scenario.run.runID
                    context.idempotencyKey = key
                    let result: JSONValue
                    do {
                        result = try await next(request, context)
                    } catch {
                        try edge.toolResult(tool, number: number, content: .string("\(error)"), isError: true)
                        throw error
                    }
                    try edge.toolResult(tool, number: number, content: result, isError: false)
                    return result
                }
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
        entryServices = entries
        var remotes: [any RemoteAgent] = []
        for remote in scenario.remoteAgents {
            if let url = remote.url {
                remotes.append(A2ARemoteAgent(name: remote.name, description: remote.description, url: url))
                continue
            }
            do {
                guard let make = scenario.catalog.remoteAgents[remote.name] else { throw ScenarioError(
                    file: scenario.file, line: remote.line, field: "remote_agents", message: "unknown remote agent \(remote.name)") }
                remotes.append(try make(worldRuntime))
            } catch {
                throw ScenarioError(
                    file: scenario.file, line: remote.line, field: "remote_agents.\(remote.name)",
                    message: "the catalogue's factory for \(remote.name) threw: \(error)")
            }
        }
        remoteAgents = remotes
        servedNames = services.map(\.name)
        if let wrapService { services = services.map(wrapService) }
        try await runtime.serve(services)
        for agent in scenario.agents {
            for name in agent.tools ?? [] where serviceNames(for: [name]).isEmpty {
                throw ScenarioError(
                    file: scenario.file, line: agent.line, field: "agents.\(agent.name).tools",
                    message: "no service of the scenario is called \(name)"
                        + Scenario.suggestion(name, among: servedNames + entries.keys.sorted(), kind: "services"))
            }
        }
    }

    /// Served service names for names in an agent's `tools`: a service's name, a catalogue entry's name (for
    /// every service it built), or the last part of a dotted service name (`hotels` for `travel.hotels`).
    func serviceNames(for names: [String]) -> [String] {
        names.flatMap { name in
            if servedNames.contains(name) { return [name] }
            if let built = entryServices[name] { return built }
            return servedNames.filter { $0.hasSuffix(".\(name)") }
        }
    }

    /// The agents of the current "process": built with fresh models (new cassette cursors) on first use, and
    /// shared by every runner of that process (the run's and the A2A servers'), until ``restart()``.
    public func agents() throws -> [Agent] {
        if let current = process.withLock({ $0 }) { return current.agents }
        var built: [Agent] = []
        var replays: [(agent: String, transport: CassetteTransport)] = []
        for spec in scenario.agents where spec.external == nil {
            let faulty = scenario.faults.contains { $0.target == .model }
            var (model, cassette) = try ScenarioModels.model(
                for: spec, scenario: scenario, world: worldRuntime, transport: try liveTransport?(spec),
                injector: faulty ? injector : nil, meter: meter)
            if let cassette { replays.append((spec.name, cassette)) }
            if let replaceModel { model = replaceModel(spec, model) }
            let summarizer = try spec.memory.summarizer.map { (summarizer) throws(ScenarioError) in
                try ScenarioModels.model(for: spec, scenario: scenario, world: worldRuntime, meter: meter, summarizer: summarizer)
            }
            if let cassette = summarizer?.cassette { replays.append(("\(spec.name) (summarizer)", cassette)) }
            if !spec.builtinTools { model = WithoutBuiltinTools(model) }
            var memory = CompactMemory(archive: runtime.store)
            let settings = spec.memory
            if let value = settings.reservedOutputTokens { memory.reservedOutputTokens = value }
            if let value = settings.minimumRecentMessages { memory.minimumRecentMessages = value }
            if let value = settings.summaryTokenLimit { memory.summaryTokenLimit = value }
            if let value = settings.toolResultTokenLimit { memory.toolResultTokenLimit = value }
            if let value = settings.budgetShare { memory.budgetShare = value }
            if let value = settings.compaction { memory.compacts = value }
            if let summarizer { memory.summarizer = CompactMemory.Summarizer(model: summarizer.model) }
            built.append(Agent(
                name: spec.name, description: spec.description, instructions: spec.instructions, model: model,
                tools: spec.tools.map { .services(serviceNames(for: $0)) } ?? .all, guardrails: spec.guardrails,
                approval: spec.approval, memory: memory))
        }
        return process.withLock { process in
            if process == nil { process = (built, replays) }
            return process!.agents
        }
    }

    /// A new process starts: the next ``agents()`` builds fresh models, as a restarted process would.
    public func restart() {
        process.withLock { $0 = nil }
        injector.restarted()
    }

    /// A runner for one "process" of the world: the local agents, and `remoteAgents` (the A2A-served ones).
    public func runner(
        owner: String = "scenario", remoteAgents: [any RemoteAgent] = [],
        onCheckpoint: (@Sendable (Checkpoint) async throws -> Void)? = nil
    ) throws -> AgentRunner {
        let served = Set(scenario.agents.filter(\.a2a).map(\.name))
        return AgentRunner(
            runtime: runtime, checkpointer: checkpointer, agents: try agents().filter { !served.contains($0.name) },
            remoteAgents: self.remoteAgents + remoteAgents, trace: trace, owner: owner, leaseDuration: .seconds(60),
            onCheckpoint: onCheckpoint)
    }

    /// The runner behind an A2A server of the world: every agent, on the same stores, checkpoints and Trace.
    public func servingRunner(
        owner: String, leaseDuration: Duration = .seconds(60), onCheckpoint: (@Sendable (Checkpoint) async throws -> Void)? = nil,
        heartbeat: Duration? = nil
    ) throws -> AgentRunner {
        AgentRunner(
            runtime: runtime, checkpointer: checkpointer, agents: try agents(), remoteAgents: remoteAgents, trace: trace,
            owner: owner, leaseDuration: leaseDuration, onCheckpoint: onCheckpoint, heartbeat: heartbeat)
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

extension World {
    /// The run's record: the Trace so far and the end-of-run facts read off the world now.
    public func record(result: RunResult?, error: String?, crashes: Int, virtualDuration: Duration) async -> RunRecord {
        var problems: [String] = []
        var gaps: [String] = []
        do { gaps = try await checkpointGaps() } catch { problems.append("reading checkpoints failed: \(error)") }
        var effects: [SideEffect] = []
        do { effects = try await ledger.entries() } catch { problems.append("reading the side-effect ledger failed: \(error)") }
        let pricing = scenario.modelPricing
        let record = RunRecord(
            scenario: scenario.name, file: scenario.file, seed: scenario.seed, runID: scenario.run.runID, result: result,
            error: error, trace: trace.all, crashes: crashes, virtualDuration: virtualDuration,
            unfiredFaults: injector.unfired.map { RunRecord.UnfiredFault(label: $0.label, line: $0.line) }, checkpointGaps: gaps,
            sideEffects: effects, unusedRecordings: unusedRecordings, contextWindows: contextWindows, prices: pricing.prices,
            factErrors: problems, requestMeasures: meter.measures, summarizerPrices: pricing.summarizerPrices, models: pricing.models,
            providers: providers)
        return await judged(record)
    }
}

extension World {
    /// Whether recorded-model agents talk to live providers (recording) instead of their cassettes.
    var isRecording: Bool { liveTransport != nil }

    /// The transport behind an external agent's provider endpoint: its cassette (or, when recording, the live
    /// transport), or its scripted turns as `provider` wire bytes; the scenario's model faults as wire bytes
    /// on top.
    func externalEndpoint(for spec: AgentSpec, provider: String) throws -> any HTTPTransport {
        var wire: any HTTPTransport
        switch spec.model.backend {
        case .scripted(let turns):
            guard let dialect = ScriptedWireTransport.dialect(of: provider) else {
                throw ExternalAgentError("scripted turns cannot be served as \(provider) wire bytes")
            }
            wire = ScriptedWireTransport(turns: turns, dialect: dialect, model: "scripted-\(spec.name)")
        case .recorded(_, _, let cassette, _):
            if let live = try liveTransport?(spec) {
                wire = live
            } else {
                let replay = try ScenarioModels.replay(cassette, agent: spec, scenario: scenario, environment: environment)
                // Kept with the process's cassettes so that unused interactions are reported; an external run
                // builds no in-process agents.
                process.withLock { process in
                    var current = process ?? (agents: [], cassettes: [])
                    current.cassettes.append((spec.name, replay))
                    process = current
                }
                wire = replay
            }
        case .named(let name):
            throw ExternalAgentError("the model backend \(name) runs in the harness; an external agent needs a scripted or recorded model")
        }
        if scenario.faults.contains(where: { $0.target == .model }) {
            wire = FaultTransport(base: wire, agent: spec.name, provider: provider, injector: injector)
        }
        return wire
    }
}
