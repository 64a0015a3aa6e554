import Synchronization

/// One request's state shared by the I/O thread, the task awaiting `send`, and the body's consumer.
///
/// The I/O thread reports the head (``deliverHead(_:)``), body chunks (through ``body``) and the end
/// (``finish(_:)``); the tasks wait for the head (``awaitHead(_:)``) and may fail it early (``finish(_:)``
/// on cancellation). Whatever comes first wins; everything after it is a no-op.
final class CurlTransfer: Sendable {
    typealias Head = (status: Int, headers: [(name: String, value: String)])

    let request: HTTPRequest
    /// The consumer's side of the body; chunks are yielded by the I/O thread.
    let body: AsyncThrowingStream<[UInt8], any Error>.Continuation
    /// The request's own total timeout, overriding the transport's.
    let timeoutMS: Int?

    private struct State {
        var head: CheckedContinuation<Head, any Error>?
        var headDelivered = false
        var finished = false
        /// Set when the transfer ended before anyone waited for the head.
        var failure: (any Error)?
    }

    private let state = Mutex(State())

    init(request: HTTPRequest, body: AsyncThrowingStream<[UInt8], any Error>.Continuation, timeoutMS: Int?) {
        self.request = request
        self.body = body
        self.timeoutMS = timeoutMS
    }

    /// Whether the transfer has ended (completed, failed or cancelled).
    var isFinished: Bool { state.withLock { $0.finished } }

    /// Parks `continuation` until the head arrives. Returns false (having resumed it) if the transfer
    /// already ended, in which case it must not be started.
    func awaitHead(_ continuation: CheckedContinuation<Head, any Error>) -> Bool {
        let failure: (any Error)? = state.withLock { state in
            if state.finished { return state.failure ?? HTTPError(.cancelled, "the request was cancelled") }
            state.head = continuation
            return nil
        }
        if let failure {
            continuation.resume(throwing: failure)
            return false
        }
        return true
    }

    /// The final status and headers arrived: `send` returns.
    func deliverHead(_ head: Head) {
        let continuation = state.withLock { state -> CheckedContinuation<Head, any Error>? in
            guard !state.finished, !state.headDelivered else { return nil }
            state.headDelivered = true
            defer { state.head = nil }
            return state.head
        }
        continuation?.resume(returning: head)
    }

    /// Ends the transfer: with `error`, `send` throws it if the head is still pending, else the body
    /// stream ends with it; without, the body stream ends normally. Returns false if it had ended already.
    @discardableResult
    func finish(_ error: (any Error)?) -> Bool {
        let continuation = state.withLock { state -> CheckedContinuation<Head, any Error>?? in
            guard !state.finished else { return .none }
            state.finished = true
            state.failure = error
            defer { state.head = nil }
            return .some(state.head)
        }
        guard case .some(let head) = continuation else { return false }
        if let head {
            head.resume(throwing: error ?? HTTPError(.transport, "the transfer ended before its head"))
        }
        if let error {
            body.finish(throwing: error)
        } else {
            body.finish()
        }
        return true
    }
}
