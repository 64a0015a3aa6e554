import Foundation
import Micro
import MicroAgent
import MicroProviders
import Synchronization

/// Where a chaos run kills an external agent: when its n-th model request or n-th tool call reaches the
/// world, before it is answered or executed.
public enum ExternalKillPoint: Sendable, Hashable, CustomStringConvertible {
    case modelRequest(Int)
    case toolCall(Int)
    /// After the n-th tool call that ran returned, before its result reaches the agent.
    case toolReturned(Int)

    public var description: String {
        switch self {
        case .modelRequest(let n): "at model request \(n)"
        case .toolCall(let n): "at tool call \(n), before it runs"
        case .toolReturned(let n): "after tool call \(n) ran, before its result"
        }
    }
}

/// What the world sees of an external agent: the model requests and tool calls that cross its edges, written
/// to the Trace as they happen, counted for chaos kill points, and the requests no recording could answer.
final class ExternalEdge: Sendable {
    let trace: Trace
    let environment: Environment
    let runID: String
    let agent: String

    private struct State {
        var modelRequests = 0
        var toolCalls = 0
        var toolCallsArrived = 0
        var identicalCalls: [String: Int] = [:]
        var usage = Usage()
        var misses: [String] = []
        var kill: ExternalKillPoint?
        var pid: Int32 = 0
        var killedAt: ExternalKillPoint?
    }

    private let state = Mutex(State())

    init(trace: Trace, environment: Environment, runID: String, agent: String) {
        self.trace = trace
        self.environment = environment
        self.runID = runID
        self.agent = agent
    }

    /// Model requests so far, tool calls so far, the tokens the answers reported, and the unanswerable requests.
    var counts: (modelRequests: Int, toolCalls: Int, usage: Usage, misses: [String]) {
        state.withLock { ($0.modelRequests, $0.toolCalls, $0.usage, $0.misses) }
    }

    /// Arms a kill point (counted from now) for the process `pid`.
    func arm(_ point: ExternalKillPoint?, pid: Int32) {
        state.withLock {
            $0.kill = point
            $0.pid = pid
        }
    }

    /// The kill point that killed the process last, taken once.
    func takeKill() -> ExternalKillPoint? {
        state.withLock { state in
            defer { state.killedAt = nil }
            return state.killedAt
        }
    }

    // MARK: Model edge

    func modelRequest(_ request: HTTPRequest, provider: String) throws -> Int {
        let step = state.withLock {
            $0.modelRequests += 1
            return $0.modelRequests
        }
        try killIfArmed(.modelRequest(step))
        let body = try? JSONValue(parsing: request.body)
        var data: [String: JSONValue] = [
            "provider": .string(provider), "path": .string(URLComponents(string: request.url)?.path ?? request.url),
            // The world cannot count the agent's tokens; a request's bytes / 4 is the usual estimate.
            "estimatedTokens": .integer(request.body.count / 4), "external": true,
        ]
        if let messages = body?["messages"]?.arrayValue ?? body?["contents"]?.arrayValue { data["messages"] = .integer(messages.count) }
        if let tools = body?["tools"]?.arrayValue { data["tools"] = .integer(tools.count) }
        append(.modelRequest, step: step, .object(data))
        return step
    }

    func modelResponse(status: Int, body: [UInt8], summary: ModelResponse?, step: Int) {
        guard status < 400 else {
            let text = String(decoding: body.prefix(2000), as: UTF8.self)
            append(.modelError, step: step, ["status": .integer(status), "body": .string(text)])
            return
        }
        var data: [String: JSONValue] = ["status": .integer(status)]
        if let summary {
            state.withLock { $0.usage = $0.usage + summary.usage }
            data["usage"] = summary.usage.jsonValue
            data["text"] = .string(summary.message.text)
            data["toolCalls"] = .array(summary.message.toolCalls.map { ["name": .string($0.name), "arguments": $0.arguments] })
            data["stopReason"] = .string(summary.stopReason.rawValue)
        }
        append(.modelResponse, step: step, .object(data))
    }

    func modelError(_ message: String, step: Int, miss: Bool) {
        if miss { state.withLock { $0.misses.append("model request \(step): \(message)") } }
        append(.modelError, step: step, ["message": .string(message), "unrecorded": .bool(miss)])
    }

    // MARK: Tool edge

    /// A service call from the agent (through MCP) is about to run: its number among the calls that ran, and
    /// its idempotency key. A call that carries the agent's own key (`_meta["io.micro/idempotency-key"]`) is
    /// keyed by it, so the agent sending it again after a restart is the same call. Otherwise the world keys
    /// it by its tool, its arguments and how many identical calls ran before it: a resumed agent's call gets
    /// the key it had in an uninterrupted run, and a repeated call gets a new one.
    func toolCall(_ tool: String, arguments: JSONValue, runID: String, clientKey: String? = nil) throws -> (number: Int, key: String) {
        let arrived = state.withLock {
            $0.toolCallsArrived += 1
            return $0.toolCallsArrived
        }
        try killIfArmed(.toolCall(arrived))
        let content = "\(tool) \(arguments.canonicalString())"
        let (number, occurrence) = state.withLock { state in
            state.toolCalls += 1
            state.identicalCalls[content, default: 0] += 1
            return (state.toolCalls, state.identicalCalls[content]!)
        }
        let key = clientKey.map { "\(runID)/mcp/key/\($0)" } ?? "\(runID)/mcp/\(tool)/\(Self.digest(arguments.canonicalString()))/\(occurrence)"
        append(.toolCall, step: step, ["tool": .string(tool), "arguments": arguments, "callID": .string("mcp-\(number)"), "idempotencyKey": .string(key)])
        return (number, key)
    }

    /// A short stable digest (FNV-1a, 64 bits, hex) of `text`.
    static func digest(_ text: String) -> String { Digest.fnv1a64(text.utf8) }

    /// A call that ran returned; the result goes back to the agent unless a chaos kill comes first.
    func toolResult(_ tool: String, number: Int, content: JSONValue, isError: Bool) throws {
        append(.toolResult, step: step, ["tool": .string(tool), "callID": .string("mcp-\(number)"), "content": content, "isError": .bool(isError)])
        try killIfArmed(.toolReturned(number))
    }

    // MARK: Helpers

    private var step: Int { state.withLock { $0.modelRequests } }

    func append(_ kind: TraceEvent.Kind, step: Int? = nil, _ data: JSONValue) {
        trace.append(kind, runID: runID, agent: agent, step: step ?? self.step, at: environment.now(), data: data)
    }

    /// Kills the process with SIGKILL when `point` is the armed one, and refuses to go on.
    private func killIfArmed(_ point: ExternalKillPoint) throws {
        let pid: Int32? = state.withLock { state in
            guard state.kill == point, state.pid > 0 else { return nil }
            state.kill = nil
            state.killedAt = point
            return state.pid
        }
        guard let pid else { return }
        kill(pid, SIGKILL)
        throw ExternalAgentError("killed \(point) (chaos)")
    }
}

/// An external agent that could not be run, or was killed on purpose.
public struct ExternalAgentError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
