import Foundation
import Micro
import MicroAgent

extension Scenario {
    /// Reads the scenario file at `path` and resolves its names against `catalog`.
    public static func load(file path: String, catalog: Catalog = .empty) throws(ScenarioError) -> Scenario {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ScenarioError(file: path, line: 0, field: "", message: "cannot read the file: \(error.localizedDescription)")
        }
        return try Scenario(parsing: text, file: path, catalog: catalog)
    }

    /// Parses and validates a scenario document, resolving its names (services, agents, model backends,
    /// remote agents, expectations, tool fault kinds) against `catalog`; `file` names it in errors and
    /// resolves relative paths.
    public init(parsing text: String, file: String, catalog: Catalog = .empty) throws(ScenarioError) {
        let root = try YAMLNode.root(of: text, file: file).mapping([
            "name", "description", "seed", "services", "fixtures", "agents", "remote_agents", "run", "faults", "expect",
            "prices", "flows", "events",
        ])
        self.file = file
        self.catalog = catalog
        name = try root.required("name").string()
        description = try root["description"]?.string() ?? ""
        let seedValue = try root["seed"]?.int() ?? 0
        guard seedValue >= 0 else { throw root["seed"]!.error("seed must be a non-negative integer, found \(seedValue)") }
        seed = UInt64(seedValue)
        services = try root["services"]?.strings() ?? []
        servicesLine = root["services"]?.line ?? 0
        let known = catalog.serviceNames
        for (index, service) in services.enumerated() where !known.contains(service) {
            let node = try root.required("services").sequence(singleAllowed: true)[index]
            throw node.error("unknown service \(service)" + Self.suggestion(service, among: known, kind: "services"))
        }
        fixtures = try (root["fixtures"]?.sequence() ?? []).map(Self.fixture)
        flows = try (root["flows"]?.sequence() ?? []).map { (node) throws(ScenarioError) in try Self.flow(node, catalog: catalog) }
        events = try (root["events"]?.sequence() ?? []).map(Self.event)
        let agentNodes = try flows.isEmpty ? root.required("agents").sequence() : root["agents"]?.sequence() ?? []
        agents = try agentNodes.map { (node) throws(ScenarioError) in try Self.agent(node, catalog: catalog) }
        remoteAgents = try (root["remote_agents"]?.sequence() ?? []).map { (node) throws(ScenarioError) in
            try Self.remoteAgent(node, catalog: catalog)
        }
        if agents.isEmpty && flows.isEmpty { throw try root.required("agents").error("a scenario needs at least one agent") }
        var seen: Set<String> = []
        for (index, agent) in agents.enumerated() where !seen.insert(agent.name).inserted {
            throw agentNodes[index].error("two agents are called \(agent.name)")
        }
        let runNode = try flows.isEmpty || root.has("run") ? root.required("run") : root.node
        run = root.has("run") ? try Self.run(runNode) : RunSpec(agent: "", prompt: "", inputs: [], runID: "run", line: 0)
        try Self.validateFlows(flows, events: events, run: run, agents: seen, root: root)
        if run.flow == nil && !root.has("run") && events.isEmpty {
            throw root.node.error("a scenario with flows runs one (run: {flow: NAME, input: …}) or has events that trigger them")
        }
        if run.flow == nil && root.has("run") && !seen.contains(run.agent) {
            throw runNode.error("run.agent \(run.agent) is not one of the agents: \(agents.map(\.name).joined(separator: ", "))")
        }
        let runAgent = run.agent
        if let served = agents.first(where: { $0.a2a && $0.name == runAgent }) {
            throw ScenarioError(
                file: file, line: served.line, field: "agents.\(served.name).a2a",
                message: "the agent the run starts is local; serve another agent over A2A and delegate to it")
        }
        for remote in remoteAgents where seen.contains(remote.name) {
            throw ScenarioError(
                file: file, line: remote.line, field: "remote_agents", message: "\(remote.name) is also a local agent")
        }
        if let external = agents.first(where: { $0.external != nil && $0.name != runAgent }) {
            throw ScenarioError(
                file: file, line: external.line, field: "agents.\(external.name).external",
                message: "only the agent the run starts may be an external process")
        }
        faults = try (root["faults"]?.sequence() ?? []).map { (node) throws(ScenarioError) in try Self.fault(node, catalog: catalog) }
        if let node = root["prices"] { prices = try PriceTable(parsing: node, source: "prices") }
        let expectationTypes = catalog.allExpectations
        expectations = try (root["expect"]?.sequence() ?? []).map { (node) throws(ScenarioError) in
            try Self.expectation(node, types: expectationTypes)
        }
    }

    /// Resolves `path` against the scenario file's folder.
    public func resolve(_ path: String) -> String { Self.resolve(path, relativeTo: file) }

    /// Resolves `path` against the folder of `file`.
    public static func resolve(_ path: String, relativeTo file: String) -> String {
        if path.hasPrefix("/") { return path }
        let folder = (file as NSString).deletingLastPathComponent
        return ((folder.isEmpty ? "." : folder) as NSString).appendingPathComponent(path)
    }

    /// `; did you mean X? KIND: a, b, c` for an unknown name.
    static func suggestion(_ name: String, among known: [String], kind: String) -> String {
        let near = NearestNames.of(name, among: known, limit: 1).first
        return (near.map { " (did you mean \($0)?)" } ?? "") + "; \(kind): " + (known.isEmpty ? "none" : known.joined(separator: ", "))
    }

    // MARK: Sections

    private static func fixture(_ node: YAMLNode) throws(ScenarioError) -> FixtureService {
        let map = try node.mapping(["service", "description", "endpoints"])
        var endpoints: [FixtureService.Endpoint] = []
        for endpointNode in try map.required("endpoints").sequence() {
            let endpoint = try endpointNode.mapping(["name", "description", "input", "output", "effect", "responses"])
            var responses: [FixtureService.Response] = []
            for responseNode in try endpoint["responses"]?.sequence() ?? [] {
                let response = try responseNode.mapping(["when", "result", "error", "latency"])
                if response.has("result") == response.has("error") {
                    throw responseNode.error("a response has exactly one of result and error")
                }
                responses.append(FixtureService.Response(
                    when: try response["when"]?.json(), result: try response["result"]?.json(),
                    error: try response["error"]?.string(), latency: try response["latency"]?.duration(),
                    line: responseNode.line))
            }
            if responses.isEmpty { throw endpointNode.error("an endpoint needs at least one response") }
            let input = try endpoint["input"]?.json() ?? ["type": "object"]
            if let node = endpoint["input"], input.objectValue == nil { throw node.error("input must be a JSON Schema object") }
            endpoints.append(FixtureService.Endpoint(
                name: try endpoint.required("name").string(), description: try endpoint["description"]?.string() ?? "",
                input: input, output: try endpoint["output"]?.json(), effect: try endpoint["effect"].map(effect) ?? .none,
                responses: responses, line: endpointNode.line))
        }
        return FixtureService(
            name: try map.required("service").string(), description: try map["description"]?.string() ?? "",
            endpoints: endpoints, line: node.line)
    }

    /// An agent written in the file (`name:` …), or one of the catalogue's (`use: NAME`) with the file's
    /// overrides: model, tools, guardrails, approval, memory, instructions.
    private static func agent(_ node: YAMLNode, catalog: Catalog) throws(ScenarioError) -> AgentSpec {
        let map = try node.mapping([
            "name", "use", "description", "instructions", "model", "tools", "guardrails", "approval", "memory", "builtin_tools",
            "a2a", "external",
        ])
        var base: CatalogAgent?
        if let use = map["use"] {
            let name = try use.string()
            guard let found = catalog.agent(name) else {
                throw use.error("unknown agent \(name)" + suggestion(name, among: catalog.agents.map(\.name), kind: "catalogue agents"))
            }
            if map.has("name") { throw node.error("an agent is either written here (name) or taken from the catalogue (use), not both") }
            base = found
        }
        let model: ModelSpec
        if let node = map["model"] {
            model = try self.model(node, catalog: catalog)
        } else if let backend = base?.model {
            model = ModelSpec(backend: backend, contextWindow: nil, inputPrice: 0, outputPrice: 0, line: node.line)
        } else {
            model = try self.model(try map.required("model"), catalog: catalog)
        }
        let name: String
        if let base { name = base.name } else { name = try map.required("name").string() }
        return AgentSpec(
            name: name,
            description: try map["description"]?.string() ?? base?.description ?? "",
            instructions: try map["instructions"]?.string() ?? base?.instructions ?? "You are a helpful agent.",
            model: model, tools: try map["tools"]?.strings() ?? base?.tools,
            guardrails: try map["guardrails"].map(guardrails) ?? base?.guardrails ?? Guardrails(),
            approval: try map["approval"].map(ToolApproval.init(parsing:)) ?? base?.approval ?? .allowAll,
            memory: try map["memory"].map { (node) throws(ScenarioError) in try memory(node, catalog: catalog) } ?? base?.memory ?? MemorySpec(),
            builtinTools: try map["builtin_tools"]?.bool() ?? base?.builtinTools ?? true, a2a: try map["a2a"]?.bool() ?? false,
            external: try map["external"].map { (node) throws(ScenarioError) in try external(node, model: model) }, line: node.line)
    }

    /// `effect: true` (every call), `false`, or `idempotent` (once per idempotency key).
    private static func effect(_ node: YAMLNode) throws(ScenarioError) -> FixtureService.Effect {
        if (try? node.string()) == "idempotent" { return .oncePerKey }
        guard let flag = try? node.bool() else { throw node.error("effect must be true, false or idempotent") }
        return flag ? .everyCall : .none
    }

    private static func external(_ node: YAMLNode, model: ModelSpec) throws(ScenarioError) -> ExternalAgentSpec {
        let map = try node.mapping(["command", "a2a", "env", "cwd", "provider", "timeout"])
        let a2a = try map["a2a"]?.string()
        if let a2a, !(a2a.hasPrefix("http://") || a2a.hasPrefix("https://")) {
            throw map["a2a"]!.error("a2a must be an http:// or https:// URL, got \(a2a)")
        }
        let command = a2a == nil ? try map.required("command").strings() : try map["command"]?.strings() ?? []
        if command.isEmpty && a2a == nil { throw map["command"]!.error("command needs at least the program") }
        if let a2a, a2a.contains("${MICRO_A2A_PORT}"), command.isEmpty {
            throw map["a2a"]!.error("${MICRO_A2A_PORT} is a port the world hands to the process it starts; give a command")
        }
        var environment: [String: String] = [:]
        if let env = map["env"] {
            for (key, value) in try env.anyMapping().entries { environment[key] = try value.string() }
        }
        var provider = try map["provider"]?.string() ?? "openai"
        if case .recorded(let recorded, _, _, _) = model.backend { provider = recorded }
        if case .scripted = model.backend, ScriptedWireTransport.dialect(of: provider) == nil {
            throw (map["provider"] ?? node).error(
                "scripted turns are served as OpenAI-compatible, Anthropic, Gemini or Ollama wire bytes; \(provider) is none of them (see micro providers)")
        }
        if case .named = model.backend {
            throw node.error("an external agent's model is scripted or recorded (the world serves it on the wire), not a catalogue backend")
        }
        let timeout = try map["timeout"]?.duration() ?? .seconds(60)
        return ExternalAgentSpec(
            command: command, a2a: a2a, environment: environment, workingDirectory: try map["cwd"]?.string(), provider: provider,
            timeout: timeout)
    }

    private static func remoteAgent(_ node: YAMLNode, catalog: Catalog) throws(ScenarioError) -> RemoteAgentSpec {
        if node.isScalar {
            let name = try node.string()
            guard catalog.remoteAgents[name] != nil else {
                throw node.error(
                    "unknown remote agent \(name)" + suggestion(name, among: catalog.remoteAgents.keys.sorted(), kind: "catalogue remote agents"))
            }
            return RemoteAgentSpec(name: name, url: nil, description: "", line: node.line)
        }
        let map = try node.mapping(["name", "url", "description"])
        let url = try map.required("url").string()
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else { throw map["url"]!.error("url must be http:// or https://") }
        return RemoteAgentSpec(
            name: try map.required("name").string(), url: url, description: try map["description"]?.string() ?? "", line: node.line)
    }

    static func model(_ node: YAMLNode, catalog: Catalog) throws(ScenarioError) -> ModelSpec {
        let map = try node.mapping([
            "script", "provider", "model", "cassette", "base_url", "backend", "context_window", "price",
        ])
        let backend: ModelSpec.Backend
        let sources = ["script", "provider", "backend"].filter(map.has)
        if sources.count > 1 || (map.has("cassette") && !map.has("provider")) {
            throw node.error(
                "a model is scripted (script), recorded (provider, model, cassette) or a catalogue backend (backend), one of them")
        }
        if let script = map["script"] {
            backend = .scripted(try script.sequence().map(turn))
        } else if let named = map["backend"] {
            let name = try named.string()
            guard catalog.models[name] != nil else {
                throw named.error("unknown model backend \(name)" + suggestion(name, among: catalog.models.keys.sorted(), kind: "catalogue backends"))
            }
            backend = .named(name)
        } else {
            let provider = try map.required("provider")
            let name = try provider.string()
            guard ScenarioModels.providers.contains(name) else {
                throw provider.error("unknown provider \(name); known: \(ScenarioModels.providers.joined(separator: ", "))")
            }
            backend = .recorded(
                provider: name, model: try map["model"]?.string() ?? "", cassette: try map.required("cassette").string(),
                baseURL: try map["base_url"]?.string())
        }
        var price: RunRecord.Price?
        if let node = map["price"] {
            price = try PriceTable.price(node)
            price?.source = "scenario"
        }
        return ModelSpec(
            backend: backend, contextWindow: try map["context_window"]?.int(), inputPrice: price?.input ?? 0,
            outputPrice: price?.output ?? 0, line: node.line, price: price)
    }

    private static func turn(_ node: YAMLNode) throws(ScenarioError) -> ScriptedModel.Turn {
        let map = try node.mapping(["text", "call", "calls", "fail", "expect", "usage"])
        var calls: [YAMLNode] = []
        if let call = map["call"] { calls.append(call) }
        if let many = map["calls"] { calls += try many.sequence() }
        let line = node.line
        var toolCalls: [ToolCall] = []
        for (index, callNode) in calls.enumerated() {
            let call = try callNode.mapping(["tool", "arguments", "id"])
            let arguments = try call["arguments"]?.json() ?? [:]
            toolCalls.append(ToolCall(
                id: try call["id"]?.string() ?? "call_\(line)_\(index)", name: try call.required("tool").string(),
                arguments: arguments))
        }
        var failure: ScriptedModel.ScriptedFailure?
        if let fail = map["fail"] {
            let spec = try fail.mapping(["code", "message", "retry_after"])
            failure = ScriptedModel.ScriptedFailure(
                code: ModelError.Code(rawValue: try spec.required("code").string()),
                message: try spec["message"]?.string() ?? "scripted failure", retryAfter: try spec["retry_after"]?.duration())
        }
        var usage: Usage?
        if let usageNode = map["usage"] {
            let spec = try usageNode.mapping(["input", "output", "cached"])
            usage = Usage(
                inputTokens: try spec["input"]?.int() ?? 0, outputTokens: try spec["output"]?.int() ?? 0,
                cachedInputTokens: try spec["cached"]?.int() ?? 0)
        }
        let text = try map["text"]?.string()
        if text == nil && toolCalls.isEmpty && failure == nil {
            throw node.error("a turn needs text, call(s) or fail")
        }
        return ScriptedModel.Turn(
            text: text, toolCalls: toolCalls, usage: usage, expecting: try map["expect"]?.string(), failure: failure)
    }

    private static func guardrails(_ node: YAMLNode) throws(ScenarioError) -> Guardrails {
        let map = try node.mapping([
            "max_steps", "max_identical_calls", "token_budget", "tool_call_timeout", "model_call_timeout", "run_timeout",
            "max_delegation_depth", "retry",
        ])
        var guardrails = Guardrails()
        if let value = map["max_steps"] { guardrails.maxSteps = try value.int() }
        if let value = map["max_identical_calls"] { guardrails.maxIdenticalCalls = try value.int() }
        if let value = map["token_budget"] { guardrails.tokenBudget = try value.int() }
        if let value = map["tool_call_timeout"] { guardrails.toolCallTimeout = try value.positiveDuration() }
        if let value = map["model_call_timeout"] { guardrails.modelCallTimeout = try value.positiveDuration() }
        if let value = map["run_timeout"] { guardrails.runTimeout = try value.positiveDuration() }
        if let value = map["max_delegation_depth"] { guardrails.maxDelegationDepth = try value.int() }
        if let retryNode = map["retry"] {
            let retry = try retryNode.mapping(["max_attempts", "initial_delay", "max_delay", "jitter"])
            if let value = retry["max_attempts"] { guardrails.retry.maxAttempts = try value.int() }
            if let value = retry["initial_delay"] { guardrails.retry.initialDelay = try value.duration() }
            if let value = retry["max_delay"] { guardrails.retry.maxDelay = try value.duration() }
            if let value = retry["jitter"] { guardrails.retry.jitter = try value.double() }
        }
        return guardrails
    }

    private static func memory(_ node: YAMLNode, catalog: Catalog) throws(ScenarioError) -> MemorySpec {
        let map = try node.mapping([
            "reserved_output_tokens", "minimum_recent_messages", "summary_token_limit", "tool_result_token_limit",
            "budget_share", "compaction", "summarizer",
        ])
        let share = try map["budget_share"]?.double()
        if let share, !(share > 0 && share <= 1) { throw map["budget_share"]!.error("budget_share must be in (0, 1]") }
        return MemorySpec(
            reservedOutputTokens: try map["reserved_output_tokens"]?.int(),
            minimumRecentMessages: try map["minimum_recent_messages"]?.int(),
            summaryTokenLimit: try map["summary_token_limit"]?.int(),
            toolResultTokenLimit: try map["tool_result_token_limit"]?.int(), budgetShare: share,
            compaction: try map["compaction"]?.bool(), summarizer: try map["summarizer"].map { (node) throws(ScenarioError) in
                try model(node, catalog: catalog)
            })
    }

    private static func run(_ node: YAMLNode) throws(ScenarioError) -> RunSpec {
        let map = try node.mapping(["agent", "prompt", "inputs", "id", "flow", "input"])
        if let flow = map["flow"] {
            if map.has("agent") || map.has("prompt") { throw node.error("a run starts an agent (agent, prompt) or a flow (flow, input), not both") }
            return RunSpec(
                agent: "", prompt: "", inputs: try map["inputs"]?.strings() ?? [], runID: try map["id"]?.string() ?? "run",
                line: node.line, flow: try flow.string(), input: try map["input"]?.json() ?? .null)
        }
        if map.has("input") { throw map["input"]!.error("input is a flow's (run: {flow: NAME, input: …}); an agent takes a prompt") }
        return RunSpec(
            agent: try map.required("agent").string(), prompt: try map.required("prompt").string(),
            inputs: try map["inputs"]?.strings() ?? [], runID: try map["id"]?.string() ?? "run", line: node.line)
    }

    private static func fault(_ node: YAMLNode, catalog: Catalog) throws(ScenarioError) -> FaultSpec {
        let map = try node.mapping([
            "target", "kind", "agent", "tool", "topic", "status", "retry_after", "latency", "optional",
            "call", "every", "times", "probability", "match",
        ])
        let targetNode = try map.required("target")
        guard let target = FaultSpec.Target(rawValue: try targetNode.string()) else {
            throw targetNode.error(
                "unknown fault target \(try targetNode.string()); targets: \(FaultSpec.Target.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let kindNode = try map.required("kind")
        let kind = try kindNode.string()
        let kinds = (FaultSpec.kinds[target] ?? []) + (target == .tool ? catalog.toolFaults.map(\.name) : [])
        guard kinds.contains(kind) else {
            throw kindNode.error("unknown \(target.rawValue) fault \(kind); kinds: \(kinds.joined(separator: ", "))")
        }
        let probability = try map["probability"]?.double()
        if let probability, !(0...1).contains(probability) {
            throw map["probability"]!.error("probability must be between 0 and 1")
        }
        for key in ["call", "every", "times"] {
            if let value = map[key], try value.int() < 1 { throw value.error("\(key) counts calls from 1") }
        }
        let trigger = FaultTrigger(
            call: try map["call"]?.int(), every: try map["every"]?.int(), times: try map["times"]?.int(),
            probability: probability, match: try map["match"]?.string())
        return FaultSpec(
            target, kind, trigger: trigger, agent: try map["agent"]?.string(), tool: try map["tool"]?.string(),
            topic: try map["topic"]?.string(), status: try map["status"]?.int(),
            retryAfter: try map["retry_after"]?.duration(), latency: try map["latency"]?.duration(),
            optional: try map["optional"]?.bool() ?? (probability != nil), line: node.line)
    }

    // MARK: Expectations

    private static func expectation(_ node: YAMLNode, types: [any ScenarioExpectation.Type]) throws(ScenarioError) -> ExpectationSpec {
        let names = types.map { $0.name }
        let map = try node.mapping(names)
        guard map.entries.count == 1, let (name, value) = map.entries.first, let type = types.first(where: { $0.name == name }) else {
            throw node.error("each expectation is one item with one of: \(names.joined(separator: ", "))")
        }
        return ExpectationSpec(try type.init(parsing: value), line: node.line)
    }
}
