import Synchronization

/// The jobs driving tasks and the requests following them, under one lock so that "is a job driving this
/// task?" and "tell me when it settles" cannot miss each other.
///
/// A task is claimed before its job is queued (a second claim fails, so two follow-ups cannot both resume
/// a run); requests follow a claimed task and get its events, then the task as it settled; settling
/// releases the claim and ends every follow at once. A cancel request ends the job's cancel signal.
final class A2ATaskHub: Sendable {
    enum Update: Sendable {
        case event(A2AStreamEvent)
        /// The task as stored after its final event (so a waiting request need not read it back).
        case settled(A2ATask)
    }

    private struct Job {
        var signal: AsyncStream<Void>
        var cancel: AsyncStream<Void>.Continuation
        var followers: [Int: AsyncStream<Update>.Continuation] = [:]
    }

    private struct State {
        var next = 0
        var jobs: [String: Job] = [:]
        /// Subscribers that stay until their task ends (a terminal state), across the jobs that drive it.
        var watchers: [String: [Int: AsyncStream<Update>.Continuation]] = [:]
    }
    private let state = Mutex(State())

    /// Marks `taskID` as driven by a job; false when a job already drives it.
    func claim(_ taskID: String) -> Bool {
        state.withLock { state in
            guard state.jobs[taskID] == nil else { return false }
            let (signal, cancel) = AsyncStream.makeStream(of: Void.self)
            state.jobs[taskID] = Job(signal: signal, cancel: cancel)
            return true
        }
    }

    /// The signal that ends when a cancel of `taskID` is asked for (a signal that never ends when unclaimed).
    func cancelSignal(_ taskID: String) -> AsyncStream<Void> {
        state.withLock { $0.jobs[taskID]?.signal } ?? AsyncStream { _ in }
    }

    /// The updates of `taskID` until it settles, or nil when no job drives it. With `cancel`, the job is
    /// also asked to stop.
    func follow(_ taskID: String, cancel: Bool = false) -> AsyncStream<Update>? {
        let (stream, continuation) = AsyncStream.makeStream(of: Update.self)
        let token: Int? = state.withLock { state in
            guard state.jobs[taskID] != nil else { return nil }
            state.next += 1
            state.jobs[taskID]!.followers[state.next] = continuation
            if cancel { state.jobs[taskID]!.cancel.finish() }
            return state.next
        }
        guard let token else { return nil }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.jobs[taskID]?.followers.removeValue(forKey: token) }
        }
        return stream
    }

    /// The updates of `taskID` until it reaches a terminal state — through pauses for input and the jobs
    /// that resume it — or the server stops (`SubscribeToTask`).
    func watch(_ taskID: String) -> AsyncStream<Update> {
        let (stream, continuation) = AsyncStream.makeStream(of: Update.self)
        let token = state.withLock { state in
            state.next += 1
            state.watchers[taskID, default: [:]][state.next] = continuation
            return state.next
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { state in
                state.watchers[taskID]?.removeValue(forKey: token)
                if state.watchers[taskID]?.isEmpty == true { state.watchers[taskID] = nil }
            }
        }
        return stream
    }

    func publish(_ taskID: String, _ event: A2AStreamEvent) {
        let followers = state.withLock { Array(($0.jobs[taskID]?.followers ?? [:]).values) + Array(($0.watchers[taskID] ?? [:]).values) }
        for follower in followers { follower.yield(.event(event)) }
    }

    /// Releases the claim on `taskID` and ends every follow, handing over the task as it `settled` if it did;
    /// watchers end too when it settled in a terminal state, or when nothing settled it and `endsWatchers`
    /// (this server will not drive the task again: it stops, or another owner holds the run).
    func settle(_ taskID: String, settled: A2ATask?, endsWatchers: Bool = true) {
        let (job, watchers) = state.withLock { state in
            let ends = settled.map { $0.state.isTerminal } ?? endsWatchers
            return (state.jobs.removeValue(forKey: taskID), ends ? state.watchers.removeValue(forKey: taskID) ?? [:] : [:])
        }
        job?.cancel.finish()
        for follower in Array(job?.followers.values ?? [:].values) + Array(watchers.values) {
            if let settled { follower.yield(.settled(settled)) }
            follower.finish()
        }
    }
}
