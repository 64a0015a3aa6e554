/// The messages of one subscription, as an `AsyncSequence` (iterate it once, from one task).
///
/// Iteration ends after ``cancel()`` (once buffered messages are consumed), and throws if the backend ends
/// the subscription with an error (for example ``BrokerError/Code/slowConsumer``). Cancelling the
/// iterating task or dropping every copy of the subscription also unsubscribes.
public struct BrokerSubscription: AsyncSequence, Sendable {
    public typealias Element = BrokerMessage
    public typealias Failure = any Error
    public typealias AsyncIterator = AsyncThrowingStream<BrokerMessage, any Error>.AsyncIterator

    /// What happens when a message arrives while the subscriber's buffer is full.
    public enum Overflow: Sendable, Hashable {
        /// The arriving message is dropped (the default; the subscriber sees the oldest backlog).
        case dropNewest
        /// The oldest buffered message is dropped to make room.
        case dropOldest
        /// The subscription ends with ``BrokerError/Code/slowConsumer`` after its buffered messages.
        case fail
    }

    /// How to subscribe.
    public struct Options: Sendable, Hashable {
        /// The queue group: each message goes to one member of the group. Nil: every subscriber gets it.
        public var queue: String?
        /// Messages buffered for this subscriber before ``overflow`` applies (at least 1).
        public var bufferSize: Int
        public var overflow: Overflow

        public init(queue: String? = nil, bufferSize: Int = 1024, overflow: Overflow = .dropNewest) {
            self.queue = queue
            self.bufferSize = bufferSize
            self.overflow = overflow
        }
    }

    /// The receiving end a backend delivers into; see ``BrokerSubscription/make(topic:options:onTermination:)``.
    public struct Inbox: Sendable {
        /// What became of a delivered message.
        public enum Delivery: Sendable, Hashable {
            /// Buffered for the subscriber.
            case buffered
            /// The buffer was full: the arriving message (`.dropNewest`, `.fail`) or the oldest one
            /// (`.dropOldest`) was dropped. With `.fail` the backend should now ``finish(throwing:)``.
            case overflowed
            /// The subscription has ended; nothing was buffered.
            case ended
        }

        fileprivate let continuation: AsyncThrowingStream<BrokerMessage, any Error>.Continuation
        public let overflow: Overflow

        /// Buffers `message` for the subscriber. Never ends the subscription itself, so it is safe to call
        /// under a lock that the termination handler also takes.
        public func deliver(_ message: BrokerMessage) -> Delivery {
            switch continuation.yield(message) {
            case .enqueued: .buffered
            case .dropped: .overflowed
            case .terminated: .ended
            @unknown default: .ended
            }
        }

        /// Ends the subscription, with `error` if given; runs its termination handler (so not under a lock
        /// that handler takes).
        public func finish(throwing error: (any Error)? = nil) {
            continuation.finish(throwing: error)
        }
    }

    public let topic: String
    public let options: Options
    private let stream: AsyncThrowingStream<BrokerMessage, any Error>
    private let continuation: AsyncThrowingStream<BrokerMessage, any Error>.Continuation

    /// For backends: a subscription and the inbox to deliver into. `onTermination` runs once, when the
    /// subscription ends for any reason (cancel, task cancellation, drop, or the backend finishing it).
    public static func make(
        topic: String, options: Options, onTermination: @escaping @Sendable () -> Void
    ) -> (subscription: BrokerSubscription, inbox: Inbox) {
        let size = Swift.max(1, options.bufferSize)
        let (stream, continuation) = AsyncThrowingStream.makeStream(
            of: BrokerMessage.self,
            bufferingPolicy: options.overflow == .dropOldest ? .bufferingNewest(size) : .bufferingOldest(size))
        continuation.onTermination = { _ in onTermination() }
        let subscription = BrokerSubscription(topic: topic, options: options, stream: stream, continuation: continuation)
        return (subscription, Inbox(continuation: continuation, overflow: options.overflow))
    }

    private init(
        topic: String, options: Options, stream: AsyncThrowingStream<BrokerMessage, any Error>,
        continuation: AsyncThrowingStream<BrokerMessage, any Error>.Continuation
    ) {
        self.topic = topic
        self.options = options
        self.stream = stream
        self.continuation = continuation
    }

    /// Unsubscribes. Messages already buffered are still yielded, then iteration ends.
    public func cancel() {
        continuation.finish()
    }

    public func makeAsyncIterator() -> AsyncIterator {
        stream.makeAsyncIterator()
    }
}
