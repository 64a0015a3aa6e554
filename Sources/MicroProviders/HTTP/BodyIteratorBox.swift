import Synchronization

/// Holds a body stream's iterator between two reads, so a `Sendable` reader can keep it while no read is
/// under way. A read takes the iterator out, awaits the next chunk, and puts it back in a fresh box (the
/// iterator stays disconnected, so no read ever holds a lock across an `await`).
final class BodyIteratorBox: Sendable {
    typealias Iterator = AsyncThrowingStream<[UInt8], any Error>.AsyncIterator

    private let slot: Mutex<Iterator?>

    init(_ iterator: sending Iterator) { slot = Mutex(iterator) }

    /// The iterator, once; nil after the first call.
    func take() -> Iterator? { slot.withLock { $0.take() } }
}
