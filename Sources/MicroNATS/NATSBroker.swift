import Micro
import NIOCore
import NIOPosix
import Synchronization

/// A ``Broker`` on a NATS server (nats-server 2.2 or later), speaking the client protocol over one
/// TCP connection.
///
/// Topics map to NATS subjects unchanged (both use `.`-separated tokens with `*` and `>` wildcards);
/// queue groups are NATS queue groups. The message `id` and `headers` travel as NATS headers (`HPUB`),
/// so they arrive unchanged; the id in header `Micro-Id`.
///
/// Delivery is at-most-once, like core NATS. The connection is kept by ``run()`` (or the scope of
/// ``withBroker(_:environment:eventLoopGroup:_:)``): when it drops, publishes are held in a bounded buffer
/// (``NATSConfiguration/reconnectBufferSize``) while it reconnects with backoff on real time, then every
/// live subscription is renewed and the held publishes are sent in order. What was in flight on the lost
/// connection may be lost. `publish` returns once the message is queued for the socket; ``flush()``
/// waits until the server has processed everything sent before it.
public final class NATSBroker: Broker {
    /// The NATS header that carries ``BrokerMessage/id``.
    public static let idHeader = "Micro-Id"

    public let configuration: NATSConfiguration
    let environment: Environment
    let group: any EventLoopGroup
    let state = Mutex(State())

    struct Subscription {
        var subject: String
        var queue: String?
        var inbox: BrokerSubscription.Inbox
    }

    enum Phase {
        /// Not yet connected: publishes are held.
        case idle
        case connected(NATSConnection)
        /// Reconnecting: publishes are held.
        case disconnected
        /// ``run()`` has ended: everything fails with `unavailable`.
        case closed
    }

    struct State {
        var phase = Phase.idle
        var info: NATSServerInfo?
        var nextSID: UInt64 = 0
        var subscriptions: [UInt64: Subscription] = [:]
        var held: [[UInt8]] = []
        var heldBytes = 0
        var flushes: [CheckedContinuation<Void, any Error>] = []
        var reconnects = 0
        var lastServerError: NATSError?
    }

    /// A broker for `configuration`; it connects when ``run()`` starts. `environment` supplies message ids.
    public init(
        configuration: NATSConfiguration, environment: Environment = .live,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.environment = environment
        self.group = eventLoopGroup
    }

    /// Whether a connection is up right now.
    public var isConnected: Bool {
        state.withLock { if case .connected = $0.phase { true } else { false } }
    }

    /// How many times the connection was re-established after a loss.
    public var reconnectCount: Int { state.withLock { $0.reconnects } }

    /// The server's INFO from the current or last connection.
    public var serverInfo: NATSServerInfo? { state.withLock { $0.info } }

    public func publish(_ message: BrokerMessage, to topic: String) async throws {
        try Self.validate(topic: topic, allowingWildcards: false)
        var headers = message.headers
        headers[Self.idHeader] = message.id.isEmpty ? environment.ids.next("msg") : message.id
        headers[BrokerMessage.topicHeader] = nil
        let block: [UInt8]
        do {
            block = try NATSHeaders.encode(headers)
        } catch {
            throw BrokerError(.invalidArgument, "cannot publish on \(topic): \(error)", topic: topic)
        }
        let size = block.count + message.body.count
        let bytes = NATSCommand.hpub(subject: topic, headerBlock: block, payload: message.body)
        let url = configuration.url.description
        let limit = configuration.reconnectBufferSize
        try state.withLock { state throws(BrokerError) in
            if let info = state.info, size > info.maxPayload {
                throw BrokerError(
                    .invalidArgument, "message of \(size) bytes exceeds max_payload \(info.maxPayload) of \(url)",
                    topic: topic, underlying: NATSError(.payloadTooLarge, "\(size) > \(info.maxPayload)", url: url))
            }
            switch state.phase {
            case .connected(let connection):
                connection.send(bytes)
            case .idle, .disconnected:
                guard state.heldBytes + bytes.count <= limit else {
                    throw BrokerError(.unavailable, "not connected to \(url) and the reconnect buffer (\(limit) bytes) is full",
                                      topic: topic)
                }
                state.held.append(bytes)
                state.heldBytes += bytes.count
            case .closed:
                throw BrokerError(.unavailable, "the NATS broker for \(url) has shut down", topic: topic)
            }
        }
    }

    /// Subscribes; once connected, returns after the server has registered the interest, so messages
    /// published afterwards from any connection reach it.
    public func subscribe(to topic: String, options: BrokerSubscription.Options) async throws -> BrokerSubscription {
        try Self.validate(topic: topic, allowingWildcards: true)
        guard options.bufferSize >= 1 else {
            throw BrokerError(.invalidArgument, "bufferSize must be ≥ 1, got \(options.bufferSize)", topic: topic)
        }
        if let queue = options.queue,
           queue.isEmpty || queue.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0 == "\0" }) {
            throw BrokerError(.invalidArgument, "invalid queue group \(queue.debugDescription)", topic: topic)
        }
        let sid = state.withLock { state in
            state.nextSID += 1
            return state.nextSID
        }
        let (subscription, inbox) = BrokerSubscription.make(topic: topic, options: options) { [weak self] in
            self?.unsubscribe(sid)
        }
        let (registered, connected) = state.withLock { state -> (Bool, Bool) in
            if case .closed = state.phase { return (false, false) }
            state.subscriptions[sid] = Subscription(subject: topic, queue: options.queue, inbox: inbox)
            guard case .connected(let connection) = state.phase else { return (true, false) }
            connection.send(NATSCommand.sub(subject: topic, queue: options.queue, sid: sid))
            return (true, true)
        }
        guard registered else {
            inbox.finish()
            throw BrokerError(.unavailable, "the NATS broker for \(configuration.url) has shut down", topic: topic)
        }
        if connected {
            // Lost connection meanwhile: the subscription is renewed on reconnect.
            do { try await flush() } catch let error as BrokerError where error.code == .unavailable {}
        }
        return subscription
    }

    /// Waits until the server has processed everything this broker sent before (a PING/PONG round
    /// trip); messages it routed back to this broker's own subscriptions are delivered by then.
    /// Throws ``BrokerError/Code/unavailable`` when not connected or the connection drops meanwhile.
    public func flush() async throws {
        let url = configuration.url.description
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            state.withLock { state in
                guard case .connected(let connection) = state.phase else {
                    continuation.resume(throwing: BrokerError(.unavailable, "not connected to \(url)"))
                    return
                }
                state.flushes.append(continuation)
                connection.send(NATSCommand.ping)
            }
        }
    }

    private func unsubscribe(_ sid: UInt64) {
        state.withLock { state in
            guard state.subscriptions.removeValue(forKey: sid) != nil else { return }
            if case .connected(let connection) = state.phase { connection.send(NATSCommand.unsub(sid: sid)) }
        }
    }
}
