import Micro
import MicroAgent
import ServiceLifecycle
import Synchronization

/// Drives the runs behind an A2A server's tasks: the server's run loop, a task group with one child per
/// task being worked on. A cancel request ends that child's run by cancelling it (the run's task, not a
/// flag it polls) and records the run as cancelled; stopping the server cancels them all (their leases given
/// back) and leaves their tasks `working` in the store, to be recovered (``Job/recover(_:)``) when a server
/// starts on the same store again — another owner's lease is waited out, then the run is taken over.
struct A2ATaskExecutor: ServiceLifecycle.Service {
    enum Job: Sendable {
        /// Start the task's run on `input` (or continue it from its checkpoint if it exists).
        case start(A2ATask, input: String)
        /// Answer the question the task's paused run asked.
        case resume(A2ATask, input: String)
        /// Continue a task a previous server left submitted or working, from what its run and its history say:
        /// a run never started starts on the first message, a paused run whose follow-up arrived before the
        /// crash takes that follow-up as its answer, any other run goes on from its checkpoint.
        case recover(A2ATask)

        var task: A2ATask {
            switch self {
            case .start(let task, _), .resume(let task, _), .recover(let task): task
            }
        }
    }

    let core: A2AServerCore
    /// How many times a run held by another owner is tried, a lease's length apart.
    static let leaseAttempts = 3

    func run() async throws {
        await core.recover()
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for await job in core.jobs {
                    group.addTask { await execute(job) }
                }
                group.cancelAll()
            }
        }
    }

    private enum Outcome: Sendable {
        case finished(RunResult)
        case failed(String)
        case canceled
        /// Another process holds the run's lease: the task stays as it is, for whoever holds the run.
        case leaseHeld(String)
    }

    private func execute(_ job: Job) async {
        let initial = job.task
        let signal = core.hub.cancelSignal(initial.id)
        var task = initial
        if task.state != .working {
            task.state = .working
            task.updatedAt = core.environment.now()
            await core.save(task, events: [.status(taskID: task.id, contextID: task.contextID, state: .working, message: nil, final: false)])
        }
        let outcome = await withTaskGroup(of: Outcome?.self) { group -> Outcome? in
            group.addTask {
                // Another owner's lease (a server that died mid-run): wait it out, then take the run over.
                for attempt in 1...Self.leaseAttempts {
                    do {
                        return .finished(try await perform(job))
                    } catch let error as CheckpointError where error.code == .leaseHeld {
                        if attempt == Self.leaseAttempts { return .leaseHeld(error.description) }
                        core.logger.info("task \(initial.id): \(error); retrying in \(core.runner.leaseDuration)")
                        do { try await core.environment.sleep(for: core.runner.leaseDuration) } catch { return nil }
                    } catch {
                        return Task.isCancelled ? nil : .failed("\(error)")
                    }
                }
                return nil
            }
            group.addTask {
                for await _ in signal {}
                return Task.isCancelled ? nil : .canceled
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        switch outcome {
        case nil:
            // The server is stopping: the task stays as it is, to be resumed by the next server.
            core.hub.settle(task.id, settled: nil)
        case .leaseHeld(let reason)?:
            core.logger.warning("task \(task.id) stays \(task.state.rawValue): \(reason)")
            core.hub.settle(task.id, settled: nil)
        case let outcome?:
            await finish(&task, outcome)
        }
    }

    private func perform(_ job: Job) async throws -> RunResult {
        let runner = core.runner
        switch job {
        case .start(let task, let input):
            let runID = task.runID ?? task.id
            if try await runner.checkpointer.latest(runID: runID) != nil {
                return try await runner.resume(runID: runID)
            }
            return try await runner.run(core.agentName, input: input, runID: runID)
        case .resume(let task, let input):
            return try await runner.resume(runID: task.runID ?? task.id, input: input)
        case .recover(let task):
            let runID = task.runID ?? task.id
            guard let latest = try await runner.checkpointer.latest(runID: runID) else {
                let first = task.history.first { $0.role == .user }
                return try await runner.run(core.agentName, input: first.map(core.presentation.input) ?? "", runID: runID)
            }
            if latest.state.status == .waitingForInput, let followUp = task.pendingFollowUp {
                return try await runner.resume(runID: runID, input: core.presentation.input(followUp))
            }
            return try await runner.resume(runID: runID)
        }
    }

    private func finish(_ task: inout A2ATask, _ outcome: Outcome) async {
        let environment = core.environment
        task.updatedAt = environment.now()
        var events: [A2AStreamEvent] = []
        func agentMessage(_ text: String) -> A2AMessage {
            .text(text, role: .agent, messageID: environment.ids.next("msg"), taskID: task.id, contextID: task.contextID)
        }
        switch outcome {
        case .finished(let result) where result.status == .completed:
            task.state = .completed
            task.statusMessage = nil
            switch core.presentation.answer(result.output ?? "") {
            case .artifacts(let artifacts):
                task.artifacts = artifacts.map { artifact in
                    var artifact = artifact
                    artifact.artifactID = task.id + "-" + artifact.artifactID
                    return artifact
                }
                task.history.append(agentMessage(result.output ?? ""))
                for artifact in task.artifacts {
                    events.append(.artifact(taskID: task.id, contextID: task.contextID, artifact: artifact, lastChunk: true))
                }
            case .message(let parts):
                let reply = A2AMessage(
                    messageID: environment.ids.next("msg"), role: .agent, parts: parts, taskID: task.id, contextID: task.contextID)
                task.reply = reply
                task.history.append(reply)
                events.append(.message(reply))
            }
        case .finished(let result) where result.status == .waitingForInput:
            var question = agentMessage(result.inputRequest?.prompt ?? "")
            // An approval question also carries the call, structured, for a client to render.
            if let approval = result.inputRequest?.approval, let data = try? JSONValueEncoder().encode(approval) {
                question.parts.append(.data(["approval": data]))
            }
            task.state = .inputRequired
            task.statusMessage = question
            task.history.append(question)
        case .finished(let result) where result.status == .cancelled:
            task.state = .canceled
            task.statusMessage = nil
        case .finished(let result):
            task.state = .failed
            task.statusMessage = agentMessage(result.failure?.description ?? "the run ended \(result.status.rawValue)")
        case .failed(let message):
            task.state = .failed
            task.statusMessage = agentMessage(message)
        case .canceled:
            task.state = .canceled
            task.statusMessage = nil
            await core.recordCancel(task)
        case .leaseHeld:
            return
        }
        events.append(.status(taskID: task.id, contextID: task.contextID, state: task.state, message: task.statusMessage, final: true))
        await core.save(task, events: events)
        core.hub.settle(task.id, settled: task)
    }
}
