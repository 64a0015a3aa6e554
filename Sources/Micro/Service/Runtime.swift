/// One process's view of the system: environment, Registry, Broker, Store, the in-process transport and a
/// Client over them. ``inMemory(environment:)`` gives the embedded defaults; swap any part for another
/// backend (a SQLite store, a remote registry) by passing it in.
public struct Runtime: Sendable {
    public var environment: Environment
    public var registry: any Registry
    public var broker: any Broker
    public var store: any Store
    public let local: LocalTransport
    /// Identifies this process as a node in the registry.
    public let nodeID: String

    public init(
        environment: Environment, registry: any Registry, broker: any Broker, store: any Store,
        local: LocalTransport = LocalTransport(), nodeID: String? = nil
    ) {
        self.environment = environment
        self.registry = registry
        self.broker = broker
        self.store = store
        self.local = local
        self.nodeID = nodeID ?? environment.ids.next("node")
    }

    /// In-memory registry, broker and store.
    public static func inMemory(environment: Environment = .live) -> Runtime {
        Runtime(
            environment: environment, registry: InMemoryRegistry(environment: environment),
            broker: InMemoryBroker(), store: InMemoryStore(environment: environment))
    }

    /// A client that reaches the services of this process.
    public var client: Client { Client(registry: registry, transports: [local]) }

    /// This process as a registry node.
    public var node: NodeRecord { NodeRecord(id: nodeID, address: LocalTransport.address(of: nodeID)) }

    /// Validates `service`, derives its schemas, serves it on this node and registers it.
    @discardableResult
    public func serve(_ service: Service) async throws -> ServiceRecord {
        let record = try service.record(node: node)
        local.attach(service, to: nodeID)
        do {
            try await registry.register(record, ttl: nil)
        } catch {
            local.detach(service.name, from: nodeID)
            throw error
        }
        return record
    }

    /// Serves every service in `services`, in order.
    public func serve(_ services: [Service]) async throws {
        for service in services { try await serve(service) }
    }

    /// Deregisters `service` from this node and stops serving it.
    public func stop(_ service: Service) async throws {
        try await registry.deregister(try service.record(node: node))
        local.detach(service.name, from: nodeID)
    }

    /// The tools of the registered services in `scope`.
    public func toolset(scope: ToolScope = .all) async throws -> Toolset {
        try await Toolset.services(registry: registry, client: client, scope: scope)
    }
}
