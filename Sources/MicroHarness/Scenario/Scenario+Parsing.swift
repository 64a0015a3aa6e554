import Foundation
import Micro
import MicroAgent

extension Scenario {
    /// Reads and validates the scenario file at `path`.
    public static func load(file path: String) throws(ScenarioError) -> Scenario {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ScenarioError(file: path, line: 0, field: "", message: "cannot read the file: \(error.localizedDescription)")
        }
        return try Scenario(parsing: text, file: path)
    }

    /// Parses and validates a scenario document; `file` names it in errors and resolves relative paths.
    public init(parsing text: String, file: String) throws(ScenarioError) {
        let root = try YAMLNode.root(of: text, file: file).mapping([
            "name", "description", "seed", "services", "fixtures", "agents", "run", "faults", "expect",
        ])
        self.file = file
        name = try root.required("name").string()
        description = try root["description"]?.string() ?? ""
        seed = UInt64(try root["seed"]?.int() ?? 0)
        services = try root["services"]?.strings() ?? []
        for (index, service) in services.enumerated() where !BundledServices.contains(service) {
            let node = try root.required("services").sequence(singleAllowed: true)[index]
            throw node.error("no bundled service \(service); bundled: \(BundledServices.names.joined(separator: ", "))")
        }
        fixtures = try (root["fixtures"]?.sequence() ?? []).map(Self.fixture)
        let agentNodes = try root.required("agents").sequence()
        agents = try agentNodes.map(Self.agent)
        if agents.isEmpty { throw try root.required("agents").error("a scenario needs at least one agent") }
        var seen: Set<String> = []
        for (index, agent) in agents.enumerated() where !seen.insert(agent.name).inserted {
            throw agentNodes[index].error("two agents are called \(agent.name)")
        }
        let runNode = try root.required("run")
        run = try Self.run(runNode)
        if !seen.contains(run.agent) {
            throw runNode.error("run.agent \(run.agent) is not one of the agents: \(agents.map(\.name).joined(separator: ", "))")
        }
        let runAgent = run.agent
        if let served = agents.first(where: { $0.a2a && $0.name == runAgent }) {
            throw ScenarioError(
                file: file, line: served.line, field: "agents.\(served.name).a2a",
                message: "the agent the run starts is local; serve another agent over A2A and delegate to it")
        }
        faults = try (root["faults"]?.sequence() ?? []).map(Self.fault)
        expectations = try (root["expect"]?.sequence() ?? []).map(Self.expectation)
    }

    /// Resolves `path` against the scenario file's folder.
    public func resolve(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        let folder = (file as NSString).deletingLastPathComponent
        return ((folder.isEmpty ? "." : folder) as NSString).appendingPathComponent(path)
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
                input: input, output: try endpoint["output"]?.json(), effect: try endpoint["effect"]?.bool() ?? false,
                responses: responses, line: endpointNode.line))
        }
        return FixtureService(
            name: try map.required("service").string(), description: try map["description"]?.string() ?? "",
            endpoints: endpoints, line: node.line)
    }

    private static func agent(_ node: YAMLNode) throws(ScenarioError) -> AgentSpec {
        let map = try node.mapping([
            "name", "description", "instructions", "model", "tools", "guardrails", "memory", "builtin_tools", "a2a",
        ])
        return AgentSpec(
            name: try map.required("name").string(), description: try map["description"]?.string() ?? "",
            instructions: try map["instructions"]?.string() ?? "You are a helpful agent.",
            model: try model(try map.required("model")), tools: try map["tools"]?.strings(),
            guardrails: try map["guardrails"].map(guardrails) ?? Guardrails(),
            memory: try map["memory"].map(memory) ?? MemorySpec(),
            builtinTools: try map["builtin_tools"]?.bool() ?? true, a2a: try map["a2a"]?.bool() ?? false,
            line: node.line)
    }

    private static func model(_ node: YAMLNode) throws(ScenarioError) -> ModelSpec {
        let map = try node.mapping([
            "script", "provider", "model", "cassette", "base_url", "context_window", "price",
        ])
        let backend: ModelSpec.Backend
        if let script = map["script"] {
            if map.has("provider") || map.has("cassette") {
                throw node.error("a model is either scripted (script) or recorded (provider, model, cassette), not both")
            }
            backend = .scripted(try script.sequence().map(turn))
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
        var inputPrice = 0.0, outputPrice = 0.0
        if let price = map["price"] {
            let prices = try price.mapping(["input", "output"])
            inputPrice = try prices["input"]?.double() ?? 0
            outputPrice = try prices["output"]?.double() ?? 0
        }
        return ModelSpec(
            backend: backend, contextWindow: try map["context_window"]?.int(), inputPrice: inputPrice,
            outputPrice: outputPrice, line: node.line)
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
            let spec = try usageNode.mapping(["input", "output"])
            usage = Usage(inputTokens: try spec["input"]?.int() ?? 0, outputTokens: try spec["output"]?.int() ?? 0)
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
            "max_steps", "max_identical_calls", "token_budget", "tool_call_timeout", "run_timeout",
            "max_delegation_depth", "retry",
        ])
        var guardrails = Guardrails()
        if let value = map["max_steps"] { guardrails.maxSteps = try value.int() }
        if let value = map["max_identical_calls"] { guardrails.maxIdenticalCalls = try value.int() }
        if let value = map["token_budget"] { guardrails.tokenBudget = try value.int() }
        if let value = map["tool_call_timeout"] { guardrails.toolCallTimeout = try value.duration() }
        if let value = map["run_timeout"] { guardrails.runTimeout = try value.duration() }
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

    private static func memory(_ node: YAMLNode) throws(ScenarioError) -> MemorySpec {
        let map = try node.mapping([
            "reserved_output_tokens", "minimum_recent_messages", "summary_token_limit", "tool_result_token_limit",
            "budget_share",
        ])
        let share = try map["budget_share"]?.double()
        if let share, !(share > 0 && share <= 1) { throw map["budget_share"]!.error("budget_share must be in (0, 1]") }
        return MemorySpec(
            reservedOutputTokens: try map["reserved_output_tokens"]?.int(),
            minimumRecentMessages: try map["minimum_recent_messages"]?.int(),
            summaryTokenLimit: try map["summary_token_limit"]?.int(),
            toolResultTokenLimit: try map["tool_result_token_limit"]?.int(), budgetShare: share)
    }

    private static func run(_ node: YAMLNode) throws(ScenarioError) -> RunSpec {
        let map = try node.mapping(["agent", "prompt", "inputs", "id"])
        return RunSpec(
            agent: try map.required("agent").string(), prompt: try map.required("prompt").string(),
            inputs: try map["inputs"]?.strings() ?? [], runID: try map["id"]?.string() ?? "run", line: node.line)
    }

    private static func fault(_ node: YAMLNode) throws(ScenarioError) -> FaultSpec {
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
        let kinds = FaultSpec.kinds[target] ?? []
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

    static let expectationNames = [
        "status", "output", "tool_called", "tool_sequence", "steps", "tokens", "cost", "checkpoints",
        "resumed_from_step", "compactions", "within_context_window", "delegated", "no_duplicate_side_effects",
        "fault_injected", "error", "golden_trace",
    ]

    private static func expectation(_ node: YAMLNode) throws(ScenarioError) -> ExpectationSpec {
        let map = try node.mapping(expectationNames)
        guard map.entries.count == 1, let (name, value) = map.entries.first else {
            throw node.error("each expectation is one item with one of: \(expectationNames.joined(separator: ", "))")
        }
        let expectation: Expectation
        switch name {
        case "status":
            let text = try value.string()
            guard let status = RunState.Status(rawValue: text) else {
                throw value.error("unknown status \(text); statuses: \(RunState.Status.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            expectation = .status(status)
        case "output":
            if case .scalar = value.node {
                expectation = .output(.equals(try value.string()))
                break
            }
            let spec = try value.mapping(["equals", "contains", "matches", "json_path"])
            if let path = spec["json_path"] {
                guard let equals = spec["equals"] else { throw value.error("json_path needs equals") }
                expectation = .output(.json(path: try path.string(), equals: try equals.json()))
            } else if let text = spec["equals"] {
                expectation = .output(.equals(try text.string()))
            } else if let text = spec["contains"] {
                expectation = .output(.contains(try text.string()))
            } else if let pattern = spec["matches"] {
                let regex = try pattern.string()
                do { _ = try NSRegularExpression(pattern: regex) } catch {
                    throw pattern.error("invalid regular expression: \(regex)")
                }
                expectation = .output(.matches(regex))
            } else {
                throw value.error("output needs equals, contains, matches or json_path")
            }
        case "tool_called":
            if case .scalar = value.node {
                expectation = .toolCalled(name: try value.string(), arguments: nil, exact: false, count: Bounds(min: 1))
                break
            }
            let spec = try value.mapping(["name", "arguments", "exact", "count", "min", "max"])
            expectation = .toolCalled(
                name: try spec.required("name").string(), arguments: try spec["arguments"]?.json(),
                exact: try spec["exact"]?.bool() ?? false, count: try bounds(spec, default: Bounds(min: 1)))
        case "tool_sequence":
            if case .mapping = value.node {
                let spec = try value.mapping(["in_order", "any_order"])
                if let names = spec["in_order"] {
                    expectation = .toolSequence(try names.strings(), ordered: true)
                } else if let names = spec["any_order"] {
                    expectation = .toolSequence(try names.strings(), ordered: false)
                } else {
                    throw value.error("tool_sequence needs in_order or any_order")
                }
            } else {
                expectation = .toolSequence(try value.strings(), ordered: true)
            }
        case "steps": expectation = .steps(try bounds(value))
        case "tokens": expectation = .tokens(try bounds(value))
        case "cost": expectation = .cost(try bounds(value))
        case "checkpoints": expectation = .checkpoints(try bounds(value))
        case "compactions": expectation = .compactions(try bounds(value))
        case "resumed_from_step": expectation = .resumedFromStep(try value.int())
        case "within_context_window":
            guard try value.bool() else { throw value.error("within_context_window can only be expected true") }
            expectation = .withinContextWindow
        case "no_duplicate_side_effects":
            guard try value.bool() else { throw value.error("no_duplicate_side_effects can only be expected true") }
            expectation = .noDuplicateSideEffects
        case "delegated":
            if case .scalar = value.node {
                expectation = .delegated(to: try value.string(), depth: nil)
                break
            }
            let spec = try value.mapping(["to", "depth"])
            expectation = .delegated(to: try spec.required("to").string(), depth: try spec["depth"]?.int())
        case "fault_injected":
            if case .scalar = value.node, try value.bool() {
                expectation = .faultInjected(target: nil, kind: nil, count: Bounds(min: 1))
                break
            }
            let spec = try value.mapping(["target", "kind", "count", "min", "max"])
            var target: FaultSpec.Target?
            if let node = spec["target"] {
                guard let parsed = FaultSpec.Target(rawValue: try node.string()) else { throw node.error("unknown fault target") }
                target = parsed
            }
            expectation = .faultInjected(
                target: target, kind: try spec["kind"]?.string(), count: try bounds(spec, default: Bounds(min: 1)))
        case "error":
            if case .scalar = value.node {
                expectation = .error(code: try value.string(), message: nil)
                break
            }
            let spec = try value.mapping(["code", "message"])
            expectation = .error(code: try spec.required("code").string(), message: try spec["message"]?.string())
        case "golden_trace": expectation = .goldenTrace(try value.string())
        default: throw value.error("unknown expectation \(name)")
        }
        return ExpectationSpec(expectation, line: node.line)
    }

    /// `{min: a, max: b}`, `{count: n}` or a plain number (exactly n).
    private static func bounds(_ node: YAMLNode) throws(ScenarioError) -> Bounds {
        if case .scalar = node.node { return .exactly(try node.double()) }
        return try bounds(try node.mapping(["min", "max", "count"]), default: Bounds())
    }

    private static func bounds(_ map: YAMLMapping, default fallback: Bounds) throws(ScenarioError) -> Bounds {
        if let count = map["count"] { return .exactly(try count.double()) }
        if !map.has("min") && !map.has("max") { return fallback }
        let bounds = Bounds(min: try map["min"]?.double(), max: try map["max"]?.double())
        if let low = bounds.min, let high = bounds.max, low > high { throw map.node.error("min is greater than max") }
        return bounds
    }
}
