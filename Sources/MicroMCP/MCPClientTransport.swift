import Micro

/// Carries an ``MCPClient``'s messages to one server: ``MCPStdioClientTransport`` (a subprocess) or
/// ``MCPHTTPClientTransport`` (Streamable HTTP).
public protocol MCPClientTransport: Sendable {
    /// Sends `request` and returns the server's response to it (notifications arriving meanwhile are
    /// dropped). `protocolVersion` is the negotiated version, for transports that repeat it in headers.
    func send(request: JSONRPCMessage, protocolVersion: String?) async throws -> JSONRPCMessage

    /// Sends a notification.
    func send(notification: JSONRPCMessage, protocolVersion: String?) async throws

    /// Ends the connection (stops the process, deletes the HTTP session).
    func close() async
}
