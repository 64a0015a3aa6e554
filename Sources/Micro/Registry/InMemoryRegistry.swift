import Synchronization

/// A ``Registry`` within one process, for tests and embedded use.
///
/// Expiry runs on the injected ``Environment``'s `now`: expired nodes are removed (and their events sent)
/// at the start of the next call, or by ``purgeExpired()``. Events are sent under the registry's lock, so
/// every watcher sees changes in the order they happened.
public final class InMemoryRegistry: Registry {
    private struct Node {
        var record: NodeRecord
        var expiresAt: Timestamp?
    }

    private struct Version {
        var service: ServiceRecord
        var nodes: [Node]

        var record: ServiceRecord {
            var record = service
            record.nodes = nodes.map(\.record)
            return record
        }
    }

    private struct Watcher {
        var service: String?
        var continuation: RegistryWatcher.Continuation
    }

    private struct State {
        /// Versions in order of first registration.
        var services: [String: [Version]] = [:]
        var watchers: [UInt64: Watcher] = [:]
        var nextWatcherID: UInt64 = 0

        mutating func send(_ kind: RegistryEvent.Kind, _ service: ServiceRecord, at now: Timestamp) {
            let event = RegistryEvent(kind: kind, service: service, timestamp: now)
            for id in watchers.keys.sorted() {
                let watcher = watchers[id]!
                if watcher.service == nil || watcher.service == service.name { watcher.continuation.yield(event) }
            }
        }

        /// Removes expired nodes and versions left without nodes, sending their events.
        mutating func expire(at now: Timestamp) {
            for name in services.keys.sorted() {
                var versions = services[name]!
                var index = 0
                while index < versions.count {
                    let before = versions[index]
                    versions[index].nodes.removeAll { node in node.expiresAt.map { $0 <= now } ?? false }
                    if versions[index].nodes.isEmpty {
                        versions.remove(at: index)
                        send(.deleted, before.record, at: now)
                        continue
                    }
                    if versions[index].nodes.count != before.nodes.count { send(.updated, versions[index].record, at: now) }
                    index += 1
                }
                services[name] = versions.isEmpty ? nil : versions
            }
        }
    }

    private let environment: Environment
    private let state = Mutex(State())

    public init(environment: Environment = .live) {
        self.environment = environment
    }

    public func register(_ service: ServiceRecord, ttl: Duration?) async throws {
        try Self.validate(service)
        if let ttl, ttl <= .zero {
            throw RegistryError(.invalidArgument, "ttl must be positive, got \(ttl)", service: service.name)
        }
        let now = environment.now()
        let expiresAt = ttl.map { now.advanced(by: $0) }
        state.withLock { state in
            state.expire(at: now)
            var versions = state.services[service.name] ?? []
            let incoming = service.nodes.map { Node(record: $0, expiresAt: expiresAt) }
            if let index = versions.firstIndex(where: { $0.service.version == service.version }) {
                let before = versions[index].record
                versions[index].service = service
                for node in incoming {
                    if let existing = versions[index].nodes.firstIndex(where: { $0.record.id == node.record.id }) {
                        versions[index].nodes[existing] = node
                    } else {
                        versions[index].nodes.append(node)
                    }
                }
                state.services[service.name] = versions
                if versions[index].record != before { state.send(.updated, versions[index].record, at: now) }
            } else {
                let version = Version(service: service, nodes: incoming)
                versions.append(version)
                state.services[service.name] = versions
                state.send(.created, version.record, at: now)
            }
        }
    }

    public func deregister(_ service: ServiceRecord) async throws {
        let now = environment.now()
        state.withLock { state in
            state.expire(at: now)
            guard var versions = state.services[service.name],
                  let index = versions.firstIndex(where: { $0.service.version == service.version })
            else { return }
            let before = versions[index]
            let ids = Set(service.nodes.map(\.id))
            versions[index].nodes.removeAll { ids.isEmpty || ids.contains($0.record.id) }
            if versions[index].nodes.isEmpty {
                versions.remove(at: index)
                state.services[service.name] = versions.isEmpty ? nil : versions
                state.send(.deleted, before.record, at: now)
            } else if versions[index].nodes.count != before.nodes.count {
                state.services[service.name] = versions
                state.send(.updated, versions[index].record, at: now)
            }
        }
    }

    public func getService(_ name: String) async throws -> [ServiceRecord] {
        let now = environment.now()
        return state.withLock { state in
            state.expire(at: now)
            return (state.services[name] ?? []).map(\.record)
        }
    }

    public func listServices() async throws -> [ServiceRecord] {
        let now = environment.now()
        return state.withLock { state in
            state.expire(at: now)
            return state.services.keys.sorted().flatMap { state.services[$0]!.map(\.record) }
        }
    }

    public func watch(service: String?) async throws -> RegistryWatcher {
        let now = environment.now()
        let id = state.withLock { state -> UInt64 in
            state.expire(at: now)
            state.nextWatcherID += 1
            return state.nextWatcherID
        }
        let (watcher, continuation) = RegistryWatcher.make(service: service) { [weak self] in
            self?.state.withLock { _ = $0.watchers.removeValue(forKey: id) }
        }
        state.withLock { $0.watchers[id] = Watcher(service: service, continuation: continuation) }
        return watcher
    }

    /// Removes expired nodes now, sending their events.
    public func purgeExpired() {
        let now = environment.now()
        state.withLock { $0.expire(at: now) }
    }

    /// Number of active watchers (for tests and diagnostics).
    public var watcherCount: Int { state.withLock { $0.watchers.count } }
}
