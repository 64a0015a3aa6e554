import Testing

/// Every test that needs PostgreSQL, nested here so they share one server (started once, stopped at the end).
/// Skipped, with the reason shown, when there is neither `MICRO_POSTGRES_URL` nor Debian's PostgreSQL binaries.
@Suite(.enabled(if: PostgresTestServer.isAvailable, PostgresTestServer.skipReason), .postgresServer, .timeLimit(.minutes(2)))
struct PostgresServerTests {}
