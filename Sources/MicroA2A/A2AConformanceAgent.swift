import Foundation
import Micro
import MicroAgent

/// An agent that follows the conventions of the A2A conformance kit (a2aproject/a2a-tck), so that the kit's
/// behavioural tests — input-required, history, cancel, artifacts of every part kind, a direct message —
/// run against a real Micro agent: runs, checkpoints, `request_input` and the answer mapping of
/// ``A2APresentation/structured``, which it must be served with (the message id reaches the agent).
///
/// The kit says what it wants by the prefix of each message's id (`tck-input-required-…`); the agent's model
/// reads the id of the latest message (the task's first, or the follow-up answering its question) and
/// answers per the kit's scenario files: it asks for input, completes with a text, answers with file, file
/// URL or data artifacts, or with a message instead of a task.
public enum A2AConformanceAgent {
    public static let name = "conformance"

    /// The agent (no services; `request_input` is its one tool).
    public static func agent() -> Agent {
        Agent(
            name: name, description: "follows the A2A conformance kit's message-id conventions",
            instructions: "Answer as the A2A conformance kit's scenarios say.", model: Model(), tools: .services([]))
    }

    /// What the kit's prefix asks for: a question, or the answer (``A2APresentation/structured`` JSON or text).
    static func reply(to messageID: String, turn: Int) -> ScriptedModel.Turn {
        func artifact(_ parts: JSONValue, name: String = "output") -> ScriptedModel.Turn {
            .answer(JSONValue.object(["artifacts": [["artifactId": .string(name), "name": .string(name), "parts": parts]]]).canonicalString())
        }
        let file: JSONValue = ["raw": .string(Data("Generated file content".utf8).base64EncodedString()), "filename": "output.txt", "mediaType": "text/plain"]
        // Longest prefixes first: `artifact-file-url` before `artifact-file`.
        let rules: [(String, ScriptedModel.Turn)] = [
            ("tck-input-required", .calls([ToolCall(id: "ask-\(turn)", name: "request_input", arguments: ["prompt": "Please provide more input"])])),
            ("tck-artifact-file-url", artifact([["url": "https://example.com/output.txt", "filename": "output.txt", "mediaType": "text/plain"]])),
            ("tck-artifact-file", artifact([file])),
            ("tck-artifact-data", artifact([["data": ["key": "value", "count": 42]]])),
            ("tck-artifact-text", artifact([["text": "Generated text content"]])),
            ("tck-message-response", .answer(JSONValue.object(["message": ["parts": [["text": "Direct message response"]]]]).canonicalString())),
            ("tck-stream-artifact-text", artifact([["text": "Streamed text content"]])),
            ("tck-stream-artifact-file", artifact([file])),
            ("tck-stream-artifact-chunked", artifact([["text": "chunk-1 "], ["text": "chunk-2"]])),
            ("tck-stream-ordering", artifact([["text": "Ordered output"]])),
            ("tck-stream-001", artifact([["text": "Stream hello from TCK"]])),
            ("tck-stream-003", artifact([["text": "Stream task lifecycle"]])),
        ]
        return rules.first { messageID.hasPrefix($0.0) }?.1 ?? .answer("Hello from TCK")
    }

    /// The id in the latest `[message ID]` marker of a request: the last user message's, or the answer to
    /// the agent's question (a tool result) when that came later.
    static func latestMessageID(in request: ModelRequest) -> String {
        var latest = ""
        for message in request.messages {
            var texts = [message.role == .user ? message.text : ""]
            texts += message.toolResults.map { $0.content["input"]?.stringValue ?? "" }
            for text in texts where text.hasPrefix("[message ") {
                latest = String(text.dropFirst("[message ".count).prefix { $0 != "]" })
            }
        }
        return latest
    }

    struct Model: MicroAgent.Model {
        let info = ModelInfo(provider: "micro", name: "a2a-conformance", contextWindow: 100_000)

        func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
            let turn = request.messages.count { $0.role == .assistant } + 1
            let reply = A2AConformanceAgent.reply(to: A2AConformanceAgent.latestMessageID(in: request), turn: turn)
            return ScriptedModel([reply], info: info).stream(request)
        }
    }
}
