/// An error from the NATS client: a bad URL, a server that cannot be reached or refuses us, or bytes on
/// the wire that break the protocol. Carries the server URL (credentials removed) where one is known.
public struct NATSError: Error, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added without breaking users.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The URL is malformed or names an unsupported scheme.
        public static let invalidURL = Code("invalidURL")
        /// The server cannot be reached, closed the connection, or the client has shut down. Retryable.
        public static let unavailable = Code("unavailable")
        /// The server did not answer in time. Retryable.
        public static let timeout = Code("timeout")
        /// The server rejected the credentials (`-ERR 'Authorization Violation'` and kin).
        public static let authorizationFailed = Code("authorizationFailed")
        /// The server lacks something this client needs (message headers: nats-server 2.2+, TLS off).
        public static let versionMismatch = Code("versionMismatch")
        /// A frame larger than the server's `max_payload` (sent or received).
        public static let payloadTooLarge = Code("payloadTooLarge")
        /// Malformed or oversized protocol bytes from the server.
        public static let protocolError = Code("protocolError")
        /// The server denied a publish or subscribe on a subject.
        public static let permissionDenied = Code("permissionDenied")
        /// Any other `-ERR` from the server.
        public static let serverError = Code("serverError")
    }

    public var code: Code
    public var message: String
    /// The server URL, without credentials.
    public var url: String?
    public var underlying: (any Error)?

    public init(_ code: Code, _ message: String, url: String? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.url = url
        self.underlying = underlying
    }

    /// Classifies a server `-ERR` message (the text between the quotes).
    public init(serverError text: String, url: String? = nil) {
        let lower = text.lowercased()
        let code: Code =
            if lower.contains("authorization") || lower.contains("authentication") || lower.contains("user auth") {
                .authorizationFailed
            } else if lower.contains("maximum payload") {
                .payloadTooLarge
            } else if lower.contains("permissions violation") {
                .permissionDenied
            } else if lower.contains("stale connection") || lower.contains("slow consumer")
                || lower.contains("maximum connections") {
                .unavailable
            } else {
                .serverError
            }
        self.init(code, "server error '\(text)'", url: url)
    }

    /// Whether trying again later (reconnecting) can succeed.
    public var isRetryable: Bool { code == .unavailable || code == .timeout }

    public var description: String {
        var s = "NATSError.\(code): \(message)"
        if let url { s += " [\(url)]" }
        if let underlying { s += " (underlying: \(underlying))" }
        return s
    }
}
