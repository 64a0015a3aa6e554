/// One side effect a service performed (a charge, a booking, an email), recorded with the idempotency key
/// of the call that caused it.
public struct SideEffect: Codable, Sendable, Hashable {
    /// The idempotency key of the call that performed the effect.
    public var key: String
    /// What kind of effect it is, e.g. `payments.charge`.
    public var kind: String
    public var payload: JSONValue
    /// 1 for the first effect under `key`; higher numbers are duplicates.
    public var occurrence: Int
    /// Position in the ledger, increasing in the order effects were recorded.
    public var sequence: Int
    public var at: Timestamp
}

/// An append-only record of side effects in a ``Store``: the evidence that each effect happened exactly once.
///
/// Idempotent services call ``perform(key:kind:payload:at:)``, which records an effect only the first time a
/// key is seen and otherwise returns the recorded one. ``append(key:kind:payload:at:)`` records
/// unconditionally (what a non-idempotent service does), so ``duplicates()`` exposes any effect repeated
/// by a retry or a resume. Both are safe under concurrent callers and across processes sharing the store.
public struct SideEffectLedger: Sendable {
    public static let defaultNamespace = "micro.ledger"
    public let store: any Store
    public let namespace: String

    public init(store: any Store, namespace: String = SideEffectLedger.defaultNamespace) {
        self.store = store
        self.namespace = namespace
    }

    /// Records the effect under `key` unless one is already recorded; returns the recorded effect and
    /// whether this call recorded it.
    @discardableResult
    public func perform(key: String, kind: String, payload: JSONValue, at: Timestamp) async throws -> SideEffect {
        if let existing = try await effect(key: key, occurrence: 1) { return existing }
        let candidate = SideEffect(
            key: key, kind: kind, payload: payload, occurrence: 1, sequence: try await nextSequence(), at: at)
        if try await store.compareAndSwap(record(candidate), expecting: nil, in: namespace) { return candidate }
        guard let winner = try await effect(key: key, occurrence: 1) else {
            throw StoreError(.conflict, "ledger entry for \(key) vanished while recording it", key: key, namespace: namespace)
        }
        return winner
    }

    /// Records the effect even if `key` was seen before (as a further occurrence).
    @discardableResult
    public func append(key: String, kind: String, payload: JSONValue, at: Timestamp) async throws -> SideEffect {
        let sequence = try await nextSequence()
        var occurrence = 1
        while true {
            let effect = SideEffect(
                key: key, kind: kind, payload: payload, occurrence: occurrence, sequence: sequence, at: at)
            if try await store.compareAndSwap(record(effect), expecting: nil, in: namespace) { return effect }
            occurrence += 1
        }
    }

    /// Every recorded effect in the order it was recorded.
    public func entries() async throws -> [SideEffect] {
        try await store.read(prefix: "effect/", in: namespace, limit: nil, offset: 0)
            .map { try decode($0) }
            .sorted { $0.sequence < $1.sequence }
    }

    /// Keys whose effect was recorded more than once, with how many times.
    public func duplicates() async throws -> [String: Int] {
        let counts = try await entries().reduce(into: [String: Int]()) { $0[$1.key, default: 0] += 1 }
        return counts.filter { $0.value > 1 }
    }

    private func effect(key: String, occurrence: Int) async throws -> SideEffect? {
        try await store.read(storageKey(key, occurrence), in: namespace).map(decode)
    }

    private func nextSequence() async throws -> Int {
        while true {
            let current = try await store.read("sequence", in: namespace)
            let value = current.flatMap { Int(String(decoding: $0.value, as: UTF8.self)) } ?? 0
            let next = StoreRecord(key: "sequence", value: Array(String(value + 1).utf8))
            if try await store.compareAndSwap(next, expecting: current?.value, in: namespace) { return value + 1 }
        }
    }

    private func storageKey(_ key: String, _ occurrence: Int) -> String {
        let number = String(occurrence)
        return "effect/\(key)#" + String(repeating: "0", count: max(0, 6 - number.count)) + number
    }

    private func record(_ effect: SideEffect) throws -> StoreRecord {
        StoreRecord(
            key: storageKey(effect.key, effect.occurrence),
            value: try JSONValueEncoder().encode(effect).canonicalBytes())
    }

    private func decode(_ record: StoreRecord) throws -> SideEffect {
        do {
            return try JSONValueDecoder().decode(SideEffect.self, from: JSONValue(parsing: record.value))
        } catch {
            throw StoreError(
                .corrupted, "ledger entry \(record.key) is not a valid side effect: \(error)", key: record.key,
                namespace: namespace, underlying: error)
        }
    }
}
