import Micro
import MicroAgent
import MicroProviders
import Synchronization

/// Answers an external agent's model requests with a scenario's scripted turns, rendered as the provider's
/// own wire bytes: OpenAI Chat Completions and Anthropic Messages (SSE when the request asks to stream, the
/// JSON message otherwise), Gemini `generateContent` (`streamGenerateContent` as SSE) and Ollama `/api/chat`
/// (NDJSON unless `"stream": false`). The turn is chosen by the number of assistant messages in the request, as
/// `ScriptedModel.byAssistantTurns` chooses: a restarted agent that starts over gets the first turn again,
/// one that resumed from its own checkpoint gets the turn where it stopped.
struct ScriptedWireTransport: HTTPTransport {
    enum Dialect: String, Sendable {
        case openAI = "openai"
        case anthropic
        case gemini
        case ollama
    }

    let turns: [ScriptedModel.Turn]
    let dialect: Dialect
    /// Model name echoed in responses.
    let model: String
    /// How many times each turn was served: a turn asked for again (an agent that started over) gets fresh
    /// tool call IDs, as a live model's new answer would, so IDs are only stable for an agent that kept them.
    let served = ServedTurns()

    init(turns: [ScriptedModel.Turn], dialect: Dialect, model: String) {
        self.turns = turns
        self.dialect = dialect
        self.model = model
    }

    /// The dialect a provider name speaks, if scripted turns can be rendered in it.
    static func dialect(of provider: String) -> Dialect? {
        if let fixed = Dialect(rawValue: provider), fixed != .openAI { return fixed }
        guard let entry = ProviderCatalog.entry(provider), entry.api.hasPrefix("OpenAI") else { return nil }
        return .openAI
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard let body = try? JSONValue(parsing: request.body), body.objectValue != nil else {
            return Self.response(400, Self.error("invalid_request_error", "the request body is not a JSON object"), stream: false)
        }
        let conversation = body["messages"]?.arrayValue ?? body["contents"]?.arrayValue ?? []
        let assistantTurns = conversation.count { ["assistant", "model"].contains($0["role"]?.stringValue ?? "") }
        guard assistantTurns < turns.count else {
            return Self.response(
                404,
                Self.error(
                    "script_exhausted",
                    "the scenario scripts \(turns.count) answer(s) and the request already holds \(assistantTurns) assistant message(s)"),
                stream: false)
        }
        var turn = turns[assistantTurns]
        let serving = served.next(assistantTurns)
        if serving > 1 {
            for index in turn.toolCalls.indices { turn.toolCalls[index].id += "-\(serving)" }
        }
        if let expected = turn.expecting {
            let last = conversation.last ?? .null
            let text = Self.text(of: last)
            guard text.contains(expected) else {
                return Self.response(
                    400,
                    Self.error(
                        "script_mismatch",
                        "scripted answer \(assistantTurns + 1) expects the last message to contain \"\(expected)\"; it was: \(String(text.prefix(300)))"),
                    stream: false)
            }
        }
        if let failure = turn.failure {
            var response = Self.response(
                failure.code == ModelError.Code.rateLimited.rawValue ? 429 : 500, Self.error(failure.code, failure.message), stream: false)
            if let milliseconds = failure.retryAfterMilliseconds {
                response.headers.append(("retry-after", String((milliseconds + 999) / 1000)))
            }
            return response
        }
        let callOffset = assistantTurns * 10
        switch dialect {
        case .openAI:
            let stream = body["stream"]?.boolValue ?? false
            return Self.response(200, openAI(turn, stream: stream, turnIndex: callOffset), stream: stream)
        case .anthropic:
            let stream = body["stream"]?.boolValue ?? false
            return Self.response(200, anthropic(turn, stream: stream, turnIndex: callOffset), stream: stream)
        case .gemini:
            let stream = request.url.contains(":streamGenerateContent")
            let chunk = gemini(turn)
            return Self.response(200, stream ? "data: \(chunk)\r\n\r\n" : chunk, stream: stream)
        case .ollama:
            let stream = body["stream"]?.boolValue ?? true
            return Self.response(200, ollama(turn, stream: stream), stream: stream, contentType: stream ? "application/x-ndjson" : nil)
        }
    }

    // MARK: Gemini generateContent

    /// One `GenerateContentResponse`: the whole turn (a stream sends it as its only chunk).
    private func gemini(_ turn: ScriptedModel.Turn) -> String {
        let usage = turn.usage ?? Usage(inputTokens: 10, outputTokens: 5)
        var parts: [JSONValue] = []
        if let content = turn.text, !content.isEmpty { parts.append(["text": .string(content)]) }
        for call in turn.toolCalls { parts.append(["functionCall": ["name": .string(call.name), "args": call.arguments]]) }
        let response: JSONValue = [
            "candidates": [["content": ["role": "model", "parts": .array(parts)], "finishReason": "STOP", "index": 0]],
            "usageMetadata": [
                "promptTokenCount": .integer(usage.inputTokens), "candidatesTokenCount": .integer(usage.outputTokens),
                "totalTokenCount": .integer(usage.inputTokens + usage.outputTokens),
            ],
            "modelVersion": .string(model),
        ]
        return response.canonicalString()
    }

    // MARK: Ollama /api/chat

    /// The message, then (streamed) a final line with the counts, as Ollama's NDJSON; or one JSON object.
    private func ollama(_ turn: ScriptedModel.Turn, stream: Bool) -> String {
        let usage = turn.usage ?? Usage(inputTokens: 10, outputTokens: 5)
        var message: [String: JSONValue] = ["role": "assistant", "content": .string(turn.text ?? "")]
        if !turn.toolCalls.isEmpty {
            message["tool_calls"] = .array(turn.toolCalls.map { ["function": ["name": .string($0.name), "arguments": $0.arguments]] })
        }
        let base: [String: JSONValue] = ["model": .string(model), "created_at": "2026-01-01T00:00:00Z"]
        var last = base
        last["message"] = stream ? ["role": "assistant", "content": ""] : .object(message)
        last["done"] = true
        last["done_reason"] = "stop"
        last["prompt_eval_count"] = .integer(usage.inputTokens)
        last["eval_count"] = .integer(usage.outputTokens)
        guard stream else { return JSONValue.object(last).canonicalString() }
        var first = base
        first["message"] = .object(message)
        first["done"] = false
        return JSONValue.object(first).canonicalString() + "\n" + JSONValue.object(last).canonicalString() + "\n"
    }

    // MARK: OpenAI Chat Completions

    private func openAI(_ turn: ScriptedModel.Turn, stream: Bool, turnIndex: Int) -> String {
        let id: JSONValue = .string("chatcmpl-micro-\(turnIndex)")
        let usage = turn.usage ?? Usage(inputTokens: 10, outputTokens: 5)
        let usageJSON: JSONValue = [
            "prompt_tokens": .integer(usage.inputTokens), "completion_tokens": .integer(usage.outputTokens),
            "total_tokens": .integer(usage.inputTokens + usage.outputTokens),
        ]
        let finish: JSONValue = turn.toolCalls.isEmpty ? "stop" : "tool_calls"
        let calls: [JSONValue] = turn.toolCalls.enumerated().map { index, call in
            [
                "index": .integer(index), "id": .string(call.id), "type": "function",
                "function": ["name": .string(call.name), "arguments": .string(call.arguments.canonicalString())],
            ]
        }
        let base: [String: JSONValue] = ["id": id, "created": 1_700_000_000, "model": .string(model)]
        guard stream else {
            var message: [String: JSONValue] = ["role": "assistant", "content": turn.text.map(JSONValue.string) ?? .null, "refusal": .null]
            if !calls.isEmpty { message["tool_calls"] = .array(calls.map { $0.removing("index") }) }
            var object = base
            object["object"] = "chat.completion"
            object["choices"] = [["index": 0, "message": .object(message), "logprobs": .null, "finish_reason": finish]]
            object["usage"] = usageJSON
            return JSONValue.object(object).canonicalString()
        }
        func chunk(_ delta: JSONValue, finish: JSONValue = .null, usage: JSONValue = .null, choices: Bool = true) -> String {
            var object = base
            object["object"] = "chat.completion.chunk"
            object["choices"] = choices ? [["index": 0, "delta": delta, "logprobs": .null, "finish_reason": finish]] : []
            object["usage"] = usage
            return "data: \(JSONValue.object(object).canonicalString())\n\n"
        }
        var text = chunk(["role": "assistant", "content": ""])
        if let content = turn.text, !content.isEmpty { text += chunk(["content": .string(content)]) }
        for call in calls { text += chunk(["tool_calls": [call]]) }
        text += chunk([:], finish: finish)
        text += chunk([:], usage: usageJSON, choices: false)
        return text + "data: [DONE]\n\n"
    }

    // MARK: Anthropic Messages

    private func anthropic(_ turn: ScriptedModel.Turn, stream: Bool, turnIndex: Int) -> String {
        let usage = turn.usage ?? Usage(inputTokens: 10, outputTokens: 5)
        let stop: JSONValue = turn.toolCalls.isEmpty ? "end_turn" : "tool_use"
        var blocks: [JSONValue] = []
        if let content = turn.text, !content.isEmpty { blocks.append(["type": "text", "text": .string(content)]) }
        for call in turn.toolCalls {
            blocks.append(["type": "tool_use", "id": .string(call.id), "name": .string(call.name), "input": call.arguments])
        }
        let message: [String: JSONValue] = [
            "id": .string("msg_micro_\(turnIndex)"), "type": "message", "role": "assistant", "model": .string(model),
            "stop_sequence": .null,
        ]
        guard stream else {
            var object = message
            object["content"] = .array(blocks)
            object["stop_reason"] = stop
            object["usage"] = ["input_tokens": .integer(usage.inputTokens), "output_tokens": .integer(usage.outputTokens)]
            return JSONValue.object(object).canonicalString()
        }
        func event(_ name: String, _ data: JSONValue) -> String { "event: \(name)\ndata: \(data.canonicalString())\n\n" }
        var start = message
        start["content"] = []
        start["stop_reason"] = .null
        start["usage"] = ["input_tokens": .integer(usage.inputTokens), "output_tokens": 1]
        var text = event("message_start", ["type": "message_start", "message": .object(start)])
        for (index, block) in blocks.enumerated() {
            let isText = block["type"] == "text"
            let opening: JSONValue = isText ? ["type": "text", "text": ""] : block.removing("input").merging(["input": [:]])
            text += event("content_block_start", ["type": "content_block_start", "index": .integer(index), "content_block": opening])
            let delta: JSONValue = isText
                ? ["type": "text_delta", "text": block["text"] ?? ""]
                : ["type": "input_json_delta", "partial_json": .string(block["input"]?.canonicalString() ?? "{}")]
            text += event("content_block_delta", ["type": "content_block_delta", "index": .integer(index), "delta": delta])
            text += event("content_block_stop", ["type": "content_block_stop", "index": .integer(index)])
        }
        text += event(
            "message_delta",
            ["type": "message_delta", "delta": ["stop_reason": stop, "stop_sequence": .null], "usage": ["output_tokens": .integer(usage.outputTokens)]])
        return text + event("message_stop", ["type": "message_stop"])
    }

    // MARK: Helpers

    /// The text of a request message in either dialect: its content string, or the text and tool results
    /// of its content blocks.
    static func text(of message: JSONValue) -> String {
        if let text = message["content"]?.stringValue { return text }
        if let parts = message["parts"]?.arrayValue {  // Gemini: text parts and function responses
            return parts.map { $0["text"]?.stringValue ?? $0["functionResponse"]?.canonicalString() ?? "" }.joined(separator: "\n")
        }
        return (message["content"]?.arrayValue ?? []).map { block in
            block["text"]?.stringValue ?? block["content"]?.stringValue ?? block["content"].map { Self.text(of: ["content": $0]) } ?? ""
        }.joined(separator: "\n")
    }

    static func error(_ type: String, _ message: String) -> String {
        JSONValue.object(["error": ["type": .string(type), "message": .string(message)]]).canonicalString()
    }

    static func response(_ status: Int, _ body: String, stream: Bool, contentType: String? = nil) -> HTTPResponse {
        let bytes = Array(body.utf8)
        return HTTPResponse(
            status: status, headers: [("content-type", contentType ?? (stream ? "text/event-stream" : "application/json"))],
            body: AsyncThrowingStream { continuation in
                continuation.yield(bytes)
                continuation.finish()
            })
    }
}

/// Counts the times each scripted turn was served.
final class ServedTurns: Sendable {
    private let counts = Mutex<[Int: Int]>([:])

    /// This serving's number for `turn`, from 1.
    func next(_ turn: Int) -> Int {
        counts.withLock {
            $0[turn, default: 0] += 1
            return $0[turn]!
        }
    }
}

extension JSONValue {
    /// This object without `key`.
    fileprivate func removing(_ key: String) -> JSONValue {
        guard var object = objectValue else { return self }
        object[key] = nil
        return .object(object)
    }

    /// This object with `other`'s keys set.
    fileprivate func merging(_ other: JSONValue) -> JSONValue {
        guard var object = objectValue, let extra = other.objectValue else { return self }
        for (key, value) in extra { object[key] = value }
        return .object(object)
    }
}
