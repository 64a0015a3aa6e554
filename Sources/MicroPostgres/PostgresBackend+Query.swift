import Logging
import Synchronization
import NIOCore
import PostgresNIO

/// Every statement goes through ``withLease(_:)`` and ``send(_:on:)``, never `PostgresClient.query`.
///
/// Why: postgres-nio 1.33.2 hands a statement to its connection with `channel.write(…, promise: nil)` and
/// then awaits a promise only the connection's channel handler completes. When the server has just ended
/// the connection (a restart, `pg_terminate_backend`, an idle timeout), the pool can still lease it out
/// before it learns of the close; a write that reaches the channel after NIO has removed its handlers is
/// dropped and the promise is never completed, so the call hangs for ever (and cannot be cancelled).
/// Sending from the connection's own event loop, after checking the channel is still active, closes that
/// window: on the event loop a close cannot interleave, and handlers are only removed after a channel
/// stops being active. A connection found closed is ``PostgresConnectionLost``, which is retried.
extension PostgresBackend {
    /// Runs `body` with a pooled connection, on that connection's event loop. Waiting longer than the retry
    /// policy's `leaseTimeout` for the connection throws ``PostgresLeaseTimeout`` (retryable).
    func withLease<R: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> R) async throws -> R {
        let phase = LeasePhase()
        let timeout = retryPolicy.leaseTimeout
        return try await withThrowingTaskGroup(of: R?.self) { group in
            group.addTask {
                try await self.client.withConnection { connection in
                    let late = phase.state.withLock { phase in
                        if phase == .timedOut { return true }
                        phase = .leased
                        return false
                    }
                    if late { throw PostgresLeaseTimeout(timeout: timeout) }
                    return try await withTaskExecutorPreference(EventLoopTaskExecutor(connection.eventLoop)) {
                        try await body(connection)
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                let expired = phase.state.withLock { phase in
                    guard phase == .waiting else { return false }
                    phase = .timedOut
                    return true
                }
                if expired { throw PostgresLeaseTimeout(timeout: timeout) }
                return nil
            }
            while let result = try await group.next() {
                if let result {
                    group.cancelAll()  // the timer
                    return result
                }
            }
            preconditionFailure("the lease task ended without a result or an error")
        }
    }

    /// Sends one statement on `connection` (inside ``withLease(_:)``), or throws ``PostgresConnectionLost``
    /// if the server has closed it.
    func send(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> PostgresRowSequence {
        guard connection.eventLoop.inEventLoop else {
            preconditionFailure("MicroPostgres sends statements only from the connection's event loop (withLease)")
        }
        guard !connection.isClosed else { throw PostgresConnectionLost(connectionID: connection.id) }
        return try await connection.query(query, logger: logger)
    }

    /// Runs one statement (atomic on its own: autocommit) and decodes every row as `types`.
    func rows<each Column: PostgresDecodable & Sendable>(
        _ query: PostgresQuery, as types: (repeat each Column).Type = (repeat each Column).self
    ) async throws -> [(repeat each Column)] {
        try await withLease { connection in
            var rows: [(repeat each Column)] = []
            for try await row in try await self.send(query, on: connection).decode((repeat each Column).self) {
                rows.append(row)
            }
            return rows
        }
    }

    /// Runs one statement and returns how many rows it returned.
    func count(_ query: PostgresQuery) async throws -> Int {
        try await withLease { connection in
            var count = 0
            for try await _ in try await self.send(query, on: connection) { count += 1 }
            return count
        }
    }

    /// Runs one statement, ignoring any rows.
    func execute(_ query: PostgresQuery) async throws {
        _ = try await count(query)
    }

    /// Runs `statements` in one transaction (`BEGIN` … `COMMIT`, `ROLLBACK` on failure).
    func transaction(_ statements: [PostgresQuery]) async throws {
        try await withLease { connection in
            _ = try await self.send("BEGIN", on: connection)
            do {
                for statement in statements {
                    for try await _ in try await self.send(statement, on: connection) {}
                }
                _ = try await self.send("COMMIT", on: connection)
            } catch {
                _ = try? await self.send("ROLLBACK", on: connection)
                throw error
            }
        }
    }
}

extension PostgresBackend {
    /// The schema versions applied to this database, in order (from `micro_schema_migrations`).
    public func schemaVersions() async throws -> [Int] {
        try await rows("SELECT version FROM micro_schema_migrations ORDER BY version", as: Int.self)
    }
}

/// Whether a lease came before its timeout (whichever settles it first wins).
private final class LeasePhase: Sendable {
    enum Phase { case waiting, leased, timedOut }
    let state = Mutex(Phase.waiting)
}

/// No pooled connection became free (or could be opened) within the retry policy's `leaseTimeout`.
struct PostgresLeaseTimeout: Error, CustomStringConvertible {
    var timeout: Duration
    var description: String { "no connection to the server within \(timeout)" }
}

/// The pool leased a connection the server had already closed; the call may be retried on another one.
struct PostgresConnectionLost: Error, CustomStringConvertible {
    var connectionID: PostgresConnection.ID
    var description: String { "the server closed connection \(connectionID) before the statement was sent" }
}

/// A `TaskExecutor` that runs jobs on one NIO event loop, so code under `withTaskExecutorPreference` runs
/// there (and `channel.write` from it is synchronous).
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
