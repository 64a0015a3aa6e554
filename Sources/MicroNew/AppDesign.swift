import Micro

/// The structured design of an agent service that `micro new` generates: its typed services, its agents and
/// the scenarios worth testing. The model submits it as the arguments of the `design_submit` tool, so it is
/// validated against the JSON Schema derived from these types before anything is written; ``validate()``
/// then checks what a schema cannot say (names that are Swift identifiers, references that resolve).
public struct AppDesign: Codable, Sendable, Hashable, SchemaDescribing {
    /// One sentence: what the service does.
    public var summary: String
    public var services: [ServiceDesign]
    public var agents: [AgentDesign]
    public var scenarios: [ScenarioDesign]

    public init(summary: String, services: [ServiceDesign], agents: [AgentDesign], scenarios: [ScenarioDesign]) {
        self.summary = summary
        self.services = services
        self.agents = agents
        self.scenarios = scenarios
    }

    public static var schemaDescription: String? { "The design of an agent service: typed services, agents, scenarios." }
    public static var fieldDescriptions: [String: String] {
        [
            "summary": "One sentence: what the generated service does.",
            "services": "Typed services; each endpoint becomes a tool named SERVICE_ENDPOINT.",
            "agents": "Agents with instructions and the services they may call.",
            "scenarios": "Scripted scenarios worth testing: an agent calls one endpoint and answers.",
        ]
    }
}

/// A service: a group of typed endpoints.
public struct ServiceDesign: Codable, Sendable, Hashable, SchemaDescribing {
    public var name: String
    public var description: String
    public var endpoints: [EndpointDesign]

    public init(name: String, description: String, endpoints: [EndpointDesign]) {
        self.name = name
        self.description = description
        self.endpoints = endpoints
    }

    public static var fieldDescriptions: [String: String] {
        ["name": "lower_snake_case, e.g. notes.", "description": "What the service is for."]
    }
}

/// One endpoint with its typed request and response fields.
public struct EndpointDesign: Codable, Sendable, Hashable, SchemaDescribing {
    public var name: String
    public var description: String
    public var request: [FieldDesign]
    public var response: [FieldDesign]

    public init(name: String, description: String, request: [FieldDesign], response: [FieldDesign]) {
        self.name = name
        self.description = description
        self.request = request
        self.response = response
    }

    public static var fieldDescriptions: [String: String] {
        ["name": "lower_snake_case, e.g. add.", "request": "Fields of the request (all required).", "response": "Fields of the response."]
    }
}

/// A field of a request or response.
public struct FieldDesign: Codable, Sendable, Hashable, SchemaDescribing {
    public var name: String
    public var type: FieldType
    public var description: String

    public init(name: String, type: FieldType, description: String) {
        self.name = name
        self.type = type
        self.description = description
    }

    public static var fieldDescriptions: [String: String] { ["name": "lowerCamelCase, e.g. dueDate."] }
}

/// The Swift type of a field.
public enum FieldType: String, Codable, Sendable, Hashable, CaseIterable {
    case string, integer, number, boolean

    /// The Swift type it becomes.
    public var swiftType: String {
        switch self {
        case .string: "String"
        case .integer: "Int"
        case .number: "Double"
        case .boolean: "Bool"
        }
    }
}

/// An agent of the generated package.
public struct AgentDesign: Codable, Sendable, Hashable, SchemaDescribing {
    public var name: String
    public var description: String
    public var instructions: String
    /// Names of the services it may call.
    public var tools: [String]

    public init(name: String, description: String, instructions: String, tools: [String]) {
        self.name = name
        self.description = description
        self.instructions = instructions
        self.tools = tools
    }

    public static var fieldDescriptions: [String: String] {
        ["name": "lower_snake_case.", "tools": "Names of the services the agent may call."]
    }
}

/// A scripted scenario: the agent calls one endpoint with these arguments, the result must contain
/// `resultContains`, and the agent answers `answer`.
public struct ScenarioDesign: Codable, Sendable, Hashable, SchemaDescribing {
    public var name: String
    public var description: String
    public var agent: String
    public var prompt: String
    public var call: ScenarioCall
    public var resultContains: String
    public var answer: String

    public init(
        name: String, description: String, agent: String, prompt: String, call: ScenarioCall, resultContains: String, answer: String
    ) {
        self.name = name
        self.description = description
        self.agent = agent
        self.prompt = prompt
        self.call = call
        self.resultContains = resultContains
        self.answer = answer
    }

    public static var fieldDescriptions: [String: String] {
        [
            "name": "lower-kebab-case; the scenario file's name.",
            "resultContains": "Text the endpoint's JSON result must contain, which proves the endpoint's logic.",
            "answer": "The agent's final answer.",
        ]
    }
}

/// The endpoint a scenario calls and its arguments.
public struct ScenarioCall: Codable, Sendable, Hashable, SchemaDescribing {
    public var service: String
    public var endpoint: String
    public var arguments: [ScenarioArgument]

    public init(service: String, endpoint: String, arguments: [ScenarioArgument]) {
        self.service = service
        self.endpoint = endpoint
        self.arguments = arguments
    }
}

/// One argument, written as text and read as its field's type (`3`, `2.5`, `true`, `milk`).
public struct ScenarioArgument: Codable, Sendable, Hashable, SchemaDescribing {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
