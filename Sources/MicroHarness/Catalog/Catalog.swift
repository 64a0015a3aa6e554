import Micro
import MicroAgent

/// What the names in scenario files resolve against: the caller's services, agents, model backends, remote
/// agents, expectations and tool fault kinds. The harness knows nothing of any particular system; the
/// bundled travel example is one catalogue (`MicroTravel`), a user's package brings its own.
///
/// ```swift
/// let catalog = Catalog(
///     services: [.init("tickets") { world in [Tickets.service(store: world.store, ledger: world.ledger)] }],
///     agents: [.init("triage", instructions: "Sort support tickets.", tools: ["tickets"], model: .named("triage-llm"))],
///     models: ["triage-llm": { _ in TriageModel() }])
/// ```
///
/// Names must be unique within each kind; ``merging(_:)`` combines catalogues (the other one wins a clash).
public struct Catalog: Sendable {
    public var services: [CatalogService]
    public var agents: [CatalogAgent]
    /// Model backends a scenario or an agent names (`model: {backend: NAME}`), built fresh for each process.
    public var models: [String: @Sendable (WorldRuntime) throws -> any Model]
    /// Remote agents a scenario names in `remote_agents:`, reached through `delegate`.
    public var remoteAgents: [String: @Sendable (WorldRuntime) throws -> any RemoteAgent]
    /// Expectations beside the built-in ones, by the name scenario files write.
    public var expectations: [any ScenarioExpectation.Type]
    /// Tool fault kinds beside the built-in ones (`error`, `timeout`, `latency`, `wrong_shape`).
    public var toolFaults: [ToolFaultKind]
    /// Swift functions flows written in scenario files name: code steps (`code: NAME`), verifiers
    /// (`verify: {code: NAME}`) and loop conditions (`loop: {until: {code: NAME}}`).
    public var flowFunctions: [String: FlowFunction] = [:]

    public init(
        services: [CatalogService] = [], agents: [CatalogAgent] = [],
        models: [String: @Sendable (WorldRuntime) throws -> any Model] = [:],
        remoteAgents: [String: @Sendable (WorldRuntime) throws -> any RemoteAgent] = [:],
        expectations: [any ScenarioExpectation.Type] = [], toolFaults: [ToolFaultKind] = []
    ) {
        self.services = services
        self.agents = agents
        self.models = models
        self.remoteAgents = remoteAgents
        self.expectations = expectations
        self.toolFaults = toolFaults
    }

    /// Only what every world has: the `bus` service (publish and receive over the world's broker).
    public static let empty = Catalog()

    /// This catalogue with `other`'s entries added; an entry of `other` replaces one of the same name.
    public func merging(_ other: Catalog) -> Catalog {
        func merge<T>(_ mine: [T], _ theirs: [T], name: (T) -> String) -> [T] {
            let replaced = Set(theirs.map(name))
            return mine.filter { !replaced.contains(name($0)) } + theirs
        }
        return Catalog(
            services: merge(services, other.services, name: \.name), agents: merge(agents, other.agents, name: \.name),
            models: models.merging(other.models) { $1 }, remoteAgents: remoteAgents.merging(other.remoteAgents) { $1 },
            expectations: merge(expectations, other.expectations, name: { $0.name }),
            toolFaults: merge(toolFaults, other.toolFaults, name: \.name))
            .withFlowFunctions(flowFunctions.merging(other.flowFunctions) { $1 })
    }

    /// This catalogue with `functions` as its flow functions.
    public func withFlowFunctions(_ functions: [String: FlowFunction]) -> Catalog {
        var catalog = self
        catalog.flowFunctions = functions
        return catalog
    }

    /// Service names scenario files may write in `services:`.
    public var serviceNames: [String] { [Bus.name] + services.map(\.name) }

    /// The service entry called `name`.
    public func service(_ name: String) -> CatalogService? { services.first { $0.name == name } }

    /// The agent called `name`.
    public func agent(_ name: String) -> CatalogAgent? { agents.first { $0.name == name } }

    /// Every expectation a scenario may write: the built-in ones, then the catalogue's (which may replace one).
    public var allExpectations: [any ScenarioExpectation.Type] {
        let mine = Set(expectations.map { $0.name })
        return BuiltinExpectations.all.filter { !mine.contains($0.name) } + expectations
    }

    /// The tool fault kind called `name`, the catalogue's first.
    func toolFault(_ name: String) -> ToolFaultKind? { toolFaults.first { $0.name == name } }
}

/// A service entry of a catalogue: a name scenario files write in `services:`, and a factory that builds
/// the service(s) it stands for on a world's runtime. One entry may stand for several services (the travel
/// example's `travel`); agents' `tools:` may name the entry, a service, or a service's last dotted part.
public struct CatalogService: Sendable {
    public var name: String
    public var description: String
    public var make: @Sendable (WorldRuntime) throws -> [Service]

    public init(_ name: String, description: String = "", make: @escaping @Sendable (WorldRuntime) throws -> [Service]) {
        self.name = name
        self.description = description
        self.make = make
    }
}

/// An agent defined in Swift: a scenario names it in `agents: [{use: NAME}]` and may override its model,
/// guardrails, tools or memory there.
public struct CatalogAgent: Sendable {
    public var name: String
    public var description: String
    public var instructions: String
    /// Catalogue service entries or service names whose tools it may use; nil for all, empty for none.
    public var tools: [String]?
    public var guardrails: Guardrails
    /// Which tool calls run, are denied, or wait for approval; a scenario's `approval:` replaces it.
    public var approval: ToolApproval
    public var memory: MemorySpec
    /// Whether the model is offered the built-in plan, delegate and request_input tools.
    public var builtinTools: Bool
    /// Its model unless the scenario gives another: scripted turns, a recorded provider session, or a named
    /// catalogue model backend. Nil means every scenario must give one.
    public var model: ModelSpec.Backend?

    public init(
        _ name: String, description: String = "", instructions: String, tools: [String]? = nil,
        guardrails: Guardrails = Guardrails(), approval: ToolApproval = .allowAll, memory: MemorySpec = MemorySpec(),
        builtinTools: Bool = true, model: ModelSpec.Backend? = nil
    ) {
        self.name = name
        self.description = description
        self.instructions = instructions
        self.tools = tools
        self.guardrails = guardrails
        self.approval = approval
        self.memory = memory
        self.builtinTools = builtinTools
        self.model = model
    }
}

/// A tool fault kind of a catalogue (`faults: [{target: tool, kind: NAME, tool: …}]`): what a service call
/// does when the fault fires, given the arguments and the real handler (`next`). It may throw the
/// service's own error, return a result of its choosing, or call `next` and alter what comes back.
public struct ToolFaultKind: Sendable {
    public var name: String
    public var inject: @Sendable (
        _ arguments: JSONValue, _ context: CallContext, _ next: @Sendable (JSONValue, CallContext) async throws -> JSONValue
    ) async throws -> JSONValue

    public init(
        _ name: String,
        inject: @escaping @Sendable (
            _ arguments: JSONValue, _ context: CallContext,
            _ next: @Sendable (JSONValue, CallContext) async throws -> JSONValue
        ) async throws -> JSONValue
    ) {
        self.name = name
        self.inject = inject
    }
}

/// What a catalogue's factories get: the world's runtime — its store, broker, registry and client, and the
/// environment whose clock is virtual and whose randomness and IDs are seeded — and the side-effect ledger
/// that `no_duplicate_side_effects` and chaos runs read. Services built on it run on the world's time.
public struct WorldRuntime: Sendable {
    public let runtime: Runtime
    public let ledger: SideEffectLedger

    public init(runtime: Runtime, ledger: SideEffectLedger) {
        self.runtime = runtime
        self.ledger = ledger
    }

    public var environment: Environment { runtime.environment }
    public var store: any Store { runtime.store }
    public var broker: any Broker { runtime.broker }
    public var client: Client { runtime.client }
}

/// A catalogue entry that cannot be built.
public struct CatalogError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
