import Micro

/// Where a PostgreSQL database is and how to log in, parsed from a URL:
/// `postgres://user[:password]@host[:port]/database[?sslmode=disable|prefer|require]`
/// (`postgresql://` too; percent-encoded user, password and database; IPv6 hosts in brackets).
///
/// ``description`` and every error name the server without the password.
public struct PostgresConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// Whether the connection uses TLS (libpq's `sslmode` values that apply without certificates).
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS if the server offers it, else plain TCP (libpq's default).
        case prefer
        /// TLS, or fail.
        case require
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    public init(host: String, port: Int = 5432, user: String, password: String? = nil, database: String, tls: TLSMode = .prefer) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.tls = tls
    }

    /// Parses `url` (with ``EngineURL``); throws ``PostgresError/Code/invalidURL`` saying what is wrong (never
    /// echoing a password).
    public init(url: String) throws(PostgresError) {
        func invalid(_ reason: String) -> PostgresError {
            PostgresError(.invalidURL, "invalid PostgreSQL URL \(EngineURL.redacted(url).debugDescription): \(reason)")
        }
        let parsed: EngineURL
        do {
            parsed = try EngineURL(url)
        } catch {
            throw invalid(url.contains("://") ? error.reason : "expected postgres://user@host/database")
        }
        guard parsed.scheme == "postgres" || parsed.scheme == "postgresql" else {
            throw invalid("scheme must be postgres or postgresql, not \(parsed.scheme.debugDescription)")
        }
        guard parsed.path.hasPrefix("/") else { throw invalid("no database (expected …/database)") }
        let database = String(parsed.path.dropFirst())
        guard !database.isEmpty, !database.contains("/") else { throw invalid("no database name, or a malformed one, after the host") }
        guard let user = parsed.user else { throw invalid("no user (expected user@host)") }
        guard !user.isEmpty else { throw invalid("empty or malformed user name") }
        var tls = TLSMode.prefer
        for item in parsed.query {
            guard item.name == "sslmode" else {
                throw invalid("unsupported query parameter \(item.name.debugDescription) (only sslmode)")
            }
            guard let mode = TLSMode(rawValue: item.value) else {
                throw invalid("sslmode must be one of disable, prefer, require, not \(item.value.debugDescription)")
            }
            tls = mode
        }
        self.init(
            host: parsed.host, port: parsed.port ?? 5432, user: user, password: parsed.password, database: database, tls: tls)
    }

    /// The URL without the password: `postgres://user@host:port/database`.
    public var description: String {
        "postgres://\(EngineURL.percentEncoded(user))@\(EngineURL.authority(host: host, port: port))/\(EngineURL.percentEncoded(database))"
    }
}
