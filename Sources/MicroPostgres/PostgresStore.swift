import Foundation
import Micro
import PostgresNIO

/// A ``Store`` in a PostgreSQL table, shared by every process that opens the same database.
///
/// Records live in `micro_store(namespace, key, value BYTEA, metadata, expires_at)`, keyed by
/// `(namespace, key)` in `COLLATE "C"` (UTF-8 byte order, as the contract requires). Prefix reads are range
/// scans of that key (`key >= prefix AND key < successor(prefix)`, never `LIKE`). Every call is one
/// statement (atomic in autocommit) except a batch write, which is one transaction. `compareAndSwap` is one
/// conditional `UPDATE`, or an `INSERT … ON CONFLICT DO UPDATE … WHERE expired` for write-if-absent, so
/// concurrent writers across processes are linearized by PostgreSQL's row locks.
///
/// Metadata is canonical JSON in a TEXT column rather than JSONB: JSONB rejects `\u0000` in strings, which
/// metadata may hold, and nothing queries it. Expiry is milliseconds since 1970 judged against the injected
/// ``Environment``'s `now`, so tests run on virtual time.
///
/// Calls lost to a dropped connection are retried per the backend's ``PostgresRetryPolicy``; a
/// `compareAndSwap` whose first attempt committed but whose answer was lost reports `true` when the
/// record it wrote is there on the retry. Failures are `StoreError`s: ``StoreError/Code/unavailable`` for
/// a server that stays away (retryable), ``StoreError/Code/busy`` for a lost serialization race.
public struct PostgresStore: Store {
    public let backend: PostgresBackend
    private let environment: Environment

    /// A store on `backend`'s database, judging expiry by `environment`'s clock.
    public init(backend: PostgresBackend, environment: Environment = .live) {
        self.backend = backend
        self.environment = environment
    }

    public func now() -> Timestamp { environment.now() }

    public func read(_ key: String, in namespace: String) async throws -> StoreRecord? {
        try Self.validate(key: key, namespace: namespace)
        let now = now().millisecondsSinceEpoch
        return try await run(key: key, namespace: namespace) { _ in
            try await backend.rows(
                "SELECT key, value, metadata, expires_at FROM micro_store WHERE namespace = \(namespace) AND key = \(key) AND (expires_at IS NULL OR expires_at > \(now))",
                as: (String, ByteBuffer, String, Int64?).self
            ).first.map(Self.record)
        }
    }

    public func read(prefix: String, in namespace: String, limit: Int?, offset: Int) async throws -> [StoreRecord] {
        try Self.validate(limit: limit, offset: offset, namespace: namespace)
        let query = Self.range("key, value, metadata, expires_at", prefix, namespace, limit, offset, now())
        return try await run(key: nil, namespace: namespace) { _ in
            try await backend.rows(query, as: (String, ByteBuffer, String, Int64?).self).map(Self.record)
        }
    }

    public func keys(prefix: String, in namespace: String, limit: Int?, offset: Int) async throws -> [String] {
        try Self.validate(limit: limit, offset: offset, namespace: namespace)
        let query = Self.range("key", prefix, namespace, limit, offset, now())
        return try await run(key: nil, namespace: namespace) { _ in try await backend.rows(query, as: String.self) }
    }

    public func write(_ records: [StoreRecord], in namespace: String) async throws {
        for record in records { try Self.validate(key: record.key, namespace: namespace) }
        // The last record of a repeated key wins; one upsert per key (ON CONFLICT cannot touch a row twice).
        var latest: [String: Int] = [:]
        for (index, record) in records.enumerated() { latest[record.key] = index }
        let upserts = try records.enumerated().filter { latest[$0.element.key] == $0.offset }
            .map { try Self.upsert($0.element, namespace: namespace) }
        if upserts.isEmpty { return }
        try await run(key: records.count == 1 ? records[0].key : nil, namespace: namespace) { _ in
            if upserts.count == 1 {
                try await backend.execute(upserts[0])
            } else {
                try await backend.transaction(upserts)
            }
        }
    }

    public func compareAndSwap(_ record: StoreRecord, expecting expected: [UInt8]?, in namespace: String) async throws -> Bool {
        try Self.validate(key: record.key, namespace: namespace)
        let now = now().millisecondsSinceEpoch
        let metadata = try Self.metadataJSON(record.metadata, key: record.key, namespace: namespace)
        let value = ByteBuffer(bytes: record.value)
        let expiresAt = record.expiresAt?.millisecondsSinceEpoch
        let query: PostgresQuery
        if let expected {
            query = """
                UPDATE micro_store SET value = \(value), metadata = \(metadata), expires_at = \(expiresAt)
                WHERE namespace = \(namespace) AND key = \(record.key) AND value = \(ByteBuffer(bytes: expected))
                    AND (expires_at IS NULL OR expires_at > \(now))
                RETURNING 1
                """
        } else {
            query = """
                INSERT INTO micro_store (namespace, key, value, metadata, expires_at)
                VALUES (\(namespace), \(record.key), \(value), \(metadata), \(expiresAt))
                ON CONFLICT (namespace, key) DO UPDATE
                SET value = excluded.value, metadata = excluded.metadata, expires_at = excluded.expires_at
                WHERE micro_store.expires_at IS NOT NULL AND micro_store.expires_at <= \(now)
                RETURNING 1
                """
        }
        return try await run(key: record.key, namespace: namespace) { attempt in
            if try await backend.count(query) == 1 { return true }
            // A retry after a lost answer: the first attempt may have committed this very record.
            guard attempt > 0 else { return false }
            let current = try await read(record.key, in: namespace)
            return current?.value == record.value && current?.metadata == record.metadata
                && current?.expiresAt == record.expiresAt
        }
    }

    public func delete(_ key: String, in namespace: String) async throws -> Bool {
        try Self.validate(key: key, namespace: namespace)
        let now = now().millisecondsSinceEpoch
        return try await run(key: key, namespace: namespace) { _ in
            let removed = try await backend.rows(
                "DELETE FROM micro_store WHERE namespace = \(namespace) AND key = \(key) RETURNING expires_at",
                as: Int64?.self)
            guard let expiresAt = removed.first else { return false }
            return expiresAt.map { $0 > now } ?? true
        }
    }

    @discardableResult
    public func purgeExpired() async throws -> Int {
        let now = now().millisecondsSinceEpoch
        return try await run(key: nil, namespace: nil) { _ in
            try await backend.count("DELETE FROM micro_store WHERE expires_at <= \(now) RETURNING 1")
        }
    }

    // MARK: Statements

    /// A prefix scan: a range on the primary key, live rows, ordered, paged.
    static func range(
        _ columns: String, _ prefix: String, _ namespace: String, _ limit: Int?, _ offset: Int, _ now: Timestamp
    ) -> PostgresQuery {
        var bindings = PostgresBindings()
        bindings.append(namespace)
        var sql = "SELECT \(columns) FROM micro_store WHERE namespace = $1"
        if !prefix.isEmpty {
            bindings.append(prefix)
            sql += " AND key >= $\(bindings.count)"
            if let upper = successor(ofPrefix: prefix) {
                bindings.append(upper)
                sql += " AND key < $\(bindings.count)"
            }
        }
        bindings.append(now.millisecondsSinceEpoch)
        sql += " AND (expires_at IS NULL OR expires_at > $\(bindings.count)) ORDER BY key"
        if let limit {
            bindings.append(limit)
            sql += " LIMIT $\(bindings.count)"
        }
        bindings.append(offset)
        sql += " OFFSET $\(bindings.count)"
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    /// The least string greater than every string that starts with `prefix`, in UTF-8 byte order (which is
    /// Unicode scalar order): the last scalar incremented (skipping surrogates), dropping trailing U+10FFFF.
    /// Nil when `prefix` is all U+10FFFF (no upper bound).
    static func successor(ofPrefix prefix: String) -> String? {
        var scalars = Array(prefix.unicodeScalars)
        while let last = scalars.popLast() {
            let next = last.value == 0xD7FF ? 0xE000 : last.value + 1
            if let scalar = Unicode.Scalar(next) {
                var view = String.UnicodeScalarView()
                view.append(contentsOf: scalars)
                view.append(scalar)
                return String(view)
            }
        }
        return nil
    }

    private static func upsert(_ record: StoreRecord, namespace: String) throws -> PostgresQuery {
        let metadata = try metadataJSON(record.metadata, key: record.key, namespace: namespace)
        return """
            INSERT INTO micro_store (namespace, key, value, metadata, expires_at)
            VALUES (\(namespace), \(record.key), \(ByteBuffer(bytes: record.value)), \(metadata), \(record.expiresAt?.millisecondsSinceEpoch))
            ON CONFLICT (namespace, key) DO UPDATE
            SET value = excluded.value, metadata = excluded.metadata, expires_at = excluded.expires_at
            """
    }

    private static func metadataJSON(_ metadata: [String: String], key: String, namespace: String) throws -> String {
        if metadata.isEmpty { return "{}" }
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(metadata), as: UTF8.self)
        } catch {
            throw StoreError(.encodingFailed, "cannot encode metadata", key: key, namespace: namespace, underlying: error)
        }
    }

    private static func record(_ row: (String, ByteBuffer, String, Int64?)) -> StoreRecord {
        let (key, value, metadataText, expiresAt) = row
        let metadata = metadataText == "{}" ? [:]
            : (try? JSONDecoder().decode([String: String].self, from: Data(metadataText.utf8))) ?? [:]
        return StoreRecord(
            key: key, value: Array(value.readableBytesView), metadata: metadata,
            expiresAt: expiresAt.map { Timestamp(millisecondsSinceEpoch: $0) })
    }

    // MARK: Errors

    /// Runs `body` under the retry policy, turning what escapes into a ``StoreError``.
    private func run<T>(key: String?, namespace: String?, _ body: (Int) async throws -> T) async throws -> T {
        do {
            return try await backend.retryPolicy.run(body)
        } catch let error as StoreError {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch {
            let code: StoreError.Code =
                switch PostgresErrors.sqlState(error) {
                case "40001", "40P01": .busy
                case _ where PostgresErrors.isRetryable(error): .unavailable
                default: .backend
                }
            throw StoreError(
                code, "PostgreSQL at \(backend.configuration): \(PostgresErrors.summary(error))", key: key,
                namespace: namespace, underlying: error)
        }
    }
}
