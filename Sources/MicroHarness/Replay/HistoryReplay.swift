import Micro
import MicroAgent

/// Re-drives stored runs through the current agents and tools, answering every model call with the answer the
/// history recorded and every tool call with the result it recorded, and reports the first place where the
/// current code does something else: the conversation it sends, a tool the recorded answer calls that is gone
/// or whose schema now rejects the recorded arguments, tool calls, tool results, extra or missing model calls,
/// the end of the run. A check to run in CI before deploying changed agents, tools or prompts (Temporal's
/// replayer, for agents).
///
/// Tools never run for real: the subject serves its services through ``Seams/service(_:)``, which wraps every
/// endpoint with a handler that returns the recorded result for the call's idempotency key and never calls the
/// endpoint's own handler (a call the history has no result for fails without reaching it). The replay itself
/// enforces the rest on the runner the subject returns: every agent's model must be ``Seams/model(replacing:)``'s
/// (it answers from the record; otherwise ``HistoryReplayError``), agents' extra tools and remote agents are
/// swapped for ones answering from the record, and the runner must not commit to the history, which is only read.
///
/// The system instructions and the names of the tools offered are compared when the runs' Trace is given
/// (checkpoints do not record them); the descriptions and schemas of tools no recorded answer calls are not.
public struct HistoryReplay: Sendable {
    /// What a subject uses to build the current code for one run with the record in place of models and tools.
    public struct Seams: Sendable {
        /// The run being replayed and its sub-agent runs, as stored.
        public let history: RecordedHistory
        let log: DivergenceLog

        /// The model to give an agent instead of `original` (whose ``ModelInfo`` it keeps): it answers from the record.
        public func model(replacing original: any Model) -> any Model {
            HistoryModel(info: original.info, history: history, divergences: log)
        }

        /// `service` with every endpoint answering from the record: the recorded result for the call's idempotency
        /// key (a recorded error is thrown again as the same ``ServiceError``). The endpoint's own handler is never
        /// called, whatever happens.
        public func service(_ service: Service) -> Service {
            let history = history, log = log, name = service.name
            // Other arguments than the history's for the same key show in the step's tool calls (compared after the run).
            return service.wrapped { endpoint, _, context, _ in
                try Self.recorded(history, key: context.idempotencyKey, what: "\(name).\(endpoint)", runID: context.runID, log: log)
            }
        }

        /// `tool` (an agent's extra tool) answering from the record like ``service(_:)``; its handler never runs.
        func tool(_ tool: Tool) -> Tool {
            let history = history, log = log
            return Tool(spec: tool.spec, target: tool.target) { _, context in
                try Self.recorded(history, key: context.idempotencyKey, what: "tool \(tool.name)", runID: context.runID, log: log)
            }
        }

        /// The recorded content under `key`, or the recorded error thrown again. A call the history answered
        /// without running it (denied, refused) is a divergence: the current code runs it.
        static func recorded(_ history: RecordedHistory, key: String, what: String, runID: String, log: DivergenceLog) throws -> JSONValue {
            guard let recorded = history.results[key] else {
                throw ServiceError(.unavailable, "history replay: no recorded result for \(what) under key \(key); tools never run in a replay")
            }
            guard recorded.executed else {
                log.add(HistoryDivergence(
                    runID: runID, step: step(of: key), kind: .toolCall, subject: "call \(recorded.call.id) \(recorded.call.name)",
                    history: ["ran": false, "result": recorded.result.content], current: ["ran": true, "arguments": recorded.call.arguments],
                    detail: "the history did not run this call (it was answered without running: denied or refused); the current code runs it"))
                throw ServiceError(.unavailable, "history replay: the history did not run \(what) under key \(key)")
            }
            guard recorded.result.isError else { return recorded.result.content }
            let error = recorded.result.content["error"]
            throw ServiceError(
                ServiceError.Code(rawValue: error?["code"]?.stringValue ?? ServiceError.Code.handlerFailed.rawValue),
                error?["message"]?.stringValue ?? recorded.result.content.canonicalString(), details: error?["details"])
        }

        /// The step in a `run/step/call` key.
        static func step(of key: String) -> Int {
            let parts = key.split(separator: "/")
            return parts.count >= 2 ? Int(parts[parts.count - 2]) ?? 0 : 0
        }
    }

    /// Where the stored runs are (only read).
    public let history: any Checkpointer
    /// The stored runs' Trace, when it was kept (`micro run --trace`): its model requests add the system
    /// instructions and the names of the tools offered to what is compared.
    public let trace: [TraceEvent]

    public init(history: any Checkpointer, trace: [TraceEvent] = []) {
        self.history = history
        self.trace = trace
    }

    /// Replays `runIDs` (default: every run in the history, oldest first; sub-agent runs replay with their
    /// parents, forks are skipped). `subject` builds the current code for one run: a runner whose agents'
    /// models and served services come from the ``Seams``, on a checkpointer of its own (fresh for each call).
    /// Throws ``HistoryReplayError`` for a run that is not in the history or a subject that commits to it.
    public func replay(
        runIDs: [String]? = nil, subject: @Sendable (Seams) async throws -> AgentRunner
    ) async throws -> HistoryReplayReport {
        let ids: [String]
        if let runIDs {
            ids = runIDs
        } else {
            ids = try await history.runs().reversed().map(\.runID)
        }
        var runs: [HistoryReplayReport.Run] = []
        for runID in ids {
            runs.append(try await replay(runID: runID, subject: subject))
        }
        return HistoryReplayReport(runs: runs)
    }

    private func replay(runID: String, subject: @Sendable (Seams) async throws -> AgentRunner) async throws -> HistoryReplayReport.Run {
        let recorded = try await RecordedHistory(runID: runID, checkpointer: history, trace: trace)
        guard let first = recorded.checkpoints[runID]?.first else {
            throw HistoryReplayError("no run \(runID) in the history")
        }
        let state = first.state
        let steps = recorded.steps[runID]?.values.count { $0.messages != nil } ?? 0
        if let fork = state.fork {
            return .init(runID: runID, agent: state.agent, steps: steps, skipped: "a fork of \(fork.summary): its history starts mid-run")
        }
        if let parent = state.parentRunID {
            return .init(runID: runID, agent: state.agent, steps: steps, skipped: "a sub-agent run of \(parent): replayed with it")
        }
        guard let input = state.memory.messages.first, input.role == .user else {
            throw HistoryReplayError("run \(runID) has no input message in its first checkpoint")
        }
        let log = DivergenceLog()
        let runner = try guarded(try await subject(Seams(history: recorded, log: log)), seams: Seams(history: recorded, log: log))
        var ended: String?
        do {
            var result = try await runner.run(state.agent, input: input.text, runID: runID)
            while result.status == .waitingForInput, let answer = try await answer(result, recorded: recorded, replay: runner.checkpointer) {
                result = try await runner.resume(runID: runID, input: answer)
            }
        } catch {
            ended = "\(error)"
        }
        let replayed = try await RecordedHistory(runID: runID, checkpointer: runner.checkpointer)
        var divergence = Comparison(history: recorded, current: replayed, log: log.all).first(runID: runID)
        if divergence == nil, let ended {
            divergence = HistoryDivergence(
                runID: runID, step: 0, kind: .outcome, subject: "the run", history: .null, current: .string(ended),
                detail: "the replay stopped with an error")
        }
        return .init(runID: runID, agent: state.agent, steps: steps, divergence: divergence)
    }

    /// `runner` with nothing live left in it: its agents' models must be the replay's, its agents' extra tools and
    /// its remote agents answer from the record, and it must not commit to the history.
    private func guarded(_ runner: AgentRunner, seams: Seams) throws -> AgentRunner {
        guard (runner.checkpointer as AnyObject) !== (history as AnyObject) else {
            throw HistoryReplayError("the replay's runner must commit to a checkpointer of its own, not to the history")
        }
        let agents = try runner.agents.values.sorted { $0.name < $1.name }.map { agent in
            let model = (agent.model as? WithoutBuiltinTools)?.base ?? agent.model
            guard model is HistoryModel else {
                throw HistoryReplayError("agent \(agent.name)'s model is not the replay's (Seams.model(replacing:)): it would be called for real")
            }
            var agent = agent
            agent.extraTools = agent.extraTools.map(seams.tool)
            return agent
        }
        let remotes: [any RemoteAgent] = runner.remoteAgents.values.map { RecordedRemoteAgent(name: $0.name, description: $0.description, history: seams.history, log: seams.log) }
        return AgentRunner(
            runtime: runner.runtime, checkpointer: runner.checkpointer, agents: agents, remoteAgents: remotes, trace: runner.trace,
            owner: runner.owner, leaseDuration: runner.leaseDuration)
    }

    /// The recorded answer to the question the replayed run waits for (asked by it or by a sub-agent).
    private func answer(_ result: RunResult, recorded: RecordedHistory, replay: any Checkpointer) async throws -> String? {
        var runID = result.runID
        var request = result.inputRequest
        while let child = request?.childRunID {
            runID = child
            request = try await replay.latest(runID: child)?.state.inputRequest
        }
        guard let request else { return nil }
        return recorded.answer(runID: runID, callID: request.callID)
    }
}

/// A remote agent answering `delegate` with the answer the history recorded for the call; never contacted.
struct RecordedRemoteAgent: RemoteAgent {
    let name: String
    let description: String
    let history: RecordedHistory
    let log: DivergenceLog

    func send(task: String, context: CallContext) async throws -> String {
        let content = try HistoryReplay.Seams.recorded(
            history, key: context.idempotencyKey, what: "remote agent \(name)", runID: context.runID, log: log)
        return content["output"]?.stringValue ?? content.canonicalString()
    }
}

/// A replay that cannot start: an unknown run, a run without input, a subject writing to the history.
public struct HistoryReplayError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
