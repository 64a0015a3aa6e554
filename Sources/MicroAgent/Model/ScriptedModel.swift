import Micro
import Synchronization

/// A model whose answers are written in advance: each call takes the next turn of the script.
///
/// A turn can answer with text and/or tool calls, report usage, insist on what the last message says
/// (``Turn/expecting``), or fail (``Turn/failure``). When the script runs out, or a turn's expectation does
/// not match, the call fails with ``ModelError/Code/noMatch`` naming the turn and showing the request.
public final class ScriptedModel: Model {
    public struct Turn: Sendable, Hashable, Codable {
        public var text: String?
        public var toolCalls: [ToolCall]
        public var usage: Usage?
        public var stopReason: StopReason?
        /// If set, the last message of the request must contain this text (in its text or tool results).
        public var expecting: String?
        /// If set, the call fails with this error instead of answering.
        public var failure: ScriptedFailure?

        public init(
            text: String? = nil, toolCalls: [ToolCall] = [], usage: Usage? = nil, stopReason: StopReason? = nil,
            expecting: String? = nil, failure: ScriptedFailure? = nil
        ) {
            self.text = text
            self.toolCalls = toolCalls
            self.usage = usage
            self.stopReason = stopReason
            self.expecting = expecting
            self.failure = failure
        }

        /// A final answer.
        public static func answer(_ text: String, usage: Usage? = nil) -> Turn { Turn(text: text, usage: usage) }

        /// A turn that calls tools.
        public static func calls(_ calls: [ToolCall], text: String? = nil, usage: Usage? = nil) -> Turn {
            Turn(text: text, toolCalls: calls, usage: usage)
        }

        /// A turn that fails.
        public static func fail(_ failure: ScriptedFailure) -> Turn { Turn(failure: failure) }
    }

    /// An error a scripted turn throws.
    public struct ScriptedFailure: Sendable, Hashable, Codable {
        public var code: String
        public var message: String
        public var retryAfterMilliseconds: Int?

        public init(code: ModelError.Code, message: String, retryAfter: Duration? = nil) {
            self.code = code.rawValue
            self.message = message
            self.retryAfterMilliseconds = retryAfter.map { Int($0.milliseconds) }
        }

        var error: ModelError {
            ModelError(
                ModelError.Code(rawValue: code), message,
                retryAfter: retryAfterMilliseconds.map { .milliseconds($0) })
        }
    }

    /// How the next turn is chosen.
    public enum Selection: String, Sendable, Hashable, Codable {
        /// Each call takes the next turn, whatever it asks.
        case sequential
        /// A call takes turn *n* when it is its run's *n*-th model call (``ModelRequest/turn``; without one,
        /// when its request holds *n* − 1 assistant messages), so a run resumed in a new process (with a fresh
        /// model) gets the same answers as an uninterrupted one, and compaction does not rewind the script.
        case byAssistantTurns = "by_assistant_turns"
    }

    public let info: ModelInfo
    public let turns: [Turn]
    public let selection: Selection
    private let position = Mutex(0)
    private let received = Mutex<[ModelRequest]>([])

    public init(
        _ turns: [Turn], selection: Selection = .sequential,
        info: ModelInfo = ModelInfo(provider: "scripted", name: "scripted", contextWindow: 200_000)
    ) {
        self.turns = turns
        self.selection = selection
        self.info = info
    }

    /// How many turns have been taken.
    public var turnsTaken: Int { position.withLock { $0 } }

    /// Every request received, in order.
    public var requests: [ModelRequest] { received.withLock { $0 } }

    public func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        received.withLock { $0.append(request) }
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: ModelEvent.self)
        do {
            for event in try events(for: request) { continuation.yield(event) }
            continuation.finish()
        } catch {
            continuation.finish(throwing: error)
        }
        return stream
    }

    private func events(for request: ModelRequest) throws -> [ModelEvent] {
        let index = position.withLock { position -> Int in
            defer { position += 1 }
            switch selection {
            case .sequential: return position
            case .byAssistantTurns: return request.turn.map { $0 - 1 } ?? request.messages.count { $0.role == .assistant }
            }
        }
        guard index < turns.count else {
            throw ModelError(
                .noMatch,
                "the script has \(turns.count) turns and call \(index + 1) asked for another; request: \(Self.summary(of: request))")
        }
        let turn = turns[index]
        if let expected = turn.expecting {
            let last = request.messages.last.map(Self.searchableText) ?? ""
            guard last.contains(expected) else {
                throw ModelError(
                    .noMatch,
                    "turn \(index + 1) expects the last message to contain \"\(expected)\"; request: \(Self.summary(of: request))")
            }
        }
        if let failure = turn.failure { throw failure.error }
        var events: [ModelEvent] = []
        if let text = turn.text, !text.isEmpty { events.append(.textDelta(text)) }
        for (offset, call) in turn.toolCalls.enumerated() {
            events.append(.toolCallStart(index: offset, id: call.id, name: call.name))
            events.append(.toolCallDelta(index: offset, arguments: call.arguments.canonicalString()))
            events.append(.toolCallEnd(index: offset))
        }
        events.append(.usage(turn.usage ?? Usage(inputTokens: TokenEstimator.standard.count(request), outputTokens: 10)))
        events.append(.finish(turn.stopReason ?? (turn.toolCalls.isEmpty ? .endTurn : .toolUse)))
        return events
    }

    static func searchableText(_ message: Message) -> String {
        message.parts.map { part in
            switch part {
            case .text(let text): text
            case .reasoning(let reasoning): reasoning.text
            case .toolCall(let call): "\(call.name) \(call.arguments.canonicalString())"
            case .toolResult(let result): result.content.canonicalString()
            }
        }.joined(separator: "\n")
    }

    /// The request in short: its last message and the tools offered.
    static func summary(of request: ModelRequest) -> String {
        let last = request.messages.last.map { "\($0.role.rawValue): \(searchableText($0).prefix(300))" } ?? "(no messages)"
        return "\(request.messages.count) messages, last \(last); tools: \(request.tools.map(\.name).joined(separator: ", "))"
    }
}
