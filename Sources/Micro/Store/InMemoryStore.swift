import Synchronization

/// A ``Store`` held in memory, for tests and single-process use. Keeps the full ``Store`` contract;
/// expired records are dropped when a read meets them or by ``purgeExpired()``.
public final class InMemoryStore: Store {
    /// Keys are held as UTF-8 bytes so that equality and ordering are bytewise, as the contract requires.
    private typealias Namespace = [[UInt8]: StoreRecord]

    private let environment: Environment
    private let namespaces = Mutex<[String: Namespace]>([:])

    public init(environment: Environment = .live) {
        self.environment = environment
    }

    public func now() -> Timestamp { environment.now() }

    public func read(_ key: String, in namespace: String) async throws -> StoreRecord? {
        try Self.validate(key: key, namespace: namespace)
        let now = now()
        return namespaces.withLock { namespaces -> StoreRecord? in
            let bytes = Array(key.utf8)
            guard let record = namespaces[namespace]?[bytes] else { return nil }
            if record.isLive(at: now) { return record }
            namespaces[namespace]?[bytes] = nil
            return nil
        }
    }

    public func read(prefix: String, in namespace: String, limit: Int?, offset: Int) async throws -> [StoreRecord] {
        try Self.validate(limit: limit, offset: offset, namespace: namespace)
        return matching(prefix: prefix, in: namespace, limit: limit, offset: offset).map(\.record)
    }

    public func keys(prefix: String, in namespace: String, limit: Int?, offset: Int) async throws -> [String] {
        try Self.validate(limit: limit, offset: offset, namespace: namespace)
        return matching(prefix: prefix, in: namespace, limit: limit, offset: offset).map(\.record.key)
    }

    public func write(_ records: [StoreRecord], in namespace: String) async throws {
        for record in records { try Self.validate(key: record.key, namespace: namespace) }
        namespaces.withLock { namespaces in
            for record in records { namespaces[namespace, default: [:]][Array(record.key.utf8)] = record }
        }
    }

    public func compareAndSwap(_ record: StoreRecord, expecting expected: [UInt8]?, in namespace: String) async throws -> Bool {
        try Self.validate(key: record.key, namespace: namespace)
        let now = now()
        return namespaces.withLock { namespaces -> Bool in
            let bytes = Array(record.key.utf8)
            let current = namespaces[namespace]?[bytes].flatMap { $0.isLive(at: now) ? $0.value : nil }
            guard current == expected else { return false }
            namespaces[namespace, default: [:]][bytes] = record
            return true
        }
    }

    public func delete(_ key: String, in namespace: String) async throws -> Bool {
        try Self.validate(key: key, namespace: namespace)
        let now = now()
        return namespaces.withLock { namespaces -> Bool in
            guard let removed = namespaces[namespace]?.removeValue(forKey: Array(key.utf8)) else { return false }
            return removed.isLive(at: now)
        }
    }

    @discardableResult
    public func purgeExpired() async throws -> Int {
        let now = now()
        return namespaces.withLock { namespaces -> Int in
            var removed = 0
            for (name, records) in namespaces {
                let live = records.filter { $0.value.isLive(at: now) }
                removed += records.count - live.count
                namespaces[name] = live.isEmpty ? nil : live
            }
            return removed
        }
    }

    /// Live records under `prefix`, in byte order of their keys, paged.
    private func matching(prefix: String, in namespace: String, limit: Int?, offset: Int) -> [(key: [UInt8], record: StoreRecord)] {
        let now = now()
        let prefixBytes = Array(prefix.utf8)
        let found = namespaces.withLock { namespaces in
            (namespaces[namespace] ?? [:]).filter { $0.key.starts(with: prefixBytes) && $0.value.isLive(at: now) }
        }
        let sorted = found.map { (key: $0.key, record: $0.value) }.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        return Array(sorted.dropFirst(offset).prefix(limit ?? Int.max))
    }
}
