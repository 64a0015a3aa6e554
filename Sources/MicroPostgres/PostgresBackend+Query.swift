import PostgresNIO

extension PostgresBackend {
    /// Runs one statement (atomic on its own: autocommit) and decodes every row as `types`.
    func rows<each Column: PostgresDecodable & Sendable>(
        _ query: PostgresQuery, as types: (repeat each Column).Type = (repeat each Column).self
    ) async throws -> [(repeat each Column)] {
        var rows: [(repeat each Column)] = []
        for try await row in try await client.query(query, logger: logger).decode((repeat each Column).self) {
            rows.append(row)
        }
        return rows
    }

    /// Runs one statement and returns how many rows it returned.
    func count(_ query: PostgresQuery) async throws -> Int {
        var count = 0
        for try await _ in try await client.query(query, logger: logger) { count += 1 }
        return count
    }
}

extension PostgresBackend {
    /// The schema versions applied to this database, in order (from `micro_schema_migrations`).
    public func schemaVersions() async throws -> [Int] {
        try await rows("SELECT version FROM micro_schema_migrations ORDER BY version", as: Int.self)
    }
}
