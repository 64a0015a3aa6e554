/// Service discovery (Go Micro's `registry`): which services exist, in which versions, on which nodes.
///
/// ## Contract every backend keeps
/// - A service is identified by `name` + `version`. ``register(_:ttl:)`` merges: the record's nodes are
///   added to those already registered for that name and version (a node with the same `id` is replaced),
///   and the version's `metadata` and `endpoints` become the record's. A record needs a non-empty name and
///   at least one node, each with a non-empty, unique `id`; otherwise ``RegistryError/Code/invalidRecord``.
/// - ``deregister(_:)`` removes the record's nodes (all nodes of the version when the record lists none);
///   a version with no node left disappears. Deregistering what is not registered does nothing.
/// - **TTL**: a node registered with a `ttl` is invisible once `ttl` has passed on the backend's clock
///   (its injected ``Environment``) unless registered again, which renews it; `nil` never expires.
/// - ``getService(_:)`` returns every live version of a service (empty when there is none);
///   ``listServices()`` every live version of every service, by name. Versions and nodes keep a stable,
///   deterministic order (the in-memory registry: order of first registration).
/// - ``watch(service:)`` yields a ``RegistryEvent`` for each change seen after it returned, in the order
///   the changes happened: `created` (a version appears), `updated` (its nodes, metadata or endpoints
///   change; TTL renewals alone are not changes), `deleted` (its last node is gone, by deregistration or
///   expiry). Watchers are unbounded buffers; ``RegistryWatcher/cancel()`` or cancelling the iterating
///   task stops them.
public protocol Registry: Sendable {
    /// Registers (merges) `service`'s nodes, expiring after `ttl` when given.
    func register(_ service: ServiceRecord, ttl: Duration?) async throws

    /// Removes `service`'s nodes (every node of its version when it lists none).
    func deregister(_ service: ServiceRecord) async throws

    /// Every live version of the service called `name`; empty when it is not registered.
    func getService(_ name: String) async throws -> [ServiceRecord]

    /// Every live version of every service, ordered by name.
    func listServices() async throws -> [ServiceRecord]

    /// Changes from now on, for the service called `service` or for all when nil.
    func watch(service: String?) async throws -> RegistryWatcher
}

extension Registry {
    /// Registers `service` without expiry.
    public func register(_ service: ServiceRecord) async throws {
        try await register(service, ttl: nil)
    }

    /// Changes to every service from now on.
    public func watch() async throws -> RegistryWatcher {
        try await watch(service: nil)
    }

    /// Every live version of `name`; throws ``RegistryError/Code/notFound`` when there is none.
    public func requireService(_ name: String) async throws -> [ServiceRecord] {
        let found = try await getService(name)
        if found.isEmpty { throw RegistryError(.notFound, "service \(name) is not registered", service: name) }
        return found
    }

    /// Throws ``RegistryError/Code/invalidRecord`` unless `service` can be registered.
    public static func validate(_ service: ServiceRecord) throws {
        func fail(_ why: String) -> RegistryError {
            RegistryError(.invalidRecord, "cannot register \(service.name.debugDescription): \(why)", service: service.name)
        }
        if service.name.isEmpty { throw fail("empty name") }
        if service.nodes.isEmpty { throw fail("no nodes") }
        var ids = Set<String>()
        for node in service.nodes {
            if node.id.isEmpty { throw fail("a node has an empty id") }
            if !ids.insert(node.id).inserted { throw fail("node \(node.id) is listed twice") }
        }
    }
}
