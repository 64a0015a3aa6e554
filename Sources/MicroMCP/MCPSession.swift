import Micro
import Synchronization

/// One handshake-era conversation: the protocol version `initialize` settled and whether the client has
/// confirmed it with `notifications/initialized`. Streamable HTTP keys sessions by `MCP-Session-Id`; stdio has
/// exactly one. The stateless 2026-07-28 era needs none.
public final class MCPSession: Sendable {
    /// The `MCP-Session-Id` (for stdio, a fixed name).
    public let id: String
    private let state = Mutex(State())

    struct State {
        var protocolVersion: String?
        var initialized = false
        var clientName: String?
        var nextStream = 0
        var streams: [Int: AsyncStream<JSONRPCMessage>.Continuation] = [:]
        var closed = false
    }

    public init(id: String) { self.id = id }

    /// The version `initialize` negotiated, or nil before it.
    public var protocolVersion: String? { state.withLock { $0.protocolVersion } }
    /// Whether the client has sent `notifications/initialized`.
    public var isInitialized: Bool { state.withLock { $0.initialized } }
    /// The `clientInfo.name` sent with `initialize`.
    public var clientName: String? { state.withLock { $0.clientName } }

    func begin(version: String, clientName: String?) {
        state.withLock {
            $0.protocolVersion = version
            $0.clientName = clientName
        }
    }

    func confirm() { state.withLock { $0.initialized = true } }

    /// Messages sent to this session (server notifications) from now on, until ``close()``.
    func subscribe() -> AsyncStream<JSONRPCMessage> {
        let (stream, continuation) = AsyncStream.makeStream(of: JSONRPCMessage.self)
        let key: Int? = state.withLock {
            if $0.closed { return nil }
            $0.nextStream += 1
            $0.streams[$0.nextStream] = continuation
            return $0.nextStream
        }
        guard let key else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in _ = self?.state.withLock { $0.streams.removeValue(forKey: key) } }
        return stream
    }

    /// Sends `message` to every subscribed stream.
    func send(_ message: JSONRPCMessage) {
        for continuation in state.withLock({ Array($0.streams.values) }) { continuation.yield(message) }
    }

    /// Ends every subscribed stream; later subscriptions end at once.
    func close() {
        let streams = state.withLock { state in
            state.closed = true
            let streams = Array(state.streams.values)
            state.streams.removeAll()
            return streams
        }
        for continuation in streams { continuation.finish() }
    }
}
