import Micro

/// The tools every agent has, handled by the run loop itself because they act on the run.
enum BuiltinTool: String, CaseIterable {
    case plan
    case delegate
    case requestInput = "request_input"

    struct PlanArguments: Codable, Sendable, SchemaDescribing {
        struct Step: Codable, Sendable, SchemaDescribing {
            var title: String
            var status: Plan.Status?
            static var fieldDescriptions: [String: String] {
                ["title": "What the step does.", "status": "pending (default), in_progress, done or skipped."]
            }
        }
        var steps: [Step]
        static var fieldDescriptions: [String: String] { ["steps": "The whole plan, in order; replaces the previous one."] }
    }

    struct DelegateArguments: Codable, Sendable, SchemaDescribing {
        var task: String
        var agent: String?
        var services: [String]?
        static var fieldDescriptions: [String: String] {
            [
                "task": "What the sub-agent must do, with every detail it needs; it does not see this conversation.",
                "agent": "Name of the agent to hand the task to. Omit it and give services for a fresh sub-agent.",
                "services": "For a fresh sub-agent: the services whose tools it may use.",
            ]
        }
    }

    struct RequestInputArguments: Codable, Sendable, SchemaDescribing {
        var prompt: String
        static var fieldDescriptions: [String: String] { ["prompt": "The question to put to the user."] }
    }

    private static let planSpec = ToolSpec(
        name: BuiltinTool.plan.rawValue,
        description: "Create or update your plan for this task: the full list of steps with their status. "
            + "The current plan is shown to you at every step.",
        inputSchema: schema(PlanArguments.self))

    private static let requestInputSpec = ToolSpec(
        name: BuiltinTool.requestInput.rawValue,
        description: "Ask the user a question and wait for the answer. The run pauses until it arrives.",
        inputSchema: schema(RequestInputArguments.self))

    /// The spec shown to the model; `delegates` lists the agents `delegate` can reach.
    func spec(delegates: [(name: String, description: String)]) -> ToolSpec {
        switch self {
        case .plan:
            return Self.planSpec
        case .delegate:
            let roster = delegates.isEmpty
                ? "No named agents are available; give services for a fresh sub-agent."
                : "Agents: " + delegates.map { "\($0.name) (\($0.description))" }.joined(separator: "; ") + "."
            return ToolSpec(
                name: rawValue,
                description: "Hand a self-contained task to a sub-agent and get its final answer. \(roster)",
                inputSchema: Self.schema(DelegateArguments.self))
        case .requestInput:
            return Self.requestInputSpec
        }
    }

    private static func schema<T: Decodable>(_ type: T.Type) -> JSONSchema {
        do {
            return try JSONSchema.derive(from: type)
        } catch {
            preconditionFailure("built-in tool schema for \(type) cannot be derived: \(error)")
        }
    }
}
