import Micro
import NIOCore
import NIOPosix

extension NATSBroker {
    /// Runs `body` with a connected broker and closes it when `body` returns or throws.
    ///
    /// Throws a ``NATSError`` naming the URL before calling `body` if the server cannot be reached, rejects
    /// the credentials, or lacks header support. While `body` runs, a lost connection is re-established
    /// in the background of this scope (see ``run()``).
    public static func withBroker<R>(
        _ configuration: NATSConfiguration, environment: Environment = .live,
        eventLoopGroup: any EventLoopGroup = NIOPosix.MultiThreadedEventLoopGroup.singleton,
        _ body: (NATSBroker) async throws -> R
    ) async throws -> R {
        let broker = NATSBroker(configuration: configuration, environment: environment, eventLoopGroup: eventLoopGroup)
        let connection = try await broker.connect()
        return try await withThrowingTaskGroup(of: Void.self, returning: R.self) { group in
            group.addTask { try await broker.maintain(connection) }
            defer { group.cancelAll() }
            return try await body(broker)
        }
    }

    /// Connects, then keeps the connection until the task is cancelled (swift-service-lifecycle style).
    ///
    /// A server that cannot be reached at start, or that refuses the credentials, is a ``NATSError``
    /// thrown at once. A connection lost later is re-established with backoff (on real time), renewing
    /// every subscription and sending the publishes held meanwhile; after
    /// ``NATSConfiguration/maxReconnectAttempts`` failures in a row this throws. When it returns or
    /// throws, the broker is closed: subscriptions end (with the error, if any) and publishing fails.
    public func run() async throws {
        let connection: NATSConnection
        do {
            connection = try await connect()
        } catch {
            shutdown(error)
            throw error
        }
        try await maintain(connection)
    }

    /// Opens a connection and makes it current: renews subscriptions, then sends held publishes.
    func connect() async throws(NATSError) -> NATSConnection {
        let connection = try await NATSConnection.open(configuration, group: group)
        state.withLock { state in
            if case .closed = state.phase { return }
            state.info = connection.info
            for sid in state.subscriptions.keys.sorted() {
                let subscription = state.subscriptions[sid]!
                connection.send(NATSCommand.sub(subject: subscription.subject, queue: subscription.queue, sid: sid))
            }
            for bytes in state.held { connection.send(bytes) }
            state.held = []
            state.heldBytes = 0
            state.phase = .connected(connection)
        }
        return connection
    }

    /// Serves `first`, reconnecting whenever the connection drops, until cancelled or out of attempts.
    func maintain(_ first: NATSConnection) async throws {
        var connection = first
        while true {
            let reason = await serve(connection)
            guard let reason, !Task.isCancelled else {
                shutdown(nil)
                return
            }
            disconnected(reason)
            do {
                connection = try await reconnect(after: reason)
            } catch is CancellationError {
                shutdown(nil)
                return
            } catch {
                shutdown(error)
                throw error
            }
        }
    }

    /// Handles the frames of `connection` until it ends; returns why, or nil if the task was cancelled.
    private func serve(_ connection: NATSConnection) async -> NATSError? {
        defer { connection.close() }
        let url = configuration.url.description
        do {
            for try await frame in connection.frames {
                switch frame {
                case .message(let message): deliver(message)
                case .ping: connection.send(NATSCommand.pong)
                case .pong:
                    let waiter = state.withLock { $0.flushes.isEmpty ? nil : $0.flushes.removeFirst() }
                    waiter?.resume()
                case .ok: break
                case .info(let info): state.withLock { $0.info = info }
                case .error(let text): state.withLock { $0.lastServerError = NATSError(serverError: text, url: url) }
                }
            }
            if Task.isCancelled { return nil }
            return NATSError(.unavailable, "the connection ended", url: url)
        } catch let error as NATSError {
            return state.withLock { $0.lastServerError } ?? error
        } catch {
            return NATSError(.unavailable, "the connection failed", url: url, underlying: error)
        }
    }

    private func deliver(_ inbound: NATSInboundMessage) {
        guard let subscription = state.withLock({ $0.subscriptions[inbound.sid] }) else { return }
        var headers: [String: String] = [:]
        if let block = inbound.headerBlock { headers = (try? NATSHeaders.decode(block)) ?? [:] }
        let id = headers.removeValue(forKey: Self.idHeader) ?? environment.ids.next("msg")
        headers[BrokerMessage.topicHeader] = inbound.subject
        let message = BrokerMessage(id: id, headers: headers, body: inbound.payload)
        guard subscription.inbox.deliver(message) == .overflowed, subscription.inbox.overflow == .fail else { return }
        state.withLock { state in
            guard state.subscriptions.removeValue(forKey: inbound.sid) != nil else { return }
            if case .connected(let connection) = state.phase { connection.send(NATSCommand.unsub(sid: inbound.sid)) }
        }
        subscription.inbox.finish(throwing: BrokerError(.slowConsumer, "subscriber buffer overflowed", topic: inbound.subject))
    }

    private func disconnected(_ reason: NATSError) {
        let waiters = state.withLock { state in
            if case .connected = state.phase { state.phase = .disconnected }
            state.lastServerError = nil
            defer { state.flushes = [] }
            return state.flushes
        }
        let error = BrokerError(.unavailable, "lost the connection to \(configuration.url)", underlying: reason)
        for waiter in waiters { waiter.resume(throwing: error) }
    }

    /// Tries to connect again with exponential backoff; throws after too many failures in a row.
    private func reconnect(after reason: NATSError) async throws -> NATSConnection {
        var delay = configuration.reconnectDelay
        var last = reason
        var attempts = 0
        while true {
            if let limit = configuration.maxReconnectAttempts, attempts >= limit {
                throw NATSError(.unavailable, "gave up reconnecting after \(attempts) attempts; last: \(last.message)",
                                url: configuration.url.description, underlying: last)
            }
            try await Task.sleep(for: delay)
            attempts += 1
            do {
                let connection = try await connect()
                state.withLock { $0.reconnects += 1 }
                return connection
            } catch {
                last = error
                delay = min(delay * 2, configuration.maxReconnectDelay)
            }
        }
    }

    /// Closes the broker: fails pending flushes, ends every subscription (throwing `error` if given).
    func shutdown(_ error: (any Error)?) {
        let (subscriptions, waiters) = state.withLock { state in
            if case .connected(let connection) = state.phase { connection.close() }
            state.phase = .closed
            defer {
                state.subscriptions = [:]
                state.flushes = []
                state.held = []
                state.heldBytes = 0
            }
            return (Array(state.subscriptions.values), state.flushes)
        }
        let closed = BrokerError(.unavailable, "the NATS broker for \(configuration.url) has shut down", underlying: error)
        for waiter in waiters { waiter.resume(throwing: closed) }
        for subscription in subscriptions {
            subscription.inbox.finish(throwing: error.map { BrokerError(.unavailable, "\($0)", underlying: $0) })
        }
    }
}
