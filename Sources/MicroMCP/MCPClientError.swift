import Micro

/// A failed exchange with an MCP server.
public struct MCPClientError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }
        /// The server answered with a JSON-RPC error (see ``MCPClientError/rpcError``).
        public static let server = Code(rawValue: "server_error")
        /// The server answered with something that is not the expected MCP message.
        public static let invalidResponse = Code(rawValue: "invalid_response")
        /// The connection failed or closed (process exited, HTTP error status).
        public static let transport = Code(rawValue: "transport")
        /// The server could not be started or reached.
        public static let unavailable = Code(rawValue: "unavailable")
        /// The server did not answer a request within the client's timeout.
        public static let timedOut = Code(rawValue: "timed_out")
    }

    public var code: Code
    public var message: String
    /// The JSON-RPC error the server sent, for ``Code/server``.
    public var rpcError: JSONRPCError?

    public init(_ code: Code, _ message: String, rpcError: JSONRPCError? = nil) {
        self.code = code
        self.message = message
        self.rpcError = rpcError
    }

    public var description: String { "\(code): \(message)" }
}
