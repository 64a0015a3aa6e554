import Foundation
import Micro
import MicroA2A
import MicroAgent
import MicroProviders
import Synchronization

/// Runs a scenario whose agent under test is behind an A2A endpoint (`external: {a2a: URL}`), in any
/// language. With a `command`, the world starts that process first, with the same edges as a process agent
/// (provider endpoint, MCP server, `MICRO_A2A_PORT`), waits for its agent card, and stops it when the run
/// ends; without one, the endpoint is already running elsewhere and only the A2A exchange is seen.
///
/// The run's prompt goes out as one A2A message; a task that asks for input (`input-required`) gets the
/// scenario's next `inputs` entry in the same task (the run pauses there when none is left); the finished
/// task's artifacts, else its last message, are the output. Under `micro chaos` the process is killed at its
/// model requests and tool calls and restarted, and the message that was in flight is sent again with the
/// same message ID, as a client retries after a lost connection: an agent that keeps its tasks across
/// restarts answers it, one that does not starts over.
enum ExternalA2ARun {
    /// Where the conversation stands; it outlives the processes that serve it.
    struct Conversation: Sendable {
        var message: A2AMessage
        var inputs: ArraySlice<String>
        var turn = 1
    }

    /// How one process's share of the conversation ended.
    enum End: Sendable {
        case completed(String)
        case waiting(String)
        case failed(RunFailure)
        /// The endpoint went away (the process died, or the connection broke); the conversation can go on.
        case lost(String, Conversation)
    }

    static func drive(
        _ world: World, edge: ExternalEdge, external: ExternalAgentSpec, url template: String, environment: [String: String],
        work: String, kill: ExternalKillPoint?, started: VirtualClock.Instant
    ) async -> ScenarioOutcome {
        let scenario = world.scenario
        var environment = environment
        if template.contains("${MICRO_A2A_PORT}") {
            guard let port = LoopbackPort.free() else {
                return .failed(scenario, trace: world.trace, check: "external", "no free loopback port for MICRO_A2A_PORT")
            }
            environment["MICRO_A2A_PORT"] = String(port)
        }
        let url = ExternalProcess.expand(template, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 })
        let command = external.command.map { ExternalProcess.expand($0, environment: ProcessInfo.processInfo.environment) }
        edge.append(
            .runStarted, step: 0,
            ["input": .string(scenario.run.prompt), "a2a": .string(url), "command": .array(command.map(JSONValue.string))])
        var conversation = Conversation(
            message: .text(scenario.run.prompt, role: .user, messageID: "\(scenario.run.runID)-message-1"), inputs: scenario.run.inputs[...])
        var crashes = 0
        var armed = kill
        var end: End
        while true {
            let errors = (work as NSString).appendingPathComponent("stderr-\(crashes + 1)")
            let process = command.isEmpty ? nil : ExternalProcess(
                command: command, environment: environment, directory: scenario.resolve(external.workingDirectory ?? "."),
                standardOutput: (work as NSString).appendingPathComponent("stdout-\(crashes + 1)"), standardError: errors,
                timeout: external.timeout)
            let point = armed
            let current = conversation
            let (termination, ended) = await serve(process, edge: edge, kill: point) {
                await converse(current, url: url, edge: edge, timeout: external.timeout)
            }
            armed = nil
            end = ended
            if case .lost(let why, let state) = ended {
                conversation = state
                if termination == .signalled(SIGKILL), let point = edge.takeKill() {
                    crashes += 1
                    edge.append(.crashed, ["killed": .string(point.description), "process": .integer(crashes)])
                    guard crashes <= ExternalAgentRun.maximumRestarts else {
                        end = .failed(RunFailure(code: "agent_crash", message: "the agent was killed \(crashes) times; giving up"))
                        break
                    }
                    edge.append(.resumed, ["fromJuncture": .string(point.description), "input": .null, "process": .integer(crashes + 1)])
                    continue
                }
                let stderr = ExternalAgentRun.tail((try? String(contentsOfFile: errors, encoding: .utf8)) ?? "")
                end = .failed(lostFailure(why, termination: termination, command: command, stderr: stderr, timeout: external.timeout))
            }
            break
        }
        let counts = edge.counts
        let result: RunResult
        switch end {
        case .completed(let output) where counts.misses.isEmpty:
            edge.append(.completed, ["output": .string(output)])
            result = RunResult(runID: scenario.run.runID, status: .completed, output: output, steps: counts.modelRequests, usage: counts.usage)
        case .waiting(let prompt) where counts.misses.isEmpty:
            result = RunResult(
                runID: scenario.run.runID, status: .waitingForInput, inputRequest: InputRequest(callID: "a2a", prompt: prompt),
                steps: counts.modelRequests, usage: counts.usage)
        case .failed(let failure):
            edge.append(.failed, ["code": .string(failure.code), "message": .string(failure.message)])
            result = RunResult(runID: scenario.run.runID, status: .failed, failure: failure, steps: counts.modelRequests, usage: counts.usage)
        default:
            let failure = RunFailure(code: "unrecorded_request", message: counts.misses.joined(separator: "; "))
            edge.append(.failed, ["code": .string(failure.code), "message": .string(failure.message)])
            result = RunResult(runID: scenario.run.runID, status: .failed, failure: failure, steps: counts.modelRequests, usage: counts.usage)
        }
        let record = await world.record(
            result: result, error: nil, crashes: crashes, virtualDuration: started.duration(to: world.clock.now))
        return ScenarioOutcome(scenario: scenario, record: record)
    }

    /// Runs `talk` against the endpoint while `process` (if any) serves it: the process is stopped when the
    /// talk ends, and the talk is cancelled when the process ends first.
    static func serve(
        _ process: ExternalProcess?, edge: ExternalEdge, kill point: ExternalKillPoint?, talk: @escaping @Sendable () async -> End
    ) async -> (ExternalProcess.Termination?, End) {
        guard let process else { return (nil, await talk()) }
        enum Leg: Sendable {
            case process(ExternalProcess.Termination?, String?)
            case talk(End)
        }
        let pid = PIDBox()
        return await withTaskGroup(of: Leg.self) { group in
            group.addTask {
                do {
                    return .process(try await process.run { started in
                        pid.set(started)
                        edge.arm(point, pid: started)
                    }, nil)
                } catch {
                    return .process(nil, "\(error)")
                }
            }
            group.addTask { .talk(await talk()) }
            var termination: ExternalProcess.Termination?
            var end: End?
            var startFailure: String?
            while let leg = await group.next() {
                switch leg {
                case .process(let ended, let failure):
                    termination = ended
                    startFailure = failure
                    if end == nil { group.cancelAll() }
                case .talk(let ended):
                    end = ended
                    if termination == nil, startFailure == nil, let running = pid.value { Foundation.kill(running, SIGKILL) }
                }
            }
            if let startFailure { return (nil, .failed(RunFailure(code: "agent_exit", message: startFailure))) }
            return (termination, end ?? .failed(RunFailure(code: "a2a", message: "the conversation did not end")))
        }
    }

    /// Waits for the agent card, then sends the conversation's messages until the task ends or waits for
    /// input the scenario does not have. Real time: a live peer is on the other side.
    static func converse(_ start: Conversation, url: String, edge: ExternalEdge, timeout: Duration) async -> End {
        var conversation = start
        let giveUpAt = ContinuousClock.now.advanced(by: timeout)
        var client = A2AClient(
            url: url, transport: CurlTransport(), timeout: timeout, retry: RetryPolicy(maxAttempts: 1), environment: .live)
        let card: A2AAgentCard
        do {
            card = try await waitForCard(client, until: giveUpAt)
        } catch {
            return .lost("no agent card at \(url) within \(timeout): \(error)", conversation)
        }
        guard let endpoint = card.jsonRPCEndpoint else {
            return .failed(RunFailure(code: "a2a", message: "the card at \(url) offers no JSON-RPC interface"))
        }
        client.endpoint = A2AClient.Endpoint(url: endpoint.url, version: endpoint.version)
        while true {
            var task: A2ATask
            do {
                switch try await client.send(conversation.message) {
                case .message(let reply): return .completed(reply.text)
                case .task(let sent): task = sent
                }
                while !task.state.isTerminal && !task.state.isInterrupted {
                    guard ContinuousClock.now < giveUpAt else {
                        return .failed(RunFailure(code: "agent_timeout", message: "task \(task.id) at \(url) is still \(task.state.rawValue) after \(timeout)"))
                    }
                    try await Task.sleep(for: .milliseconds(50))
                    task = try await client.task(task.id)
                }
            } catch let error as A2AClientError where error.rpcError != nil || error.code == .invalidResponse {
                return .failed(RunFailure(code: "a2a", message: "\(url) answered message \(conversation.message.messageID) with an error: \(error)"))
            } catch {
                return .lost("message \(conversation.message.messageID) to \(url) got no answer: \(error)", conversation)
            }
            switch task.state {
            case .completed:
                return .completed(task.outputText)
            case .inputRequired:
                let prompt = task.statusMessage?.text ?? ""
                edge.append(.paused, ["prompt": .string(prompt), "taskID": .string(task.id)])
                guard let input = conversation.inputs.popFirst() else { return .waiting(prompt) }
                edge.append(.resumed, ["input": .string(input), "taskID": .string(task.id)])
                conversation.turn += 1
                conversation.message = .text(
                    input, role: .user, messageID: "\(edge.runID)-message-\(conversation.turn)", taskID: task.id, contextID: task.contextID)
            default:
                return .failed(RunFailure(
                    code: "a2a_task_\(task.state.rawValue)",
                    message: "task \(task.id) at \(url) ended \(task.state.rawValue): \(task.statusMessage?.text ?? "(no message)")"))
            }
        }
    }

    /// The card, asked for every 50 ms until `deadline` (the process may still be starting).
    static func waitForCard(_ client: A2AClient, until deadline: ContinuousClock.Instant) async throws -> A2AAgentCard {
        while true {
            do {
                return try await client.card()
            } catch {
                guard ContinuousClock.now < deadline else { throw error }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// Why the endpoint went away, from how the process ended.
    static func lostFailure(
        _ why: String, termination: ExternalProcess.Termination?, command: [String], stderr: String, timeout: Duration
    ) -> RunFailure {
        let program = command.joined(separator: " ")
        switch termination {
        case .exited(let code)?: return RunFailure(code: "agent_exit", message: "\(program) exited with \(code): \(why); \(stderr)")
        case .signalled(let signal)?: return RunFailure(code: "agent_crash", message: "\(program) died of signal \(signal): \(why); \(stderr)")
        case .timedOut?: return RunFailure(code: "agent_timeout", message: "\(program) did not finish within \(timeout) (real time): \(why)")
        case nil: return RunFailure(code: "a2a_unreachable", message: why)
        }
    }
}

/// The pid of a process once it has started.
final class PIDBox: Sendable {
    private let pid = Mutex<Int32?>(nil)
    func set(_ value: Int32) { pid.withLock { $0 = value } }
    var value: Int32? { pid.withLock { $0 } }
}

/// A loopback TCP port nobody listens on now (the kernel's pick; free until someone binds it).
enum LoopbackPort {
    static func free() -> Int? {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return nil }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }
}
