/// What a model is told about a tool: its name, what it does, and the JSON Schema of its arguments.
public struct ToolSpec: Sendable, Hashable {
    public let name: String
    public let description: String
    public let inputSchema: JSONSchema
    public let outputSchema: JSONSchema?
    /// ``jsonValue`` as canonical JSON text, computed once (token estimates read its size at every step).
    public let canonicalJSON: String

    public init(name: String, description: String, inputSchema: JSONSchema, outputSchema: JSONSchema? = nil) {
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
        self.outputSchema = outputSchema
        self.canonicalJSON = Self.json(name, description, inputSchema, outputSchema).canonicalString()
    }

    /// `{name, description, inputSchema, outputSchema?}`.
    public var jsonValue: JSONValue { Self.json(name, description, inputSchema, outputSchema) }

    private static func json(
        _ name: String, _ description: String, _ inputSchema: JSONSchema, _ outputSchema: JSONSchema?
    ) -> JSONValue {
        var object: [String: JSONValue] = [
            "name": .string(name), "description": .string(description), "inputSchema": inputSchema.jsonValue,
        ]
        if let outputSchema { object["outputSchema"] = outputSchema.jsonValue }
        return .object(object)
    }
}

/// The outcome of a tool call as a model sees it: JSON content, flagged when it reports an error.
public struct ToolResult: Sendable, Hashable, Codable {
    public var content: JSONValue
    public var isError: Bool

    public init(content: JSONValue, isError: Bool = false) {
        self.content = content
        self.isError = isError
    }

    /// An error result carrying `{"error": {code, message, details?}}`.
    public static func failure(_ error: ServiceError) -> ToolResult {
        ToolResult(content: ["error": error.jsonValue], isError: true)
    }
}

/// An AI-callable tool: a spec plus the code that runs it. Service endpoints become tools through
/// ``Toolset/services(registry:client:scope:)``; other tools are made with the initializers here.
public struct Tool: Sendable {
    public let spec: ToolSpec
    /// The service endpoint behind the tool, or nil for a free-standing tool.
    public let target: ToolTarget?
    let invoke: @Sendable (JSONValue, CallContext) async throws -> JSONValue

    public var name: String { spec.name }

    /// A tool running `handler` on JSON arguments that have been validated against `spec.inputSchema`.
    public init(
        spec: ToolSpec, target: ToolTarget? = nil,
        handler: @escaping @Sendable (JSONValue, CallContext) async throws -> JSONValue
    ) {
        self.spec = spec
        self.target = target
        self.invoke = handler
    }

    /// A tool whose argument schema is derived from `Request` and whose result is the encoded `Response`.
    public init<Request: Decodable & Sendable, Response: Codable & Sendable>(
        name: String, description: String,
        handler: @escaping @Sendable (Request, CallContext) async throws -> Response
    ) throws {
        guard ToolNaming.isValid(name) else {
            throw ServiceError(.invalidDefinition, "tool name \"\(name)\" must match ^[a-zA-Z0-9_-]{1,64}$")
        }
        let endpoint = Endpoint(name, description: description, handler: handler)
        self.init(
            spec: ToolSpec(
                name: name, description: description, inputSchema: try endpoint.requestSchema(),
                outputSchema: try endpoint.responseSchema()),
            handler: endpoint.invoke)
    }
}
