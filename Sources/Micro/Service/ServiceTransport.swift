import Synchronization

/// Carries a call to the node that serves a service. The in-process ``LocalTransport`` is the embedded
/// default; network transports (HTTP, NATS) implement the same protocol and claim their address schemes.
public protocol ServiceTransport: Sendable {
    /// Whether this transport can deliver to `node` (usually decided by the address scheme).
    func canReach(_ node: NodeRecord) -> Bool

    /// Calls `endpoint` of `service` on `node` with a JSON request and returns the JSON response.
    /// Handler failures are thrown as ``ServiceError``.
    func call(
        node: NodeRecord, service: String, endpoint: String, request: JSONValue, context: CallContext
    ) async throws -> JSONValue
}

/// Delivers calls to services hosted in this process. Node addresses are `local://<node id>`.
public final class LocalTransport: ServiceTransport {
    private let nodes = Mutex<[String: [String: Service]]>([:])

    public init() {}

    /// The address under which `nodeID` is reachable through this transport.
    public static func address(of nodeID: String) -> String { "local://\(nodeID)" }

    /// Makes `service` callable on `nodeID`, replacing a service of the same name there.
    public func attach(_ service: Service, to nodeID: String) {
        nodes.withLock { $0[nodeID, default: [:]][service.name] = service }
    }

    /// Stops serving the service called `name` on `nodeID`.
    public func detach(_ name: String, from nodeID: String) {
        nodes.withLock { nodes in
            nodes[nodeID]?[name] = nil
            if nodes[nodeID]?.isEmpty == true { nodes[nodeID] = nil }
        }
    }

    public func canReach(_ node: NodeRecord) -> Bool {
        node.address.hasPrefix("local://") && nodes.withLock { $0[node.id] != nil }
    }

    public func call(
        node: NodeRecord, service: String, endpoint: String, request: JSONValue, context: CallContext
    ) async throws -> JSONValue {
        guard let served = nodes.withLock({ $0[node.id]?[service] }) else {
            throw ServiceError(.unavailable, "service \(service) is not served on node \(node.id)")
        }
        guard let handler = served.endpoint(endpoint) else {
            throw ServiceError(
                .notFound,
                "service \(service) has no endpoint \(endpoint) (it has: \(served.endpoints.map(\.name).joined(separator: ", ")))")
        }
        do {
            return try await handler.invoke(request, context)
        } catch let error as ServiceError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw ServiceError(.handlerFailed, "\(service).\(endpoint) failed: \(error)")
        }
    }
}
