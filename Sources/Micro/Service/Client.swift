/// Calls service endpoints by name: resolves the service in the ``Registry``, picks a node that one of its
/// transports can reach, and enforces the call's deadline (``CallContext/timeLimit``): a call still in flight
/// when it passes is cancelled and fails with ``ServiceError/Code/deadlineExceeded``.
///
/// Node selection is deterministic: the first registered version that has a reachable node, and within it
/// the first reachable node, so simulated runs replay identically.
public struct Client: Sendable {
    public let registry: any Registry
    public let transports: [any ServiceTransport]

    public init(registry: any Registry, transports: [any ServiceTransport]) {
        self.registry = registry
        self.transports = transports
    }

    /// Calls `endpoint` of `service` with a JSON request.
    public func call(
        _ service: String, _ endpoint: String, request: JSONValue, context: CallContext
    ) async throws -> JSONValue {
        do {
            let registry = registry, transports = transports
            return try await withDeadline(context.timeLimit(naming: "\(service).\(endpoint)"), environment: context.environment) {
                try await Self.call(service, endpoint, request: request, context: context, registry: registry, transports: transports)
            }
        } catch let exceeded as DeadlineExceeded {
            throw ServiceError(.deadlineExceeded, exceeded.description, details: ["deadline": exceeded.jsonValue])
        }
    }

    private static func call(
        _ service: String, _ endpoint: String, request: JSONValue, context: CallContext, registry: any Registry,
        transports: [any ServiceTransport]
    ) async throws -> JSONValue {
        let records = try await registry.getService(service)
        guard !records.isEmpty else {
            throw ServiceError(.notFound, "service \(service) is not registered")
        }
        for record in records {
            for node in record.nodes {
                guard let transport = transports.first(where: { $0.canReach(node) }) else { continue }
                return try await transport.call(
                    node: node, service: service, endpoint: endpoint, request: request, context: context)
            }
        }
        let nodes = records.flatMap(\.nodes).map(\.address)
        throw ServiceError(
            .unavailable, "no transport reaches a node of service \(service) (nodes: \(nodes.joined(separator: ", ")))")
    }

    /// Calls `endpoint` of `service` with a typed request and decodes the typed response.
    public func call<Request: Encodable, Response: Decodable>(
        _ service: String, _ endpoint: String, request: Request, as response: Response.Type = Response.self,
        context: CallContext
    ) async throws -> Response {
        let json = try await call(service, endpoint, request: JSONValueEncoder().encode(request), context: context)
        do {
            return try JSONValueDecoder().decode(Response.self, from: json)
        } catch let error as DecodingError {
            throw ServiceError(
                .handlerFailed, "response of \(service).\(endpoint) does not decode as \(Response.self): \(error.summary)")
        }
    }
}
