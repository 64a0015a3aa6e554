import Micro
import MicroAgent

/// A flow of a scenario file (`flows:`): its trigger, approval policy and steps. The state is JSON: `input`
/// (the direct call's input or the event's data), `event`, and one key per step output (`into`, else the
/// step's name). Prompts, requests and the output are templates: `{{input.order}}` inserts a value.
public struct FlowSpec: Sendable {
    public var name: String
    public var description: String
    public var triggers: [FlowTrigger]
    public var approval: ToolApproval
    /// A template for the run's output; nil: the last step's output.
    public var output: String?
    public var steps: [FlowStepSpec]
    public var line: Int
}

/// One step of a scenario's flow.
public struct FlowStepSpec: Sendable {
    public enum Action: Sendable {
        /// A catalogue function (``Catalog/flowFunctions``).
        case code(String)
        /// A service call with a templated request, keyed by the run, the stage and the attempt.
        case call(service: String, endpoint: String, request: JSONValue)
        /// A model with the named services as tools (nil: all), fixed instructions and a prompt template.
        case model(ModelSpec, instructions: String, prompt: String, tools: [String]?)
        /// A local or remote agent given the prompt as its task.
        case agent(String, prompt: String)
    }

    /// A verifier or a loop condition.
    public enum Check: Sendable {
        /// A catalogue function.
        case function(String)
        /// The output contains this text.
        case contains(String)
        /// A model told `instructions` judges.
        case model(ModelSpec, instructions: String)
    }

    public var name: String
    public var action: Action
    /// The state key the output goes to (model, agent and call steps); nil: the step's name.
    public var into: String?
    public var retry: RetryPolicy
    public var verify: Check?
    /// Verification attempts in all.
    public var attempts: Int
    public var loop: (max: Int, until: Check)?
    public var line: Int
}

/// A broker event the scenario publishes on the virtual clock (`events:`): `at` after the world's start.
public struct FlowEventSpec: Sendable {
    public var at: Duration
    public var topic: String
    public var data: JSONValue
    public var line: Int
}

extension Scenario {
    static func flow(_ node: YAMLNode, catalog: Catalog) throws(ScenarioError) -> FlowSpec {
        let map = try node.mapping(["name", "description", "trigger", "approval", "output", "steps"])
        let name = try map.required("name").string()
        var triggers: [FlowTrigger] = []
        if let trigger = map["trigger"] {
            let spec = try trigger.mapping(["topic", "queue", "schedule", "times"])
            if let topic = spec["topic"] {
                let text = try topic.string()
                do { try InMemoryBroker.validate(topic: text, allowingWildcards: true) } catch { throw topic.error("\(error)") }
                triggers.append(.topic(text, queue: try spec["queue"]?.string()))
            }
            if let schedule = spec["schedule"] {
                guard let times = try spec["times"]?.int(), times >= 1 else {
                    throw trigger.error("a schedule in a scenario needs times (≥ 1): it must end")
                }
                triggers.append(.schedule(every: try schedule.positiveDuration(), times: times))
            }
            if triggers.isEmpty { throw trigger.error("a trigger has a topic or a schedule") }
        }
        let steps = try map.required("steps").sequence().map { (node) throws(ScenarioError) in try step(node, catalog: catalog) }
        if steps.isEmpty { throw try map.required("steps").error("a flow needs at least one step") }
        var seen: Set<String> = []
        for step in steps {
            guard !step.name.contains(":"), !step.name.contains("/"), seen.insert(step.name).inserted else {
                throw ScenarioError(
                    file: node.file, line: step.line, field: "flows.\(name).steps",
                    message: "step name \(step.name) is repeated or holds ':' or '/'")
            }
        }
        return FlowSpec(
            name: name, description: try map["description"]?.string() ?? "", triggers: triggers,
            approval: try map["approval"].map(ToolApproval.init(parsing:)) ?? .allowAll, output: try map["output"]?.string(),
            steps: steps, line: node.line)
    }

    private static func step(_ node: YAMLNode, catalog: Catalog) throws(ScenarioError) -> FlowStepSpec {
        let map = try node.mapping([
            "name", "code", "call", "model", "agent", "instructions", "prompt", "tools", "into", "retry", "verify", "attempts", "loop",
        ])
        let name = try map.required("name").string()
        let kinds = ["code", "call", "model", "agent"].filter(map.has)
        guard kinds.count == 1 else { throw node.error("a step has exactly one of code, call, model, agent") }
        let action: FlowStepSpec.Action
        switch kinds[0] {
        case "code":
            let function = try map.required("code").string()
            try requireFunction(function, kind: "step", node: map["code"]!, catalog: catalog)
            action = .code(function)
        case "call":
            let call = try map.required("call").mapping(["service", "endpoint", "request"])
            action = .call(
                service: try call.required("service").string(), endpoint: try call.required("endpoint").string(),
                request: try call["request"]?.json() ?? [:])
        case "model":
            action = .model(
                try model(map["model"]!, catalog: catalog), instructions: try map["instructions"]?.string() ?? "You are a careful worker.",
                prompt: try map.required("prompt").string(), tools: try map["tools"]?.strings())
        default:
            action = .agent(try map.required("agent").string(), prompt: try map.required("prompt").string())
        }
        var retry = RetryPolicy(maxAttempts: 1)
        if let node = map["retry"] {
            let spec = try node.mapping(["max_attempts", "initial_delay", "max_delay", "jitter"])
            if let value = spec["max_attempts"] { retry.maxAttempts = try value.int() }
            if let value = spec["initial_delay"] { retry.initialDelay = try value.duration() }
            if let value = spec["max_delay"] { retry.maxDelay = try value.duration() }
            if let value = spec["jitter"] { retry.jitter = try value.double() }
            if retry.maxAttempts < 1 { throw node.error("max_attempts counts the first try: at least 1") }
        }
        let verify = try map["verify"].map { (node) throws(ScenarioError) in try check(node, kind: "verifier", catalog: catalog) }
        let attempts = try map["attempts"]?.int() ?? 3
        if attempts < 1 { throw map["attempts"]!.error("attempts counts the first: at least 1") }
        var loop: (max: Int, until: FlowStepSpec.Check)?
        if let node = map["loop"] {
            let spec = try node.mapping(["max", "until"])
            let max = try spec.required("max").int()
            if max < 1 { throw spec["max"]!.error("a loop runs at least once (max ≥ 1)") }
            loop = (max, try check(try spec.required("until"), kind: "condition", catalog: catalog))
        }
        return FlowStepSpec(
            name: name, action: action, into: try map["into"]?.string(), retry: retry, verify: verify, attempts: attempts, loop: loop,
            line: node.line)
    }

    /// `{code: NAME}`, `{contains: TEXT}` or `{model: {script: …}, instructions: …}`.
    private static func check(_ node: YAMLNode, kind: String, catalog: Catalog) throws(ScenarioError) -> FlowStepSpec.Check {
        let map = try node.mapping(["code", "contains", "model", "instructions"])
        let kinds = ["code", "contains", "model"].filter(map.has)
        guard kinds.count == 1 else { throw node.error("a \(kind) has exactly one of code, contains, model") }
        if let code = map["code"] {
            let name = try code.string()
            try requireFunction(name, kind: kind, node: code, catalog: catalog)
            return .function(name)
        }
        if let text = map["contains"] { return .contains(try text.string()) }
        return .model(
            try model(map["model"]!, catalog: catalog),
            instructions: try map["instructions"]?.string() ?? (kind == "verifier" ? "You grade work strictly." : "You judge whether work is done."))
    }

    private static func requireFunction(_ name: String, kind: String, node: YAMLNode, catalog: Catalog) throws(ScenarioError) {
        let known = catalog.flowFunctions.filter { $0.value.kind == kind }.keys.sorted()
        guard known.contains(name) else {
            throw node.error("unknown flow \(kind) function \(name)" + suggestion(name, among: known, kind: "catalogue \(kind) functions"))
        }
    }

    static func event(_ node: YAMLNode) throws(ScenarioError) -> FlowEventSpec {
        let map = try node.mapping(["at", "topic", "data"])
        let topic = try map.required("topic").string()
        do { try InMemoryBroker.validate(topic: topic, allowingWildcards: false) } catch { throw map["topic"]!.error("\(error)") }
        return FlowEventSpec(
            at: try map["at"]?.duration() ?? .zero, topic: topic, data: try map["data"]?.json() ?? .null, line: node.line)
    }

    /// Names flows use resolve: the run's flow, agent steps, no flow or event without a use.
    static func validateFlows(
        _ flows: [FlowSpec], events: [FlowEventSpec], run: RunSpec, agents: Set<String>, root: YAMLMapping
    ) throws(ScenarioError) {
        var names: Set<String> = []
        for flow in flows where !names.insert(flow.name).inserted {
            throw ScenarioError(file: root.node.file, line: flow.line, field: "flows", message: "two flows are called \(flow.name)")
        }
        if let flow = run.flow, !names.contains(flow) {
            throw ScenarioError(
                file: root.node.file, line: run.line, field: "run.flow",
                message: "no flow called \(flow)" + suggestion(flow, among: names.sorted(), kind: "flows"))
        }
        for event in events where !flows.contains(where: { $0.triggers.contains { trigger in if case .topic(let pattern, _) = trigger { InMemoryBroker.topic(event.topic, matches: pattern) } else { false } } }) {
            throw ScenarioError(
                file: root.node.file, line: event.line, field: "events", message: "no flow is triggered by topic \(event.topic)")
        }
    }
}
