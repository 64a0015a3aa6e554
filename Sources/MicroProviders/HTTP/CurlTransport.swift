/// The live ``HTTPTransport``: libcurl's multi interface driven by one I/O thread the transport owns.
///
/// Any number of requests run concurrently without holding a thread of the concurrency pool: `send`
/// suspends until the status and headers arrive, then the body streams chunk by chunk. The body buffers
/// at most ``Configuration/bufferedChunks`` chunks (each at most 16 KiB, libcurl's receive buffer);
/// past that the transfer is paused until the consumer catches up, so a slow reader never makes the
/// transport hold a whole body.
///
/// libcurl's defaults stay in force: the system CA certificates, proxies from `http_proxy`,
/// `https_proxy` and `no_proxy`, and a connection cache shared by all requests of one transport.
/// Timeouts end the exchange with ``HTTPError/Code/timedOut``; a failed connection with
/// ``HTTPError/Code/connectionFailed``; a connection broken mid-body ends the body stream with
/// ``HTTPError/Code/interrupted``. Cancelling the task awaiting `send`, or ending the body stream early,
/// aborts the transfer and closes its connection.
///
/// Dropping the transport (or ``shutdown()``) stops the I/O thread and cancels transfers still running.
public final class CurlTransport: HTTPTransport {
    /// Timeouts and buffering for every request of a transport.
    public struct Configuration: Sendable, Hashable {
        /// Give up if the connection (including TLS) is not up after this long.
        public var connectTimeout: Duration
        /// Give up if no byte arrives for this long (whole seconds, rounded up; nil: never).
        public var idleTimeout: Duration?
        /// The whole exchange's limit when ``HTTPRequest/timeout`` is nil (nil: none).
        public var timeout: Duration?
        /// Body chunks buffered for a consumer that falls behind before the transfer pauses.
        public var bufferedChunks: Int

        /// Defaults: 10 s to connect, 120 s without a byte, no total limit, 64 buffered chunks.
        public init(
            connectTimeout: Duration = .seconds(10), idleTimeout: Duration? = .seconds(120),
            timeout: Duration? = nil, bufferedChunks: Int = 64
        ) {
            self.connectTimeout = connectTimeout
            self.idleTimeout = idleTimeout
            self.timeout = timeout
            self.bufferedChunks = bufferedChunks
        }
    }

    /// The settings every request uses.
    public let configuration: Configuration
    private let multi: CurlMulti

    /// Starts the transport's I/O thread.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        multi = CurlMulti(
            limits: CurlEasy.Limits(
                connectTimeoutMS: Self.milliseconds(configuration.connectTimeout),
                idleTimeoutSeconds: configuration.idleTimeout.map { (Self.milliseconds($0) + 999) / 1000 } ?? 0,
                totalTimeoutMS: configuration.timeout.map(Self.milliseconds)
            ))
    }

    deinit {
        multi.shutdown()
    }

    /// Stops the I/O thread, ending transfers still running with ``HTTPError/Code/cancelled``.
    /// Later requests fail the same way. Called by `deinit`; calling it twice is harmless.
    public func shutdown() {
        multi.shutdown()
    }

    /// Sends `request`; returns once the final status and headers arrived, with the body still streaming.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (body, continuation) = AsyncThrowingStream.makeStream(
            of: [UInt8].self, throwing: (any Error).self,
            bufferingPolicy: .bufferingOldest(max(configuration.bufferedChunks, 1)))
        let transfer = CurlTransfer(request: request, body: continuation, timeoutMS: request.timeout.map(Self.milliseconds))
        let multi = multi
        continuation.onTermination = { [weak transfer] termination in
            if case .cancelled = termination, let transfer { multi.cancel(transfer) }
        }
        let head = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (head: CheckedContinuation<CurlTransfer.Head, any Error>) in
                if transfer.awaitHead(head) { multi.start(transfer) }
            }
        } onCancel: {
            multi.cancel(transfer)
        }
        return HTTPResponse(status: head.status, headers: head.headers, body: body)
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        let ms = seconds.multipliedReportingOverflow(by: 1000)
        guard !ms.overflow else { return seconds < 0 ? 0 : Int.max / 2 }
        return max(0, Int(ms.partialValue) + Int((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000))
    }
}
