import Synchronization

/// Fans a task's events out to the requests following it (blocking sends, streams, cancels).
/// A subscription ends after the task's final event and the task as it settled, or when the server stops
/// driving the task.
final class A2ATaskHub: Sendable {
    enum Update: Sendable {
        case event(A2AStreamEvent)
        /// The task as stored after its final event (so a waiting request need not read it back).
        case settled(A2ATask)
    }

    private struct State {
        var next = 0
        var subscribers: [String: [Int: AsyncStream<Update>.Continuation]] = [:]
    }
    private let state = Mutex(State())

    /// Events of `taskID` from now on.
    func subscribe(_ taskID: String) -> AsyncStream<Update> {
        let (stream, continuation) = AsyncStream.makeStream(of: Update.self)
        let token = state.withLock { state in
            state.next += 1
            state.subscribers[taskID, default: [:]][state.next] = continuation
            return state.next
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { state in
                state.subscribers[taskID]?[token] = nil
                if state.subscribers[taskID]?.isEmpty == true { state.subscribers[taskID] = nil }
            }
        }
        return stream
    }

    func publish(_ taskID: String, _ event: A2AStreamEvent) {
        for continuation in state.withLock({ Array(($0.subscribers[taskID] ?? [:]).values) }) { continuation.yield(.event(event)) }
    }

    /// Ends every subscription to `taskID`, handing over the task as it `settled` when there is one.
    func finish(_ taskID: String, settled: A2ATask?) {
        for continuation in state.withLock({ $0.subscribers.removeValue(forKey: taskID).map { Array($0.values) } ?? [] }) {
            if let settled { continuation.yield(.settled(settled)) }
            continuation.finish()
        }
    }
}
