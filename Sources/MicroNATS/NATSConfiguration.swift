/// How a ``NATSBroker`` connects: the server, and how it behaves when the connection is lost.
public struct NATSConfiguration: Sendable, Hashable {
    public var url: NATSURL
    /// The connection name the server shows in its monitoring.
    public var name: String?
    /// Longest wait for the TCP connection, the server's INFO, and the answer to CONNECT.
    public var connectTimeout: Duration
    /// First wait before reconnecting; doubles after each failed attempt up to ``maxReconnectDelay``.
    public var reconnectDelay: Duration
    public var maxReconnectDelay: Duration
    /// Failed reconnection attempts in a row before giving up (nil: keep trying until cancelled).
    public var maxReconnectAttempts: Int?
    /// Bytes of publishes held while disconnected, sent in order on reconnect; beyond it publish throws.
    public var reconnectBufferSize: Int

    public init(
        url: NATSURL, name: String? = nil, connectTimeout: Duration = .seconds(5),
        reconnectDelay: Duration = .milliseconds(50), maxReconnectDelay: Duration = .seconds(2),
        maxReconnectAttempts: Int? = nil, reconnectBufferSize: Int = 8 * 1024 * 1024
    ) {
        self.url = url
        self.name = name
        self.connectTimeout = connectTimeout
        self.reconnectDelay = reconnectDelay
        self.maxReconnectDelay = maxReconnectDelay
        self.maxReconnectAttempts = maxReconnectAttempts
        self.reconnectBufferSize = reconnectBufferSize
    }

    /// A configuration for the server at `url` (`nats://[user:pass@]host[:port]`), with default timings.
    public init(_ url: String) throws(NATSError) {
        self.init(url: try NATSURL(url))
    }
}
