/// One typed operation of a service. Its request and response schemas are derived from the Swift types,
/// so the endpoint becomes an AI-callable tool with no hand-written schema.
///
/// ```swift
/// Endpoint("search", description: "Search flights between two airports") {
///     (request: FlightSearch, context: CallContext) async throws -> FlightResults in ...
/// }
/// ```
public struct Endpoint: Sendable {
    /// The endpoint's name within its service (letters, digits, `_`, `-`, `.`).
    public let name: String
    /// What the endpoint does, written for a model deciding whether to call it.
    public let description: String
    /// Schemas of the request and response types, or why they could not be derived.
    let schemas: Result<(request: JSONSchema, response: JSONSchema), SchemaDerivationError>
    /// Decodes the JSON request, runs the handler and encodes its response.
    let invoke: @Sendable (JSONValue, CallContext) async throws -> JSONValue

    public init<Request: Decodable & Sendable, Response: Codable & Sendable>(
        _ name: String,
        description: String,
        request: Request.Type = Request.self,
        response: Response.Type = Response.self,
        handler: @escaping @Sendable (Request, CallContext) async throws -> Response
    ) {
        self.name = name
        self.description = description
        self.schemas = Result { () throws(SchemaDerivationError) in
            (try JSONSchema.derive(from: Request.self), try JSONSchema.derive(from: Response.self))
        }
        self.invoke = { arguments, context in
            let request: Request
            do {
                request = try JSONValueDecoder().decode(Request.self, from: arguments)
            } catch let error as DecodingError {
                throw ServiceError(.invalidArguments, "request does not decode as \(Request.self): \(error.summary)")
            }
            let response = try await handler(request, context)
            return try JSONValueEncoder().encode(response)
        }
    }

    /// An endpoint on JSON values whose schemas are given rather than derived: fixtures, proxies and other
    /// services defined at run time. Requests are validated against `requestSchema` by the ``Toolset``.
    public init(
        _ name: String, description: String, requestSchema: JSONSchema, responseSchema: JSONSchema,
        handler: @escaping @Sendable (JSONValue, CallContext) async throws -> JSONValue
    ) {
        self.name = name
        self.description = description
        self.schemas = .success((requestSchema, responseSchema))
        self.invoke = handler
    }

    private init(_ endpoint: Endpoint, invoke: @escaping @Sendable (JSONValue, CallContext) async throws -> JSONValue) {
        name = endpoint.name
        description = endpoint.description
        schemas = endpoint.schemas
        self.invoke = invoke
    }

    /// This endpoint with `wrapper` around its handler (Go Micro's handler wrappers): the wrapper gets the
    /// request, the context and the handler to call next, and may change, delay, fail or skip the call.
    public func wrapped(
        by wrapper: @escaping @Sendable (
            _ request: JSONValue, _ context: CallContext,
            _ next: @Sendable (JSONValue, CallContext) async throws -> JSONValue
        ) async throws -> JSONValue
    ) -> Endpoint {
        let invoke = self.invoke
        return Endpoint(self) { request, context in try await wrapper(request, context, invoke) }
    }

    /// The request schema; throws if it could not be derived.
    public func requestSchema() throws -> JSONSchema { try schemas.get().request }

    /// The response schema; throws if it could not be derived.
    public func responseSchema() throws -> JSONSchema { try schemas.get().response }
}

/// Builds the endpoint list of a ``Service``.
@resultBuilder
public enum EndpointBuilder {
    public static func buildExpression(_ endpoint: Endpoint) -> [Endpoint] { [endpoint] }
    public static func buildExpression(_ endpoints: [Endpoint]) -> [Endpoint] { endpoints }
    public static func buildBlock(_ parts: [Endpoint]...) -> [Endpoint] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [Endpoint]?) -> [Endpoint] { part ?? [] }
    public static func buildEither(first part: [Endpoint]) -> [Endpoint] { part }
    public static func buildEither(second part: [Endpoint]) -> [Endpoint] { part }
    public static func buildArray(_ parts: [[Endpoint]]) -> [Endpoint] { parts.flatMap { $0 } }
}

extension DecodingError {
    /// A one-line account of what failed and at which coding path.
    public var summary: String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.reduce("$") { partial, key in
                if let index = key.intValue { "\(partial)[\(index)]" } else { "\(partial).\(key.stringValue)" }
            }
        }
        switch self {
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(type): \(context.debugDescription)"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): missing \(type) value: \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): missing required key: \(context.debugDescription)"
        case .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return String(describing: self)
        }
    }
}
