import Micro

/// The registry's records as rebuilt from etcd keys, and the ``RegistryEvent``s a batch of key changes makes.
///
/// A version is visible while it has at least one node. Versions keep the order their version key was
/// created in (etcd's `create_revision`), nodes the order their key was created in: the order of first
/// registration, like the in-memory registry.
struct EtcdServiceTable: Sendable {
    /// What a node key holds: the node and, when registered with a TTL, when it expires on the registry's clock.
    struct NodeEntry: Codable, Sendable, Hashable {
        var node: NodeRecord
        var expiresAt: Timestamp?
    }

    struct StoredNode: Sendable, Hashable {
        var entry: NodeEntry
        var createRevision: Int64
        var modRevision: Int64
    }

    struct StoredVersion: Sendable, Hashable {
        /// Metadata and endpoints (no nodes), from the version key.
        var service: ServiceRecord?
        var createRevision: Int64 = .max
        var modRevision: Int64 = 0
        var nodes: [String: StoredNode] = [:]
    }

    let layout: EtcdKeyLayout
    private(set) var versions: [EtcdKeyLayout.VersionID: StoredVersion] = [:]

    init(layout: EtcdKeyLayout) { self.layout = layout }

    init(layout: EtcdKeyLayout, kvs: [EtcdKeyValue]) {
        self.init(layout: layout)
        for kv in kvs { apply(EtcdEvent(kind: .put, kv: kv)) }
    }

    /// Applies one key change (keys outside the layout or with undecodable values are ignored).
    mutating func apply(_ event: EtcdEvent) {
        guard let key = layout.parse(event.kv.key) else { return }
        switch (key, event.kind) {
        case (.version(let id), .put):
            guard var record = try? Self.decode(ServiceRecord.self, event.kv.value) else { return }
            record.name = id.service
            record.version = id.version
            record.nodes = []
            var stored = versions[id] ?? StoredVersion()
            stored.service = record
            stored.createRevision = event.kv.createRevision
            stored.modRevision = event.kv.modRevision
            versions[id] = stored
        case (.version(let id), .delete):
            guard var stored = versions[id] else { return }
            stored.service = nil
            stored.createRevision = .max
            stored.modRevision = 0
            versions[id] = stored.nodes.isEmpty ? nil : stored
        case (.node(let id, let node), .put):
            guard let entry = try? Self.decode(NodeEntry.self, event.kv.value) else { return }
            var stored = versions[id] ?? StoredVersion()
            var renamed = entry
            renamed.node.id = node
            stored.nodes[node] = StoredNode(entry: renamed, createRevision: event.kv.createRevision, modRevision: event.kv.modRevision)
            versions[id] = stored
        case (.node(let id, let node), .delete):
            guard var stored = versions[id] else { return }
            stored.nodes[node] = nil
            versions[id] = stored.nodes.isEmpty && stored.service == nil ? nil : stored
        }
    }

    /// The version as the registry reports it, or nil when it has no node (left `now`, when given).
    func record(_ id: EtcdKeyLayout.VersionID, liveAt now: Timestamp? = nil) -> ServiceRecord? {
        guard let stored = versions[id] else { return nil }
        let nodes = stored.nodes.values
            .filter { node in
                guard let now, let expiresAt = node.entry.expiresAt else { return true }
                return expiresAt > now
            }
            .sorted { ($0.createRevision, $0.entry.node.id) < ($1.createRevision, $1.entry.node.id) }
        guard !nodes.isEmpty else { return nil }
        var record = stored.service ?? ServiceRecord(name: id.service, version: id.version)
        record.nodes = nodes.map(\.entry.node)
        return record
    }

    /// Every visible version (of `service`, or all), by service name, then in order of first registration.
    func records(service: String? = nil, liveAt now: Timestamp? = nil) -> [ServiceRecord] {
        versions.keys
            .filter { service == nil || $0.service == service }
            .sorted { a, b in
                if a.service != b.service { return a.service < b.service }
                let ra = versions[a]!.createRevision, rb = versions[b]!.createRevision
                return ra != rb ? ra < rb : a.version < b.version
            }
            .compactMap { record($0, liveAt: now) }
    }

    /// Keys to delete because their node expired by `now`, with their mod revisions (for a guarded delete).
    func expired(at now: Timestamp) -> [String: Int64] {
        var keys: [String: Int64] = [:]
        for (id, stored) in versions {
            let dead = stored.nodes.filter { $0.value.entry.expiresAt.map { $0 <= now } ?? false }
            guard !dead.isEmpty else { continue }
            for (node, value) in dead { keys[layout.nodeKey(id, node: node)] = value.modRevision }
            if dead.count == stored.nodes.count, stored.service != nil { keys[layout.versionKey(id)] = stored.modRevision }
        }
        return keys
    }

    /// Applies `events` (one revision's worth or more) and returns the registry events they make, in the
    /// order their versions were first touched.
    mutating func applyBatch(_ events: [EtcdEvent], at now: Timestamp) -> [RegistryEvent] {
        var touched: [EtcdKeyLayout.VersionID] = []
        var before: [EtcdKeyLayout.VersionID: ServiceRecord?] = [:]
        for event in events {
            guard let key = layout.parse(event.kv.key) else { continue }
            let id: EtcdKeyLayout.VersionID = switch key {
            case .version(let id), .node(let id, _): id
            }
            if before[id] == nil {
                before[id] = .some(record(id))
                touched.append(id)
            }
            apply(event)
        }
        return touched.compactMap { id in Self.change(from: before[id]!, to: record(id), at: now) }
    }

    /// The events that turn `self` into `other` (after a resynchronisation), by service and version.
    func changes(to other: EtcdServiceTable, at now: Timestamp) -> [RegistryEvent] {
        Set(versions.keys).union(other.versions.keys).sorted()
            .compactMap { Self.change(from: record($0), to: other.record($0), at: now) }
    }

    static func change(from old: ServiceRecord?, to new: ServiceRecord?, at now: Timestamp) -> RegistryEvent? {
        switch (old, new) {
        case (nil, let new?): RegistryEvent(kind: .created, service: new, timestamp: now)
        case (let old?, nil): RegistryEvent(kind: .deleted, service: old, timestamp: now)
        case (let old?, let new?) where old != new: RegistryEvent(kind: .updated, service: new, timestamp: now)
        default: nil
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
        try JSONValueDecoder().decode(type, from: try JSONValue(parsing: bytes))
    }

    static func encode(_ value: some Encodable) throws -> [UInt8] {
        try JSONValueEncoder().encode(value).canonicalBytes()
    }
}
