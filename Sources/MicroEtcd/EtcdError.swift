import Micro

/// An error from the etcd client: a bad URL, a server that cannot be reached, refuses us or is too old, or a
/// gRPC-gateway error. Carries the server URL (credentials removed) where one is known.
public struct EtcdError: Error, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added without breaking users.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The URL is malformed or names an unsupported scheme.
        public static let invalidURL = Code("invalidURL")
        /// The server cannot be reached, or dropped the connection. Retryable.
        public static let unavailable = Code("unavailable")
        /// The credentials were rejected or the auth token is missing or stale.
        public static let unauthenticated = Code("unauthenticated")
        /// The user may not touch these keys.
        public static let permissionDenied = Code("permissionDenied")
        /// The server is older than etcd 3.4 (or does not say what it is).
        public static let versionMismatch = Code("versionMismatch")
        /// The revision asked for has been compacted away.
        public static let compacted = Code("compacted")
        /// The server rejected the request as malformed.
        public static let invalidRequest = Code("invalidRequest")
        /// A lease or key the request names does not exist.
        public static let notFound = Code("notFound")
        /// The server's answer is not what the v3 gateway sends.
        public static let protocolError = Code("protocolError")
        /// Any other gateway error.
        public static let serverError = Code("serverError")
    }

    public var code: Code
    public var message: String
    /// The server URL, without credentials.
    public var url: String?
    /// The gRPC status code of a gateway error (14 unavailable, 16 unauthenticated, …).
    public var grpcCode: Int?
    /// The HTTP status of the gateway's answer.
    public var httpStatus: Int?
    public var underlying: (any Error)?

    public init(
        _ code: Code, _ message: String, url: String? = nil, grpcCode: Int? = nil, httpStatus: Int? = nil,
        underlying: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.url = url
        self.grpcCode = grpcCode
        self.httpStatus = httpStatus
        self.underlying = underlying
    }

    /// Whether trying again later may succeed (the server was down or overloaded).
    public var isRetryable: Bool { code == .unavailable }

    public var description: String {
        var s = "EtcdError.\(code): \(message)"
        if let url { s += " [\(url)]" }
        if let grpcCode { s += " (gRPC code \(grpcCode))" }
        if let underlying { s += " (underlying: \(underlying))" }
        return s
    }

    /// Classifies a gateway error body: `{"error": "...", "code": N, "message": "..."}` for unary calls,
    /// `{"error": {"grpc_code": N, "http_code": H, "message": "..."}}` inside a stream.
    init(gatewayError body: JSONValue?, httpStatus: Int?, url: String) {
        let inner = body?["error"]?.objectValue.map(JSONValue.object)
        let grpc = (inner?["grpc_code"] ?? body?["code"])?.intValue
        let text = (inner?["message"] ?? body?["message"] ?? body?["error"])?.stringValue
            ?? "HTTP status \(httpStatus.map(String.init) ?? "?") without an error body"
        let status = httpStatus ?? inner?["http_code"]?.intValue
        let lower = text.lowercased()
        let code: Code =
            if grpc == 16 || status == 401 || lower.contains("authentication failed") || lower.contains("invalid auth token")
                || lower.contains("user name is empty") {
                .unauthenticated
            } else if grpc == 7 || status == 403 {
                .permissionDenied
            } else if grpc == 14 || grpc == 4 || status == 503 || status == 504 {
                .unavailable
            } else if grpc == 11 || lower.contains("compacted") {
                .compacted
            } else if grpc == 5 || status == 404 {
                .notFound
            } else if grpc == 3 || status == 400 {
                .invalidRequest
            } else {
                .serverError
            }
        self.init(code, "etcd answered: \(text)", url: url, grpcCode: grpc, httpStatus: status)
    }
}

extension RegistryError.Code {
    /// The registry's URL is malformed.
    public static let invalidURL = RegistryError.Code("invalidURL")
    /// The registry's credentials were rejected.
    public static let unauthenticated = RegistryError.Code("unauthenticated")
    /// The registry refused access to its keys.
    public static let permissionDenied = RegistryError.Code("permissionDenied")
    /// The registry's server is a version this client does not support.
    public static let versionMismatch = RegistryError.Code("versionMismatch")
    /// The registry's server failed in another way.
    public static let serverError = RegistryError.Code("serverError")
}

extension RegistryError {
    /// `error` as a registry error: an ``EtcdError`` keeps its meaning (and rides along as `underlying`).
    static func etcd(_ error: any Error, service: String? = nil) -> RegistryError {
        if let error = error as? RegistryError { return error }
        guard let etcd = error as? EtcdError else {
            return RegistryError(.serverError, "etcd request failed: \(error)", service: service, underlying: error)
        }
        let code: RegistryError.Code =
            switch etcd.code {
            case .invalidURL: .invalidURL
            case .unavailable: .unavailable
            case .unauthenticated: .unauthenticated
            case .permissionDenied: .permissionDenied
            case .versionMismatch: .versionMismatch
            default: .serverError
            }
        return RegistryError(code, etcd.message + (etcd.url.map { " [\($0)]" } ?? ""), service: service, underlying: etcd)
    }
}
