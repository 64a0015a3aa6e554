/// A key-value store for records, partitioned into namespaces (Go Micro's `store`).
///
/// Users normally work through a scoped handle, ``StoreNamespace``, obtained with
/// ``Store/namespace(_:)``; the requirements below take the namespace explicitly so a backend has one
/// implementation for all of them.
///
/// ## Contract every backend keeps
/// - **Namespaces** isolate completely: no read, list, delete or write in one namespace observes or touches
///   a key of another. Namespaces and keys are non-empty and contain no NUL character; anything else
///   throws ``StoreError/Code/invalidKey`` before any effect.
/// - **Keys** are compared as their UTF-8 bytes: listing is in ascending byte order, and canonically
///   equivalent but differently encoded strings (`"é"` vs `"e\u{301}"`) are different keys.
/// - **Writes** replace the whole record (value, metadata, expiry). ``write(_:in:)`` is atomic: every
///   record of the batch is written or none is (one transaction); if a key repeats, the last one wins.
/// - **Expiry**: a record whose `expiresAt` is at or before ``now()`` is invisible to every read, list,
///   ``compareAndSwap(_:expecting:in:)`` and ``delete(_:in:)`` (which then reports `false`). Backends may
///   keep expired rows until ``purgeExpired()`` or a later write removes them. ``now()`` comes from the
///   backend's injected ``Environment``, so expiry follows virtual time in tests.
/// - **Paging**: `limit` (nil = no limit, else ≥ 0) and `offset` (≥ 0) apply after expired records are
///   filtered out and after ordering by key; negative values throw ``StoreError/Code/invalidArgument``.
/// - **Concurrency**: every method may be called from many tasks at once; each call is linearizable
///   (a read never sees half a batch).
/// - **Errors** are ``StoreError``s; backend failures keep the original error in `underlying`.
public protocol Store: Sendable {
    /// The time this store judges expiry against (its environment's `now`).
    func now() -> Timestamp

    /// The live record at `key`, or nil.
    func read(_ key: String, in namespace: String) async throws -> StoreRecord?

    /// Live records whose key starts with `prefix` (all when empty), ordered by key, paged.
    func read(prefix: String, in namespace: String, limit: Int?, offset: Int) async throws -> [StoreRecord]

    /// Keys of the live records that start with `prefix` (all when empty), ordered, paged.
    func keys(prefix: String, in namespace: String, limit: Int?, offset: Int) async throws -> [String]

    /// Writes every record in one atomic transaction (a batch of one is a single write).
    func write(_ records: [StoreRecord], in namespace: String) async throws

    /// Writes `record` only if the live value at its key is `expected` — or, when `expected` is nil, only
    /// if there is no live record (write-if-absent). Returns whether it wrote. Atomic with respect to every
    /// other operation on the store.
    func compareAndSwap(_ record: StoreRecord, expecting expected: [UInt8]?, in namespace: String) async throws -> Bool

    /// Deletes `key`; returns whether a live record was there.
    func delete(_ key: String, in namespace: String) async throws -> Bool

    /// Removes every expired record in every namespace; returns how many were removed.
    @discardableResult
    func purgeExpired() async throws -> Int
}

extension Store {
    /// A handle on one namespace of this store (`"default"` when not given).
    public func namespace(_ name: String = StoreNamespace.defaultName) -> StoreNamespace {
        StoreNamespace(store: self, name: name)
    }

    /// Writes one record.
    public func write(_ record: StoreRecord, in namespace: String) async throws {
        try await write([record], in: namespace)
    }

    /// Throws ``StoreError/Code/invalidKey`` unless `namespace` is non-empty and free of NUL.
    public static func validate(namespace: String) throws {
        if namespace.isEmpty || namespace.utf8.contains(0) {
            throw StoreError(.invalidKey, "invalid namespace: must be non-empty without NUL", namespace: namespace)
        }
    }

    /// Throws ``StoreError/Code/invalidKey`` unless `namespace` and `key` are non-empty and free of NUL.
    public static func validate(key: String, namespace: String) throws {
        try validate(namespace: namespace)
        if key.isEmpty || key.utf8.contains(0) {
            throw StoreError(.invalidKey, "invalid key: must be non-empty without NUL", key: key, namespace: namespace)
        }
    }

    /// Validates `namespace`, and throws ``StoreError/Code/invalidArgument`` for a negative `limit` or `offset`.
    public static func validate(limit: Int?, offset: Int, namespace: String) throws {
        try validate(namespace: namespace)
        if let limit, limit < 0 {
            throw StoreError(.invalidArgument, "limit must be ≥ 0, got \(limit)", namespace: namespace)
        }
        if offset < 0 {
            throw StoreError(.invalidArgument, "offset must be ≥ 0, got \(offset)", namespace: namespace)
        }
    }
}
