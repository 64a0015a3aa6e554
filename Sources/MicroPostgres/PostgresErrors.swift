import PostgresNIO

/// Classifying postgres-nio's errors: start-up failures as ``PostgresError``s, and which failures of a
/// running backend are worth retrying.
enum PostgresErrors {
    /// The SQLSTATE of a server error, e.g. `23505`.
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// A short text for `error`: the server's message and SQLSTATE, or the client error code.
    static func summary(_ error: any Error) -> String {
        if let error = error as? PostgresTransactionError {
            return [error.beginError, error.closureError, error.commitError].compactMap { $0 }.map(summary).first
                ?? "transaction failed"
        }
        guard let error = error as? PSQLError else { return String(describing: error) }
        if let info = error.serverInfo, let message = info[.message] {
            return "\(message) (SQLSTATE \(info[.sqlState] ?? "?"))"
        }
        if let underlying = error.underlying { return "\(error.code): \(underlying)" }
        return "\(error.code)"
    }

    /// A connect or start-up failure as a typed error naming the server without its password.
    static func startup(_ error: any Error, _ configuration: PostgresConfiguration) -> PostgresError {
        if let error = error as? PostgresError { return error }
        let server = configuration.description
        guard let psql = error as? PSQLError else {
            return PostgresError(.unreachable, "cannot connect to \(server): \(error)", server: server, underlying: error)
        }
        switch psql.code {
        case .connectionError:
            return PostgresError(
                .unreachable, "cannot connect to \(server): \(psql.underlying.map { "\($0)" } ?? "connection failed")",
                server: server, underlying: error)
        case .authMechanismRequiresPassword:
            return PostgresError(
                .authenticationFailed, "\(server) asks for a password and the URL has none", server: server, underlying: error)
        case .unsupportedAuthMechanism, .saslError:
            return PostgresError(
                .authenticationFailed, "cannot authenticate to \(server): \(summary(error))", server: server, underlying: error)
        case .sslUnsupported:
            return PostgresError(
                .unreachable, "\(server) does not support TLS, and the URL says sslmode=require", server: server,
                underlying: error)
        case .server:
            switch sqlState(error) {
            case "28P01", "28000":
                return PostgresError(
                    .authenticationFailed, "\(server) rejected user \(configuration.user): \(summary(error))", server: server,
                    underlying: error)
            case "3D000":
                return PostgresError(
                    .databaseNotFound, "\(server) has no database \(configuration.database.debugDescription)", server: server,
                    underlying: error)
            case let state? where state.hasPrefix("08") || state.hasPrefix("57P"):
                return PostgresError(.unreachable, "cannot connect to \(server): \(summary(error))", server: server, underlying: error)
            default:
                return PostgresError(.server, "\(server): \(summary(error))", server: server, underlying: error)
            }
        default:
            return PostgresError(.server, "\(server): \(summary(error))", server: server, underlying: error)
        }
    }

    /// Whether `error` means the connection or the server went away, or the transaction lost a race that a
    /// retry can win: the call may be retried after a backoff.
    static func isRetryable(_ error: any Error) -> Bool {
        if error is PostgresConnectionLost || error is PostgresLeaseTimeout { return true }
        if let error = error as? PostgresTransactionError {
            return [error.beginError, error.closureError, error.commitError].compactMap { $0 }.contains(where: isRetryable)
        }
        guard let psql = error as? PSQLError else {
            // The pool's own errors (circuit breaker open while the server is down) are not public types.
            return String(reflecting: type(of: error)).contains("ConnectionPoolError")
        }
        switch psql.code {
        // clientClosedConnection: the pool is closing a connection the server ended, and handed it out meanwhile.
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown: return true
        case .server:
            guard let state = sqlState(error) else { return false }
            // 08: connection exception; 57P01–57P03: shutdown, crash, starting up; 40001/40P01: serialization, deadlock.
            return state.hasPrefix("08") || ["57P01", "57P02", "57P03", "40001", "40P01"].contains(state)
        default: return false
        }
    }
}
