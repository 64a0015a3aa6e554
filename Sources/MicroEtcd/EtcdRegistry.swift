import Micro
import MicroProviders
import Synchronization

/// A ``Registry`` on etcd 3.4 or later, through its v3 JSON gateway over an ``HTTPTransport`` (libcurl).
///
/// Layout: a version's metadata and endpoints at `<prefix><service>/<version>`, each node at
/// `<prefix><service>/<version>/<node>`, values canonical JSON. Several registries (processes) on one etcd
/// and prefix share one view, and each one's ``watch(service:)`` sees the others' changes.
///
/// **TTL**: a node registered with a TTL is put on an etcd lease of that many seconds (rounded up), renewed
/// with a keep-alive when the same registration comes again (``keepRegistered(_:ttl:every:)`` does so in a
/// loop), so etcd drops the nodes of a process that died. The node's value also records its expiry on the
/// injected ``Environment``'s clock, which is what the contract's TTL follows: every call first deletes
/// nodes expired by that clock (and their events go to every watcher).
///
/// **Watch**: one etcd watch stream per watcher, from the revision of a snapshot taken when it starts;
/// key changes become `created`/`updated`/`deleted` events by comparing service records. A dropped stream
/// is reopened with backoff from the last revision + 1 (after a compaction, a fresh snapshot is diffed), so
/// no change is lost or repeated. A write returns once this registry's connected watchers have its events.
///
/// **Errors** are ``RegistryError``s with the ``EtcdError`` as `underlying`: etcd unreachable at
/// ``connect(_:environment:transport:)`` → `unavailable` naming the URL; unreachable later → requests are
/// retried with backoff (``EtcdConfiguration/attempts``) and then `unavailable`; a malformed URL
/// `invalidURL`; rejected credentials `unauthenticated`; etcd older than 3.4 `versionMismatch`.
public final class EtcdRegistry: Registry {
    public let configuration: EtcdConfiguration
    let environment: Environment
    let client: EtcdClient
    let layout: EtcdKeyLayout
    let state = Mutex(EtcdRegistryState())

    init(configuration: EtcdConfiguration, environment: Environment, transport: any HTTPTransport) {
        self.configuration = configuration
        self.environment = environment
        self.client = EtcdClient(configuration: configuration, transport: transport)
        self.layout = EtcdKeyLayout(prefix: configuration.prefix)
    }

    /// Connects to etcd: checks it answers and is 3.4 or later, and signs in when the URL has credentials.
    /// `transport` defaults to a new ``CurlTransport``.
    public static func connect(
        _ configuration: EtcdConfiguration, environment: Environment = .live, transport: (any HTTPTransport)? = nil
    ) async throws -> EtcdRegistry {
        let registry = EtcdRegistry(configuration: configuration, environment: environment, transport: transport ?? CurlTransport())
        do {
            try await registry.client.start()
        } catch {
            throw RegistryError.etcd(error)
        }
        return registry
    }

    /// Parses `url` (a malformed one throws ``RegistryError/Code/invalidURL``) and connects.
    public static func connect(
        url: String, prefix: String = "/micro/registry/", environment: Environment = .live, transport: (any HTTPTransport)? = nil
    ) async throws -> EtcdRegistry {
        let configuration: EtcdConfiguration
        do {
            configuration = try EtcdConfiguration(url, prefix: prefix)
        } catch {
            throw RegistryError.etcd(error)
        }
        return try await connect(configuration, environment: environment, transport: transport)
    }

    // MARK: - Registry

    public func register(_ service: ServiceRecord, ttl: Duration?) async throws {
        try Self.validate(service)
        if let ttl, ttl <= .zero {
            throw RegistryError(.invalidArgument, "ttl must be positive, got \(ttl)", service: service.name)
        }
        do {
            let now = environment.now()
            _ = try await refreshed(at: now)
            var lease: Int64 = 0
            if let ttl { lease = try await self.lease(for: service, ttl: ttl) }
            let id = EtcdKeyLayout.VersionID(service: service.name, version: service.version)
            var version = service
            version.nodes = []
            var operations: [EtcdClient.Operation] = [.put(layout.versionKey(id), try EtcdServiceTable.encode(version), lease: 0)]
            for node in service.nodes {
                let entry = EtcdServiceTable.NodeEntry(node: node, expiresAt: ttl.map { now.advanced(by: $0) })
                operations.append(.put(layout.nodeKey(id, node: node.id), try EtcdServiceTable.encode(entry), lease: lease))
            }
            let result = try await client.transaction(operations)
            await synchronize(result.revision, [service.name])
        } catch {
            throw RegistryError.etcd(error, service: service.name)
        }
    }

    public func deregister(_ service: ServiceRecord) async throws {
        let id = EtcdKeyLayout.VersionID(service: service.name, version: service.version)
        let ids = Set(service.nodes.map(\.id))
        do {
            for _ in 0..<8 {
                let table = try await refreshed(at: environment.now())
                guard let stored = table.versions[id] else { return }
                let doomed = stored.nodes.keys.filter { ids.isEmpty || ids.contains($0) }.sorted()
                guard !doomed.isEmpty else { return }
                var expected = [layout.versionKey(id): stored.modRevision]
                var operations: [EtcdClient.Operation] = []
                for node in doomed {
                    expected[layout.nodeKey(id, node: node)] = stored.nodes[node]!.modRevision
                    operations.append(.delete(layout.nodeKey(id, node: node)))
                }
                if doomed.count == stored.nodes.count { operations.append(.delete(layout.versionKey(id))) }
                let result = try await client.transaction(expecting: expected, operations)
                guard result.succeeded else { continue }  // changed meanwhile: look again
                try await revokeLeases(of: id, nodes: Set(doomed))
                await synchronize(result.revision, [service.name])
                return
            }
            throw RegistryError(.unavailable, "deregister of \(service.name) kept racing with other writers", service: service.name)
        } catch {
            throw RegistryError.etcd(error, service: service.name)
        }
    }

    public func getService(_ name: String) async throws -> [ServiceRecord] {
        do {
            let now = environment.now()
            return try await refreshed(at: now).records(service: name, liveAt: now)
        } catch {
            throw RegistryError.etcd(error, service: name)
        }
    }

    public func listServices() async throws -> [ServiceRecord] {
        do {
            let now = environment.now()
            return try await refreshed(at: now).records(liveAt: now)
        } catch {
            throw RegistryError.etcd(error)
        }
    }

    /// Number of active watchers (for tests and diagnostics).
    public var watcherCount: Int { state.withLock { $0.watchers.count } }

    // MARK: - Internals

    /// Every record under the prefix, after deleting the nodes expired by `now` (and orphaned version keys).
    func refreshed(at now: Timestamp) async throws -> EtcdServiceTable {
        var table = EtcdServiceTable(layout: layout)
        for _ in 0..<4 {
            table = EtcdServiceTable(layout: layout, kvs: try await client.range(prefix: layout.prefix).kvs)
            let expired = table.expired(at: now)
            if expired.isEmpty { return table }
            let keys = expired.keys.sorted()
            let result = try await client.transaction(expecting: expired, keys.map { .delete($0) })
            guard result.succeeded else { continue }
            let services = Set(keys.compactMap { key -> String? in
                switch layout.parse(key) {
                case .version(let id)?, .node(let id, _)?: id.service
                case nil: nil
                }
            })
            for key in keys {
                table.apply(EtcdEvent(kind: .delete, kv: EtcdKeyValue(key: key, value: [], createRevision: 0, modRevision: result.revision)))
            }
            await synchronize(result.revision, services)
            return table
        }
        return table
    }

    /// The lease for this registration: the last one, renewed by a keep-alive, or a new one.
    private func lease(for service: ServiceRecord, ttl: Duration) async throws -> Int64 {
        let (seconds, attoseconds) = ttl.components
        let key = EtcdRegistryState.LeaseKey(
            service: service.name, version: service.version, nodes: service.nodes.map(\.id).sorted(),
            seconds: max(1, seconds + (attoseconds > 0 ? 1 : 0)))
        if let existing = state.withLock({ $0.leases[key] }), try await client.keepAlive(lease: existing) {
            return existing
        }
        let lease = try await client.grantLease(seconds: key.seconds)
        state.withLock { $0.leases[key] = lease }
        return lease
    }

    /// Revokes this registry's leases that only held nodes now deregistered.
    private func revokeLeases(of id: EtcdKeyLayout.VersionID, nodes: Set<String>) async throws {
        let doomed = state.withLock { state -> [Int64] in
            let keys = state.leases.keys.filter {
                $0.service == id.service && $0.version == id.version && Set($0.nodes).isSubset(of: nodes)
            }
            return keys.compactMap { state.leases.removeValue(forKey: $0) }
        }
        for lease in doomed { try await client.revoke(lease: lease) }
    }

    /// Returns once every connected watcher of this registry that sees `services` has delivered `revision`,
    /// or after ``EtcdConfiguration/requestTimeout`` (a watcher whose stream stalled without breaking must not
    /// hold writers for ever), or when the task is cancelled.
    func synchronize(_ revision: Int64, _ services: Set<String>) async {
        // The usual case (no watcher, or every one already past `revision`) takes no task group and no timer.
        guard let id = state.withLock({ $0.isSynchronized(revision, services) ? nil : $0.makeID() }) else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForWatchers(id, revision, services) }
            group.addTask { try? await Task.sleep(for: self.configuration.requestTimeout) }
            _ = await group.next()
            group.cancelAll()
        }
    }

    private func waitForWatchers(_ id: UInt64, _ revision: Int64, _ services: Set<String>) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let done = state.withLock { state -> Bool in
                    if state.abandoned.remove(id) != nil || state.isSynchronized(revision, services) { return true }
                    state.waiters[id] = .init(revision: revision, services: services, continuation: continuation)
                    return false
                }
                if done { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                guard let waiter = state.waiters.removeValue(forKey: id) else {
                    state.abandoned.insert(id)  // cancelled before it registered: it returns at once
                    return nil as EtcdRegistryState.Waiter?
                }
                return waiter
            }
            waiter?.continuation.resume()
        }
    }

    /// Updates watcher `id` and wakes the writers that no longer wait for anything.
    func updateWatcher(_ id: UInt64, _ change: (inout EtcdRegistryState.Watcher?) -> Void) {
        let ready = state.withLock { state in
            change(&state.watchers[id])
            return state.takeSatisfied()
        }
        for continuation in ready { continuation.resume() }
    }
}
