import Foundation
import Logging
import Micro
import MicroAgent
import Synchronization

/// What the HTTP side and the run loop of one running ``A2AServer`` share: the runner, the task store,
/// the job queue, and the hub of claimed tasks and their followers.
final class A2AServerCore: Sendable {
    let runner: AgentRunner
    let agentName: String
    let tasks: A2ATaskStore
    let hub = A2ATaskHub()
    let jobs: AsyncStream<A2ATaskExecutor.Job>
    let logger: Logger
    let presentation: A2APresentation
    /// When this server began serving its card, as an HTTP date (the card's `Last-Modified`).
    let cardModified: String
    private let queue: AsyncStream<A2ATaskExecutor.Job>.Continuation

    var environment: Environment { runner.runtime.environment }

    init(runner: AgentRunner, agentName: String, store: any Store, retention: Duration?, presentation: A2APresentation, logger: Logger) {
        self.presentation = presentation
        cardModified = Self.httpDate(runner.runtime.environment.now())
        self.runner = runner
        self.agentName = agentName
        self.logger = logger
        tasks = A2ATaskStore(store: store, agent: agentName, retention: retention)
        (jobs, queue) = AsyncStream.makeStream(of: A2ATaskExecutor.Job.self)
    }

    deinit { queue.finish() }

    /// `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110's IMF-fixdate), to the second.
    static func httpDate(_ timestamp: Timestamp) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: Date(timeIntervalSince1970: Double(timestamp.millisecondsSinceEpoch / 1000)))
    }

    /// Queues a run of a task claimed in ``hub`` for the run loop.
    func enqueue(_ job: A2ATaskExecutor.Job) {
        queue.yield(job)
    }

    /// Persists `task`, then publishes `events` to its followers. A store failure is logged: the events
    /// still go out, and the task keeps its last stored state.
    func save(_ task: A2ATask, events: [A2AStreamEvent]) async {
        do {
            try await tasks.save(task)
        } catch {
            logger.error("cannot store A2A task \(task.id): \(error)")
        }
        for event in events { hub.publish(task.id, event) }
    }

    /// Records the task's run as cancelled, so it is never resumed and `micro runs list` agrees with the task.
    func recordCancel(_ task: A2ATask) async {
        do {
            try await runner.cancel(runID: task.runID ?? task.id, reason: "task \(task.id) was canceled over A2A")
        } catch let error as AgentError where error.code == .unknownRun {
            // Canceled before its run started: there is nothing to record.
        } catch {
            logger.error("cannot record the run of canceled task \(task.id) as cancelled: \(error)")
        }
    }

    /// Queues the tasks a previous server left submitted or working, so their runs continue from their checkpoints.
    func recover() async {
        do {
            for task in try await tasks.all() where (task.state == .submitted || task.state == .working) && hub.claim(task.id) {
                enqueue(.recover(task))
            }
        } catch {
            logger.error("cannot read the A2A tasks to recover: \(error)")
        }
    }
}
