import Micro
import MicroAgent

/// A scenario file: a world (services, agents and their model backends), a run, faults and expectations.
/// The format is documented in `Scenarios/README.md`.
public struct Scenario: Sendable {
    /// The file it was read from, as given to the loader.
    public var file: String
    public var name: String
    public var description: String
    /// Seeds the world's random source, so that jitter and probabilistic faults repeat.
    public var seed: UInt64
    /// Catalogue service entries by name (see ``Catalog/services``).
    public var services: [String]
    /// The line of `services:` in the file.
    public var servicesLine: Int
    public var fixtures: [FixtureService]
    public var agents: [AgentSpec]
    public var run: RunSpec
    public var faults: [FaultSpec]
    public var expectations: [ExpectationSpec]
    /// Remote agents the run's agents may delegate to: from the catalogue, or A2A endpoints by URL.
    public var remoteAgents: [RemoteAgentSpec]
    /// What the file's names were resolved against; the world builds its services, agents and models from it.
    public var catalog: Catalog
    /// Model prices for this scenario (its `prices:` block, over a `--prices` file), before the bundled table.
    public var prices = PriceTable()
    /// Flows beside the agents (`flows:`), and the timed broker events that trigger them (`events:`).
    public var flows: [FlowSpec] = []
    public var events: [FlowEventSpec] = []

    /// The agent spec called `name`.
    public func agent(_ name: String) -> AgentSpec? { agents.first { $0.name == name } }
}

/// A service declared in the scenario file: endpoints with schemas and scripted responses.
public struct FixtureService: Sendable {
    public var name: String
    public var description: String
    public var endpoints: [Endpoint]
    public var line: Int

    public struct Endpoint: Sendable {
        public var name: String
        public var description: String
        public var input: JSONValue
        public var output: JSONValue?
        /// Whether each call is a side effect, journaled in the ledger.
        public var effect: Effect
        public var responses: [Response]
        public var line: Int
    }

    /// What a fixture endpoint's call does to the world.
    public enum Effect: Sendable, Hashable {
        /// Nothing: a read.
        case none
        /// A side effect that is not idempotent (`effect: true`): journaled every time it runs, so that a chaos
        /// run catches it when a resumed run executes it twice.
        case everyCall
        /// A side effect done once per idempotency key (`effect: idempotent`), as a service that honours the
        /// caller's key does: a call sent again with its key is the same call.
        case oncePerKey
    }

    /// One scripted response; the first whose `when` matches the arguments is used, in order of calls for
    /// the ones without `when` (the last one repeats).
    public struct Response: Sendable {
        public var when: JSONValue?
        public var result: JSONValue?
        public var error: String?
        public var latency: Duration?
        public var line: Int
    }
}

/// An agent of the scenario.
public struct AgentSpec: Sendable {
    public var name: String
    public var description: String
    public var instructions: String
    public var model: ModelSpec
    /// Services whose tools it may use; nil for all, empty for none.
    public var tools: [String]?
    public var guardrails: Guardrails
    /// Which tool calls run, are denied, or wait for approval (`approval:` in the file).
    public var approval: ToolApproval
    public var memory: MemorySpec
    /// Whether the model is offered the built-in plan, delegate and request_input tools.
    public var builtinTools: Bool
    /// Served by an A2A server on a loopback port: the other agents reach it only through the A2A client
    /// (`delegate` to its name streams the task over HTTP), as they would an agent on another host.
    public var a2a: Bool
    /// A black-box agent: an external process the world starts, talking to the world's provider endpoint
    /// and MCP server; nil for an agent that runs in the harness.
    public var external: ExternalAgentSpec?
    public var line: Int
}

/// An agent under test that runs as its own process, in any language, or behind an A2A endpoint.
public struct ExternalAgentSpec: Sendable, Hashable {
    /// The program and its arguments (`${VAR}` and `${VAR:-default}` expand from the harness's environment);
    /// empty for an A2A endpoint the world does not start.
    public var command: [String]
    /// The agent's A2A base URL: the world sends the run's prompt (and its `inputs`, when the task asks) as
    /// A2A messages there instead of reading the process's standard output. `${MICRO_A2A_PORT}` in it is a
    /// free loopback port the world picks and hands to the process in the same variable.
    public var a2a: String?
    /// Extra environment variables (expanded the same way).
    public var environment: [String: String]
    /// The working directory, relative to the scenario's folder (default: that folder).
    public var workingDirectory: String?
    /// The wire format of the provider endpoint it talks to, for scripted turns (recorded models use their
    /// cassette's provider).
    public var provider: String
    /// How long one process may run, on the real clock (a live process is on the other side).
    public var timeout: Duration
}

/// Where an agent's answers come from.
public struct ModelSpec: Sendable, Hashable {
    public enum Backend: Sendable, Hashable {
        /// Turns written in the file.
        case scripted([ScriptedModel.Turn])
        /// A provider adapter over a cassette (`Recordings/…`), replayed with no network.
        case recorded(provider: String, model: String, cassette: String, baseURL: String?)
        /// A model backend of the catalogue, by name.
        case named(String)
    }

    public var backend: Backend
    /// Overrides the model's context window (tokens), to force compaction in small scenarios.
    public var contextWindow: Int?
    /// USD per million input and output tokens of ``price`` (0 when the file gives none; costs read ``price``
    /// and the price tables, never these zeros).
    public var inputPrice: Double
    public var outputPrice: Double
    public var line: Int
    /// The price written with the model (`price: {input, output, cached}`); nil when the file gives none and
    /// a price table decides (``PriceTable``).
    public var price: RunRecord.Price? = nil
}

/// Compact-memory settings of an agent.
public struct MemorySpec: Sendable, Hashable {
    public var reservedOutputTokens: Int?
    public var minimumRecentMessages: Int?
    public var summaryTokenLimit: Int?
    public var toolResultTokenLimit: Int?
    public var budgetShare: Double?
    /// `compaction: false` sends every request whole (``CompactMemory/compacts``); nil keeps the default (on).
    public var compaction: Bool?
    /// The model that writes the rolling summary (scripted turns, a cassette or a catalogue backend, written
    /// like an agent's model); nil uses the extractive fallback. Its tokens count toward the run's usage,
    /// token budget and cost.
    public var summarizer: ModelSpec?

    public init(
        reservedOutputTokens: Int? = nil, minimumRecentMessages: Int? = nil, summaryTokenLimit: Int? = nil,
        toolResultTokenLimit: Int? = nil, budgetShare: Double? = nil, compaction: Bool? = nil, summarizer: ModelSpec? = nil
    ) {
        self.reservedOutputTokens = reservedOutputTokens
        self.minimumRecentMessages = minimumRecentMessages
        self.summaryTokenLimit = summaryTokenLimit
        self.toolResultTokenLimit = toolResultTokenLimit
        self.budgetShare = budgetShare
        self.compaction = compaction
        self.summarizer = summarizer
    }
}

/// A remote agent of the scenario: a catalogue entry, or an A2A endpoint.
public struct RemoteAgentSpec: Sendable {
    public var name: String
    /// The A2A endpoint (its agent card is read from there); nil for a catalogue entry.
    public var url: String?
    public var description: String
    public var line: Int
}

/// The workflow the scenario runs.
public struct RunSpec: Sendable {
    public var agent: String
    public var prompt: String
    /// Answers to the run's `request_input` pauses, in order.
    public var inputs: [String]
    public var runID: String
    public var line: Int
    /// The flow the run calls directly (`run: {flow: NAME, input: …}`) instead of an agent.
    public var flow: String? = nil
    /// The flow's input.
    public var input: JSONValue = .null
}
