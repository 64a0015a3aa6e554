import Micro

/// A failed model call: what kind of failure, what the provider said, and whether retrying makes sense.
public struct ModelError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// HTTP 429 or the provider's rate-limit error.
        public static let rateLimited = Code(rawValue: "rate_limited")
        /// The provider is overloaded (Anthropic 529) or unavailable (5xx).
        public static let overloaded = Code(rawValue: "overloaded")
        /// The request is larger than the model's context window.
        public static let contextLengthExceeded = Code(rawValue: "context_length_exceeded")
        /// The stream ended before its terminal event.
        public static let truncated = Code(rawValue: "truncated")
        /// Events or bytes that do not follow the protocol.
        public static let malformedResponse = Code(rawValue: "malformed_response")
        /// The request was refused as invalid (HTTP 400/404/422).
        public static let invalidRequest = Code(rawValue: "invalid_request")
        /// Missing or rejected credentials.
        public static let authentication = Code(rawValue: "authentication")
        /// Timeout or connection failure.
        public static let transport = Code(rawValue: "transport")
        /// The model call's deadline (``Guardrails/modelCallTimeout``) passed before the answer was complete;
        /// the call was cancelled.
        public static let deadlineExceeded = Code(rawValue: "deadline_exceeded")
        /// A scripted or recorded backend has no answer for this request.
        public static let noMatch = Code(rawValue: "no_match")
    }

    public var code: Code
    public var message: String
    /// The HTTP status, when the error came over HTTP.
    public var status: Int?
    /// The provider's own error type (for example `overloaded_error`).
    public var providerType: String?
    /// How long the provider asked us to wait before retrying.
    public var retryAfter: Duration?

    public init(
        _ code: Code, _ message: String, status: Int? = nil, providerType: String? = nil, retryAfter: Duration? = nil
    ) {
        self.code = code
        self.message = message
        self.status = status
        self.providerType = providerType
        self.retryAfter = retryAfter
    }

    /// Whether the same request may succeed if sent again later: rate limits, overload, transient stream
    /// failures (cut, reset, a chunk that is not valid JSON) and a call its deadline cut, what an app retries.
    public var isRetryable: Bool {
        [.rateLimited, .overloaded, .truncated, .transport, .malformedResponse, .deadlineExceeded].contains(code)
    }

    public var description: String {
        var text = "\(code)"
        if let status { text += " (HTTP \(status))" }
        if let providerType { text += " [\(providerType)]" }
        return text + ": \(message)"
    }
}
