import Foundation
import Micro
import MicroAgent

/// A model written as rules over the conversation: `decide` reads the request (the customer's words, what the
/// tools returned) and gives the next turn. Deterministic and stateless, so a run resumed in a new process
/// gets the same answers as an uninterrupted one, and it reacts to what the services actually did.
public struct DeskModel: Model {
    public let info: ModelInfo
    let decide: @Sendable (Conversation) throws -> ScriptedModel.Turn

    public init(name: String, decide: @escaping @Sendable (Conversation) throws -> ScriptedModel.Turn) {
        self.info = ModelInfo(provider: "support-desk", name: name, contextWindow: 200_000)
        self.decide = decide
    }

    public func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        do {
            return ScriptedModel([try decide(Conversation(request))], info: info).stream(request)
        } catch {
            let (stream, continuation) = AsyncThrowingStream.makeStream(of: ModelEvent.self)
            continuation.finish(throwing: error)
            return stream
        }
    }
}

/// What a ``DeskModel`` reads of a request: the task, the latest words from the user, and each tool's results.
public struct Conversation: Sendable {
    public struct Result: Sendable {
        public var tool: String
        public var content: JSONValue
        public var isError: Bool
        /// The error's message when the call failed.
        public var errorMessage: String? { isError ? content["error"]?["message"]?.stringValue ?? content.canonicalString() : nil }
    }

    public let request: ModelRequest
    /// The first user message: the task.
    public let task: String
    /// Every tool result so far, oldest first.
    public let results: [Result]
    /// How many model turns came before this one.
    public let turn: Int

    init(_ request: ModelRequest) {
        self.request = request
        task = request.messages.first { $0.role == .user }?.text ?? ""
        var names: [String: String] = [:]
        var results: [Result] = []
        for message in request.messages {
            for call in message.toolCalls { names[call.id] = call.name }
            for result in message.toolResults {
                results.append(Result(tool: names[result.callID] ?? "", content: result.content, isError: result.isError))
            }
        }
        self.results = results
        turn = request.turn.map { $0 - 1 } ?? request.messages.count { $0.role == .assistant }
    }

    /// The results of `tool`, oldest first.
    public func results(of tool: String) -> [Result] { results.filter { $0.tool == tool } }

    /// The last successful result of `tool`.
    public func succeeded(_ tool: String) -> JSONValue? { results(of: tool).last { !$0.isError }?.content }

    /// The first match of `pattern` (a regular expression) in `text`.
    public static func first(_ pattern: String, in text: String) -> String? {
        guard let range = text.range(of: pattern, options: .regularExpression) else { return nil }
        return String(text[range])
    }

    /// A call with an ID that is the same in every process for the same turn.
    public func call(_ name: String, _ arguments: JSONValue, _ index: Int = 0) -> ToolCall {
        ToolCall(id: "turn\(turn + 1)-\(index + 1)", name: name, arguments: arguments)
    }
}
