/// A named, versioned group of endpoints: the unit that is registered, discovered and called.
///
/// ```swift
/// let weather = Service("weather", description: "Forecasts by city") {
///     Endpoint("forecast", description: "Daily forecast") { (r: ForecastRequest, _) in try forecast(r) }
/// }
/// ```
public struct Service: Sendable {
    /// Unique service name: letters, digits, `.`, `_` and `-` (for example `travel.hotels`).
    public let name: String
    public let version: String
    public let description: String
    public let metadata: [String: String]
    public let endpoints: [Endpoint]

    public init(
        _ name: String,
        version: String = "1.0.0",
        description: String = "",
        metadata: [String: String] = [:],
        @EndpointBuilder endpoints: () -> [Endpoint]
    ) {
        self.name = name
        self.version = version
        self.description = description
        self.metadata = metadata
        self.endpoints = endpoints()
    }

    /// A service with the endpoints given as a list (for services built at run time).
    public init(
        _ name: String, version: String = "1.0.0", description: String = "", metadata: [String: String] = [:],
        endpoints: [Endpoint]
    ) {
        self.init(name, version: version, description: description, metadata: metadata) { endpoints }
    }

    /// This service with every endpoint's handler wrapped by `wrapper`, which also gets the endpoint's name.
    public func wrapped(
        by wrapper: @escaping @Sendable (
            _ endpoint: String, _ request: JSONValue, _ context: CallContext,
            _ next: @Sendable (JSONValue, CallContext) async throws -> JSONValue
        ) async throws -> JSONValue
    ) -> Service {
        Service(
            name, version: version, description: description, metadata: metadata,
            endpoints: endpoints.map { endpoint in
                let name = endpoint.name
                return endpoint.wrapped { request, context, next in try await wrapper(name, request, context, next) }
            })
    }

    /// The endpoint called `name`, if any.
    public func endpoint(_ name: String) -> Endpoint? { endpoints.first { $0.name == name } }

    /// Checks names and derives every schema; the registry record for this service served by `node`.
    public func record(node: NodeRecord) throws -> ServiceRecord {
        try Self.validate(name: name, what: "service name")
        var seen = Set<String>()
        let endpointRecords = try endpoints.map { endpoint -> EndpointRecord in
            try Self.validate(name: endpoint.name, what: "endpoint name in service \(name)")
            guard seen.insert(endpoint.name).inserted else {
                throw ServiceError(.invalidDefinition, "service \(name) defines endpoint \(endpoint.name) twice")
            }
            do {
                return EndpointRecord(
                    name: endpoint.name,
                    description: endpoint.description,
                    requestSchema: try endpoint.requestSchema().jsonValue,
                    responseSchema: try endpoint.responseSchema().jsonValue
                )
            } catch {
                throw ServiceError(
                    .invalidDefinition, "schema of \(name).\(endpoint.name) cannot be derived: \(error)")
            }
        }
        return ServiceRecord(
            name: name, version: version,
            metadata: description.isEmpty ? metadata : metadata.merging(["description": description]) { own, _ in own },
            endpoints: endpointRecords, nodes: [node])
    }

    static func validate(name: String, what: String) throws {
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
        guard !name.isEmpty, name.utf8.count <= 128, allowed else {
            throw ServiceError(
                .invalidDefinition,
                "\(what) \"\(name)\" is invalid: use 1 to 128 letters, digits, '.', '_' or '-'")
        }
    }
}
