import Foundation

/// A lightweight handle on one namespace of a ``Store``: the store's operations without the namespace
/// argument, plus TTL and `Codable` conveniences. Namespaces never see each other's keys.
///
/// ```swift
/// let bookings = store.namespace("travel.bookings")
/// try await bookings.write("b-1", booking, ttl: .seconds(3600))
/// let again = try await bookings.read("b-1", as: Booking.self)
/// ```
public struct StoreNamespace: Sendable {
    /// The namespace used when none is named.
    public static let defaultName = "default"

    public let store: any Store
    public let name: String

    public init(store: any Store, name: String = StoreNamespace.defaultName) {
        self.store = store
        self.name = name
    }

    /// The live record at `key`, or nil.
    public func read(_ key: String) async throws -> StoreRecord? {
        try await store.read(key, in: name)
    }

    /// Live records whose key starts with `prefix`, ordered by key, paged.
    public func read(prefix: String, limit: Int? = nil, offset: Int = 0) async throws -> [StoreRecord] {
        try await store.read(prefix: prefix, in: name, limit: limit, offset: offset)
    }

    /// Keys of live records starting with `prefix`, ordered, paged.
    public func keys(prefix: String = "", limit: Int? = nil, offset: Int = 0) async throws -> [String] {
        try await store.keys(prefix: prefix, in: name, limit: limit, offset: offset)
    }

    /// Writes one record.
    public func write(_ record: StoreRecord) async throws {
        try await store.write([record], in: name)
    }

    /// Writes all `records` atomically.
    public func write(_ records: [StoreRecord]) async throws {
        try await store.write(records, in: name)
    }

    /// Writes the raw `bytes` at `key`, expiring `ttl` after the store's ``Store/now()`` when given.
    public func write(_ key: String, bytes: [UInt8], metadata: [String: String] = [:], ttl: Duration? = nil) async throws {
        try await write(StoreRecord(key: key, value: bytes, metadata: metadata, expiresAt: expiry(ttl)))
    }

    /// Writes only if the live value at the record's key is `expected` (nil: only if absent). Returns whether it wrote.
    public func compareAndSwap(_ record: StoreRecord, expecting expected: [UInt8]?) async throws -> Bool {
        try await store.compareAndSwap(record, expecting: expected, in: name)
    }

    /// Writes only if no live record has the key (for idempotency ledgers). Returns whether it wrote.
    public func writeIfAbsent(_ record: StoreRecord) async throws -> Bool {
        try await store.compareAndSwap(record, expecting: nil, in: name)
    }

    /// Deletes `key`; returns whether a live record was there.
    @discardableResult
    public func delete(_ key: String) async throws -> Bool {
        try await store.delete(key, in: name)
    }

    // MARK: Codable values as canonical JSON

    /// Writes `value` encoded as canonical JSON (sorted keys, unescaped slashes), expiring `ttl` after
    /// ``Store/now()`` when given. (For raw bytes use `write(_:bytes:…)`: here `[UInt8]` is a JSON array.)
    public func write<T: Encodable>(
        _ key: String, _ value: T, metadata: [String: String] = [:], ttl: Duration? = nil
    ) async throws {
        let bytes: [UInt8]
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            bytes = Array(try encoder.encode(value))
        } catch {
            throw StoreError(.encodingFailed, "cannot encode \(T.self) as JSON", key: key, namespace: name, underlying: error)
        }
        try await write(key, bytes: bytes, metadata: metadata, ttl: ttl)
    }

    /// The live value at `key` decoded from JSON as `type`, or nil when there is none.
    public func read<T: Decodable>(_ key: String, as type: T.Type) async throws -> T? {
        guard let record = try await read(key) else { return nil }
        do {
            return try JSONDecoder().decode(T.self, from: Data(record.value))
        } catch {
            throw StoreError(.decodingFailed, "cannot decode the value as \(T.self)", key: key, namespace: name, underlying: error)
        }
    }

    private func expiry(_ ttl: Duration?) -> Timestamp? {
        ttl.map { store.now().advanced(by: $0) }
    }
}
