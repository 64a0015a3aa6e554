import Micro
import MicroProviders

/// Posts ``OTLPTraceRequest``s to an OTLP/HTTP receiver over an ``HTTPTransport`` (``CurlTransport`` live).
///
/// As the OTLP specification asks, a request that fails with 429, 502, 503 or 504, or that cannot connect or
/// times out, is sent again after a pause (1 s, then 2 s, … at most 5 s; a `Retry-After` of at most 30 s
/// wins) up to ``maxAttempts`` times, on the injected clock (a real one: the receiver is a live peer).
/// Any other status fails at once; so does a response whose `partialSuccess` says spans were rejected.
/// Every failure is an ``OTLPExportError`` naming the URL.
public struct OTLPExporter: Sendable {
    public var configuration: OTLPConfiguration
    public var maxAttempts: Int
    let transport: any HTTPTransport
    let clock: any Clock<Duration>

    public init(
        configuration: OTLPConfiguration, transport: any HTTPTransport, clock: any Clock<Duration> = ContinuousClock(),
        maxAttempts: Int = 3
    ) {
        self.configuration = configuration
        self.transport = transport
        self.clock = clock
        self.maxAttempts = max(1, maxAttempts)
    }

    /// Sends `request`; returns the attempts it took.
    @discardableResult
    public func export(_ request: OTLPTraceRequest) async throws(OTLPExportError) -> Int {
        let url = configuration.tracesURL
        let http = HTTPRequest(
            method: "POST", url: url,
            headers: [("Content-Type", "application/json"), ("Accept", "application/json")]
                + configuration.headers.map { ($0.name, $0.value) },
            body: request.body, timeout: configuration.timeout)
        var attempt = 1
        while true {
            switch await send(http, spans: request.spans.count, attempt: attempt) {
            case .delivered:
                return attempt
            case .failed(let failure):
                throw failure
            case .retryable(let failure, let retryAfter):
                guard attempt < maxAttempts else { throw failure }
                do {
                    try await clock.sleep(for: retryAfter ?? .seconds(min(1 << (attempt - 1), 5)))
                } catch {
                    throw OTLPExportError(.cancelled, url: url, status: nil, attempts: attempt, "cancelled while waiting to retry")
                }
                attempt += 1
            }
        }
    }

    private enum Outcome {
        case delivered
        case failed(OTLPExportError)
        case retryable(OTLPExportError, retryAfter: Duration?)
    }

    /// One attempt: delivered, failed for good, or worth another try.
    private func send(_ http: HTTPRequest, spans: Int, attempt: Int) async -> Outcome {
        let url = http.url
        do {
            let response = try await transport.send(http)
            let body = try await response.collectBody(limit: 1 << 20)
            if (200..<300).contains(response.status) {
                do {
                    try Self.checkPartialSuccess(body, contentType: response.header("content-type"), url: url, spans: spans)
                    return .delivered
                } catch {
                    return .failed(error)
                }
            }
            let text = String(decoding: body.prefix(500), as: UTF8.self)
            let failure = OTLPExportError(
                .rejected, url: url, status: response.status, attempts: attempt, "HTTP \(response.status)\(text.isEmpty ? "" : ": \(text)")")
            guard [429, 502, 503, 504].contains(response.status) else { return .failed(failure) }
            let retryAfter = response.header("retry-after").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
                .map { Duration.seconds(min(max($0, 0), 30)) }
            return .retryable(failure, retryAfter: retryAfter)
        } catch let error as HTTPError {
            switch error.code {
            case .cancelled: return .failed(OTLPExportError(.cancelled, url: url, status: nil, attempts: attempt, error.message))
            case .timedOut: return .retryable(OTLPExportError(.timedOut, url: url, status: nil, attempts: attempt, error.message), retryAfter: nil)
            default: return .retryable(OTLPExportError(.unreachable, url: url, status: nil, attempts: attempt, error.message), retryAfter: nil)
            }
        } catch is CancellationError {
            return .failed(OTLPExportError(.cancelled, url: url, status: nil, attempts: attempt, "cancelled"))
        } catch {
            return .retryable(OTLPExportError(.unreachable, url: url, status: nil, attempts: attempt, "\(error)"), retryAfter: nil)
        }
    }

    /// Throws when a successful response's `partialSuccess` reports rejected spans.
    static func checkPartialSuccess(_ body: [UInt8], contentType: String?, url: String, spans: Int) throws(OTLPExportError) {
        guard !body.isEmpty, contentType?.lowercased().contains("json") ?? true,
            let value = try? JSONValue(parsing: String(decoding: body, as: UTF8.self)), let partial = value["partialSuccess"]
        else { return }
        let rejected = partial["rejectedSpans"].flatMap { $0.intValue ?? $0.stringValue.flatMap { Int($0) } } ?? 0
        guard rejected > 0 else { return }
        let message = partial["errorMessage"]?.stringValue ?? ""
        throw OTLPExportError(
            .partiallyRejected, url: url, status: 200, attempts: 1,
            "the receiver rejected \(rejected) of \(spans) spans\(message.isEmpty ? "" : ": \(message)")")
    }
}

/// An export that did not deliver every span: what went wrong, at which URL, after how many attempts.
public struct OTLPExportError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }
        /// No connection (refused, no route, DNS) or it broke.
        public static let unreachable = Code(rawValue: "unreachable")
        public static let timedOut = Code(rawValue: "timed_out")
        /// The receiver answered with an error status.
        public static let rejected = Code(rawValue: "rejected")
        /// The receiver accepted the request but dropped some spans (`partialSuccess`).
        public static let partiallyRejected = Code(rawValue: "partially_rejected")
        public static let cancelled = Code(rawValue: "cancelled")
    }

    public var code: Code
    public var url: String
    /// The last HTTP status, if the receiver answered.
    public var status: Int?
    public var attempts: Int
    public var message: String

    public init(_ code: Code, url: String, status: Int?, attempts: Int, _ message: String) {
        self.code = code
        self.url = url
        self.status = status
        self.attempts = attempts
        self.message = message
    }

    public var description: String {
        "OTLP export to \(url) failed (\(code)) after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(message)"
    }
}
