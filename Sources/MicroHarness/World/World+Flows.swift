import Micro
import MicroAgent

extension World {
    /// The scenario's flows for one "process" (fresh models, as a restarted process builds them), run by a
    /// ``FlowRunner`` beside `agents`.
    public func flowRunner(agents: AgentRunner) throws -> FlowRunner {
        try FlowRunner(agents: agents, flows: scenario.flows.map { try anyFlow($0) })
    }

    func anyFlow(_ spec: FlowSpec) throws -> AnyFlow {
        let steps = try spec.steps.map { try step($0, flow: spec) }
        let start: @Sendable (FlowEvent) throws -> JSONValue = { event in
            let encoded = try JSONValueEncoder().encode(event)
            return .object(["input": event.data, "event": encoded])
        }
        var output: (@Sendable (JSONValue) -> String?)?
        if let template = spec.output {
            output = { state in try? FlowTemplate.render(template, state) }
        }
        return AnyFlow(Flow<JSONValue>(
            name: spec.name, description: spec.description, triggers: spec.triggers, approval: spec.approval, start: start,
            steps: steps, output: output))
    }

    private func step(_ spec: FlowStepSpec, flow: FlowSpec) throws -> FlowStep<JSONValue> {
        let key = spec.into ?? spec.name
        let label = "\(flow.name).\(spec.name)"
        let injector = self.injector
        let faulty = scenario.faults.contains { $0.target == .step }
        /// A `step` fault of the plan fails the attempt before its action runs (remembered per attempt key).
        let fault: @Sendable (FlowStepContext) async throws -> Void = { context in
            guard faulty, let fired = await injector.fault(.step, agent: flow.name, text: label, identity: context.idempotencyKey)
            else { return }
            throw ServiceError(.unavailable, "injected step fault (\(fired.kind)) in \(label)")
        }
        let store: @Sendable (inout JSONValue, JSONValue) -> Void = { state, value in
            if case .object(var members) = state {
                members[key] = value
                state = .object(members)
            }
        }
        let action: FlowStep<JSONValue>.Action
        var apply: (@Sendable (inout JSONValue, String) -> Void)?
        switch spec.action {
        case .code(let name):
            guard case .step(let body)? = scenario.catalog.flowFunctions[name] else {
                throw ScenarioError(file: scenario.file, line: spec.line, field: "flows.\(flow.name).steps.\(spec.name).code",
                                    message: "no flow step function \(name) in the catalogue")
            }
            action = .code { state, context in
                try await fault(context)
                return try await body(&state, context)
            }
        case .call(let service, let endpoint, let request):
            let target = serviceNames(for: [service]).first ?? service
            action = .code { state, context in
                try await fault(context)
                let result = try await context.call(target, endpoint, request: try FlowTemplate.render(json: request, state))
                store(&state, result)
                return result.stringValue ?? result.canonicalString()
            }
        case .model(let model, let instructions, let prompt, let tools):
            action = .model(
                instructions: instructions, model: try self.model(model, name: label), tools: tools.map { .services(serviceNames(for: $0)) } ?? .all,
                prompt: { try FlowTemplate.render(prompt, $0) })
            apply = { state, output in store(&state, .string(output)) }
        case .agent(let name, let prompt):
            action = .agent(name, prompt: { try FlowTemplate.render(prompt, $0) })
            apply = { state, output in store(&state, .string(output)) }
        }
        let verifier = try spec.verify.map { check -> FlowVerifier<JSONValue> in
            switch check {
            case .function(let name):
                guard case .verifier(let grade)? = scenario.catalog.flowFunctions[name] else {
                    throw ScenarioError(file: scenario.file, line: spec.line, field: "flows.\(flow.name).steps.\(spec.name).verify",
                                        message: "no flow verifier function \(name) in the catalogue")
                }
                return FlowVerifier(.code(grade), attempts: spec.attempts)
            case .contains(let text):
                return FlowVerifier(.code { _, output in
                    output.contains(text) ? .pass : .reject("the output does not contain \"\(text)\"")
                }, attempts: spec.attempts)
            case .model(let model, let instructions):
                return FlowVerifier(.model(instructions: instructions, model: try self.model(model, name: "\(label).grader")), attempts: spec.attempts)
            }
        }
        let loop = try spec.loop.map { loop -> FlowLoop<JSONValue> in
            switch loop.until {
            case .function(let name):
                guard case .condition(let until)? = scenario.catalog.flowFunctions[name] else {
                    throw ScenarioError(file: scenario.file, line: spec.line, field: "flows.\(flow.name).steps.\(spec.name).loop",
                                        message: "no flow condition function \(name) in the catalogue")
                }
                return FlowLoop(max: loop.max, until: .code(until))
            case .contains(let text):
                return FlowLoop(max: loop.max, until: .code { _, output in output.contains(text) })
            case .model(let model, let instructions):
                return FlowLoop(max: loop.max, until: .model(instructions: instructions, model: try self.model(model, name: "\(label).judge")))
            }
        }
        return FlowStep(spec.name, action, apply: apply, retry: spec.retry, verifier: verifier, loop: loop)
    }

    /// A flow step's model, built as an agent's would be (scripted turns by turn, the plan's model faults for
    /// the agent `FLOW.STEP`, measured).
    private func model(_ spec: ModelSpec, name: String) throws -> any Model {
        let agent = AgentSpec(
            name: name, description: "", instructions: "", model: spec, tools: [], guardrails: Guardrails(), approval: .allowAll,
            memory: MemorySpec(), builtinTools: false, a2a: false, external: nil, line: spec.line)
        let faulty = scenario.faults.contains { $0.target == .model }
        return try ScenarioModels.model(
            for: agent, scenario: scenario, world: worldRuntime, injector: faulty ? injector : nil, meter: meter).model
    }
}
