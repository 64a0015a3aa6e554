import Micro

/// An HTTP request as the providers send it.
public struct HTTPRequest: Sendable, Hashable {
    public var method: String
    public var url: String
    /// Header fields in order; names compare case-insensitively.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Give up if the whole exchange takes longer (nil: the transport's default).
    public var timeout: Duration?

    public init(method: String = "POST", url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [], timeout: Duration? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public static func == (a: HTTPRequest, b: HTTPRequest) -> Bool {
        a.method == b.method && a.url == b.url && a.body == b.body && a.timeout == b.timeout
            && a.headers.map { [$0.name, $0.value] } == b.headers.map { [$0.name, $0.value] }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(url)
        hasher.combine(body)
        for header in headers {
            hasher.combine(header.name)
            hasher.combine(header.value)
        }
    }
}

/// The head of an HTTP response and its body as a stream of byte chunks (never buffered whole).
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    /// The body, chunk by chunk as it arrives. Ends with an error if the transfer fails midway.
    public var body: AsyncThrowingStream<[UInt8], any Error>

    public init(status: Int, headers: [(name: String, value: String)], body: AsyncThrowingStream<[UInt8], any Error>) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Collects the whole body (for small, non-streamed responses).
    public func collectBody(limit: Int = 64 << 20) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in body {
            bytes.append(contentsOf: chunk)
            if bytes.count > limit { throw HTTPError(.bodyTooLarge, "response body passed \(limit) bytes") }
        }
        return bytes
    }
}

/// Sends HTTP requests. `CurlTransport` is the live one; recording, replay and fault injection wrap it.
///
/// Contract: `send` returns once the status and headers have arrived; the body streams afterwards.
/// Cancelling the calling task (or dropping the body stream) aborts the transfer. Failures before the head
/// throw ``HTTPError``; failures during the body end the body stream with an ``HTTPError``.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// A failed HTTP exchange.
public struct HTTPError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }
        public static let connectionFailed = Code(rawValue: "connection_failed")
        public static let timedOut = Code(rawValue: "timed_out")
        public static let cancelled = Code(rawValue: "cancelled")
        public static let invalidRequest = Code(rawValue: "invalid_request")
        public static let bodyTooLarge = Code(rawValue: "body_too_large")
        /// The connection broke while the body was streaming.
        public static let interrupted = Code(rawValue: "interrupted")
        public static let transport = Code(rawValue: "transport")
    }

    public var code: Code
    public var message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { "\(code): \(message)" }
}
