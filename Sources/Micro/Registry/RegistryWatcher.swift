/// The changes seen by a ``Registry`` watch, as an `AsyncSequence` (iterate it once, from one task).
/// Iteration ends after ``cancel()`` once buffered events are consumed; cancelling the iterating task or
/// dropping every copy also stops the watch.
public struct RegistryWatcher: AsyncSequence, Sendable {
    public typealias Element = RegistryEvent
    public typealias Failure = any Error
    public typealias AsyncIterator = AsyncThrowingStream<RegistryEvent, any Error>.AsyncIterator
    public typealias Continuation = AsyncThrowingStream<RegistryEvent, any Error>.Continuation

    /// The service watched, or nil for all.
    public let service: String?
    private let stream: AsyncThrowingStream<RegistryEvent, any Error>
    private let continuation: Continuation

    /// For backends: a watcher (unbounded buffer) and the continuation to yield events into. `onTermination`
    /// runs once when the watch ends for any reason.
    public static func make(
        service: String?, onTermination: @escaping @Sendable () -> Void
    ) -> (watcher: RegistryWatcher, continuation: Continuation) {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: RegistryEvent.self)
        continuation.onTermination = { _ in onTermination() }
        return (RegistryWatcher(service: service, stream: stream, continuation: continuation), continuation)
    }

    private init(service: String?, stream: AsyncThrowingStream<RegistryEvent, any Error>, continuation: Continuation) {
        self.service = service
        self.stream = stream
        self.continuation = continuation
    }

    /// Stops watching. Events already buffered are still yielded, then iteration ends.
    public func cancel() {
        continuation.finish()
    }

    public func makeAsyncIterator() -> AsyncIterator {
        stream.makeAsyncIterator()
    }
}
