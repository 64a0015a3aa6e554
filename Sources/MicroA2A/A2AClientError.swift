import Micro

/// A failed A2A exchange on the client side, saying what went wrong and where.
public struct A2AClientError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }
        /// The URL's host is not on the allow-list; no request was sent.
        public static let hostNotAllowed = Code(rawValue: "host_not_allowed")
        public static let invalidURL = Code(rawValue: "invalid_url")
        /// The server answered with an HTTP error status.
        public static let httpStatus = Code(rawValue: "http_status")
        /// The server answered with a JSON-RPC error (see ``A2AClientError/rpcError``).
        public static let rpc = Code(rawValue: "rpc")
        /// The server's answer is not what A2A says.
        public static let invalidResponse = Code(rawValue: "invalid_response")
        /// The connection failed (after the retries).
        public static let unavailable = Code(rawValue: "unavailable")
        /// The task did not finish in time.
        public static let timedOut = Code(rawValue: "timed_out")
        /// The task ended failed, canceled or rejected.
        public static let taskFailed = Code(rawValue: "task_failed")
        /// The remote agent asks a question this client cannot answer.
        public static let inputRequired = Code(rawValue: "input_required")
    }

    public var code: Code
    public var message: String
    /// The HTTP status, for ``Code/httpStatus``.
    public var status: Int?
    /// The JSON-RPC error, for ``Code/rpc``.
    public var rpcError: JSONRPCError?

    public init(_ code: Code, _ message: String, status: Int? = nil, rpcError: JSONRPCError? = nil) {
        self.code = code
        self.message = message
        self.status = status
        self.rpcError = rpcError
    }

    /// Whether sending the same request again may succeed (connection failures, 5xx, 429).
    public var isRetryable: Bool {
        switch code {
        case .unavailable: true
        case .httpStatus: status.map { $0 >= 500 || $0 == 429 } ?? false
        default: false
        }
    }

    public var description: String { "\(code): \(message)" }
}
