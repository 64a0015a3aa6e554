import Micro

/// A ``Flow`` with its state erased to JSON: what a ``FlowRunner`` runs. The typed state is decoded before
/// each step and encoded after it, so what is checkpointed is exactly the state's `Codable` form.
public struct AnyFlow: Sendable {
    public let name: String
    public let description: String
    public let triggers: [FlowTrigger]
    public let approval: ToolApproval
    let start: @Sendable (FlowEvent) throws -> JSONValue
    let steps: [Step]
    let output: @Sendable (JSONValue) throws -> String?

    /// The stage names, in order.
    public var stages: [String] { steps.map(\.name) }

    struct Step: Sendable {
        enum Action: Sendable {
            case code(@Sendable (inout JSONValue, FlowStepContext) async throws -> String)
            case model(instructions: String, model: any Model, tools: ToolScope, prompt: @Sendable (JSONValue) throws -> String)
            case agent(String, prompt: @Sendable (JSONValue) throws -> String)
        }
        enum Grader: Sendable {
            case code(@Sendable (JSONValue, String) throws -> FlowVerdict)
            case model(instructions: String, model: any Model)
        }
        enum Until: Sendable {
            case code(@Sendable (JSONValue, String) throws -> Bool)
            case model(instructions: String, model: any Model)
        }
        var name: String
        var action: Action
        var apply: (@Sendable (inout JSONValue, String) throws -> Void)?
        var retry: RetryPolicy
        var verifier: (grader: Grader, attempts: Int)?
        var loop: (max: Int, until: Until)?
    }

    public init<State>(_ flow: Flow<State>) {
        name = flow.name
        description = flow.description
        triggers = flow.triggers
        approval = flow.approval
        let start = flow.start
        self.start = { event in try JSONValueEncoder().encode(start(event)) }
        let output = flow.output
        self.output = { json in try output.flatMap { try $0(Self.decode(json)) } }
        steps = flow.steps.map { step in
            let action: Step.Action
            switch step.action {
            case .code(let body):
                action = .code { json, context in
                    var state: State = try Self.decode(json)
                    let output = try await body(&state, context)
                    json = try JSONValueEncoder().encode(state)
                    return output
                }
            case .model(let instructions, let model, let tools, let prompt):
                action = .model(instructions: instructions, model: model, tools: tools, prompt: { try prompt(Self.decode($0)) })
            case .agent(let name, let prompt):
                action = .agent(name, prompt: { try prompt(Self.decode($0)) })
            }
            let apply = step.apply.map { apply in
                { @Sendable (json: inout JSONValue, output: String) throws in
                    var state: State = try Self.decode(json)
                    apply(&state, output)
                    json = try JSONValueEncoder().encode(state)
                }
            }
            let verifier = step.verifier.map { verifier -> (grader: Step.Grader, attempts: Int) in
                switch verifier.grader {
                case .code(let grade): (.code { json, output in grade(try Self.decode(json), output) }, verifier.attempts)
                case .model(let instructions, let model): (.model(instructions: instructions, model: model), verifier.attempts)
                }
            }
            let loop = step.loop.map { loop -> (max: Int, until: Step.Until) in
                switch loop.until {
                case .code(let until): (loop.max, .code { json, output in until(try Self.decode(json), output) })
                case .model(let instructions, let model): (loop.max, .model(instructions: instructions, model: model))
                }
            }
            return Step(name: step.name, action: action, apply: apply, retry: step.retry, verifier: verifier, loop: loop)
        }
    }

    static func decode<State: Decodable>(_ json: JSONValue) throws -> State {
        if State.self == JSONValue.self { return json as! State }
        return try JSONValueDecoder().decode(State.self, from: json)
    }

    /// Whether `topic` (no wildcards) is one this flow's topic triggers subscribe to.
    public func isTriggered(by topic: String) -> Bool {
        triggers.contains { trigger in
            guard case .topic(let pattern, _) = trigger else { return false }
            return InMemoryBroker.topic(topic, matches: pattern)
        }
    }
}
