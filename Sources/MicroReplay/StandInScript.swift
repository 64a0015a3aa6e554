import Foundation
import Micro
import Synchronization

/// Answers written by hand for the stand-in to give, in order, instead of its documented examples: turn k
/// answers the k-th chat request (OpenAI Chat Completions dialect, streamed or not) in the documented wire
/// shape. Recordings made against a scripted stand-in are `documented-example` cassettes whose answers were
/// scripted by people, not written by a model; the script's `notes` say so and the cassette should too.
///
/// The file: `{"notes": "…", "turns": [{"text": "…"} | {"toolCalls": [{"name": "…", "arguments": {…}}]}]}`.
public final class StandInScript: Sendable {
    public struct Turn: Sendable, Hashable {
        public var text: String?
        public var toolCalls: [(name: String, arguments: JSONValue)]

        public init(text: String?, toolCalls: [(name: String, arguments: JSONValue)]) {
            self.text = text
            self.toolCalls = toolCalls
        }

        public static func == (lhs: Turn, rhs: Turn) -> Bool {
            lhs.text == rhs.text && lhs.toolCalls.map(\.name) == rhs.toolCalls.map(\.name)
                && lhs.toolCalls.map(\.arguments) == rhs.toolCalls.map(\.arguments)
        }
        public func hash(into hasher: inout Hasher) {
            hasher.combine(text)
            hasher.combine(toolCalls.map(\.name))
        }
    }

    public let notes: String
    public let turns: [Turn]
    private let served = Mutex(0)

    public init(notes: String, turns: [Turn]) {
        self.notes = notes
        self.turns = turns
    }

    /// Reads a script file; errors name the file and the turn.
    public convenience init(contentsOf path: String) throws(StandInScriptError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw StandInScriptError("\(path): cannot read the file") }
        let document: JSONValue
        do { document = try JSONValue(parsing: Array(data)) } catch { throw StandInScriptError("\(path): \(error)") }
        guard let turns = document["turns"]?.arrayValue, !turns.isEmpty else {
            throw StandInScriptError("\(path): a script needs a non-empty \"turns\" array")
        }
        var parsed: [Turn] = []
        for (index, turn) in turns.enumerated() {
            let calls = turn["toolCalls"]?.arrayValue ?? []
            var toolCalls: [(name: String, arguments: JSONValue)] = []
            for (c, call) in calls.enumerated() {
                guard let name = call["name"]?.stringValue, let arguments = call["arguments"], arguments.objectValue != nil else {
                    throw StandInScriptError("\(path): turns[\(index)].toolCalls[\(c)] needs a \"name\" and an \"arguments\" object")
                }
                toolCalls.append((name, arguments))
            }
            let text = turn["text"]?.stringValue
            if text == nil && toolCalls.isEmpty { throw StandInScriptError("\(path): turns[\(index)] has neither \"text\" nor \"toolCalls\"") }
            parsed.append(Turn(text: text, toolCalls: toolCalls))
        }
        self.init(notes: document["notes"]?.stringValue ?? "", turns: parsed)
    }

    /// The next turn, or nil when every turn was served.
    func next() -> (index: Int, turn: Turn)? {
        served.withLock { count in
            guard count < turns.count else { return nil }
            defer { count += 1 }
            return (count, turns[count])
        }
    }

    /// `turn` as an OpenAI Chat Completions answer: server-sent chunks, or one JSON document.
    static func openAIAnswer(_ turn: Turn, index: Int, model: String, streams: Bool) -> String {
        let id = "chatcmpl-script-\(index + 1)"
        func calls(indexed: Bool) -> [JSONValue] {
            turn.toolCalls.enumerated().map { offset, call in
                var fields: [String: JSONValue] = [
                    "id": .string("call_\(index + 1)_\(offset + 1)"), "type": "function",
                    "function": ["name": .string(call.name), "arguments": .string(call.arguments.canonicalString())],
                ]
                if indexed { fields["index"] = .integer(offset) }
                return .object(fields)
            }
        }
        let finish: JSONValue = turn.toolCalls.isEmpty ? "stop" : "tool_calls"
        let usage: JSONValue = ["prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150]
        var message: [String: JSONValue] = ["role": "assistant", "content": turn.text.map(JSONValue.string) ?? .null]
        if !streams {
            if !turn.toolCalls.isEmpty { message["tool_calls"] = .array(calls(indexed: false)) }
            let body: JSONValue = [
                "id": .string(id), "object": "chat.completion", "created": 1_718_000_000, "model": .string(model),
                "choices": [["index": 0, "message": .object(message), "finish_reason": finish]], "usage": usage,
            ]
            return body.canonicalString()
        }
        func chunk(_ delta: JSONValue, finish: JSONValue = .null) -> String {
            let body: JSONValue = [
                "id": .string(id), "object": "chat.completion.chunk", "created": 1_718_000_000, "model": .string(model),
                "choices": [["index": 0, "delta": delta, "finish_reason": finish]],
            ]
            return "data: \(body.canonicalString())\n\n"
        }
        if !turn.toolCalls.isEmpty { message["tool_calls"] = .array(calls(indexed: true)) }
        let delta = JSONValue.object(message)
        let last: JSONValue = [
            "id": .string(id), "object": "chat.completion.chunk", "created": 1_718_000_000, "model": .string(model), "choices": [],
            "usage": usage,
        ]
        return chunk(delta) + chunk([:], finish: finish) + "data: \(last.canonicalString())\n\n" + "data: [DONE]\n\n"
    }
}

/// A script file that cannot be used.
public struct StandInScriptError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension StandInScript {
    /// ``openAIAnswer(_:index:model:streams:)`` for tests.
    package static func openAIAnswerForTesting(_ turn: Turn, streams: Bool) -> String {
        openAIAnswer(turn, index: 0, model: "gpt-4o", streams: streams)
    }
}
