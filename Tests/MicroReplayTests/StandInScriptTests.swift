import Foundation
import Micro
import MicroAgent
import MicroProviders
import MicroReplay
import Testing

/// The stand-in answering from a script written by hand: turns in order, in OpenAI's wire format.
@Suite struct StandInScriptTests {
    static let script = StandInScript(
        notes: "written by hand",
        turns: [
            StandInScript.Turn(text: nil, toolCalls: [(name: "design_submit", arguments: ["summary": "x", "n": 2])]),
            StandInScript.Turn(text: "Done.", toolCalls: []),
        ])

    func withScriptedStandIn<R: Sendable>(_ script: StandInScript, _ body: @escaping @Sendable (Int) async throws -> R) async throws -> R {
        let server = StandInServer(logger: quietLogger, script: script)
        return try await withLoopbackServer({ server.application(onRunning: $0) }, body)
    }

    @Test func turnsAreServedInOrderThenRefused() async throws {
        let script = StandInScript(notes: "", turns: Self.script.turns)
        try await withScriptedStandIn(script) { port in
            let model = try StandInServerTests.model("openai", port: port)
            let request = ModelRequest(model: "", messages: [.user("Go")], tools: [StandInServerTests.weather])
            let first = try await model.respond(to: request)
            #expect(first.stopReason == .toolUse)
            #expect(first.message.toolCalls.map(\.name) == ["design_submit"])
            #expect(first.message.toolCalls.first?.arguments == ["summary": "x", "n": 2])
            let second = try await model.respond(to: request)
            #expect(second.stopReason == .endTurn && second.message.text == "Done." && second.message.toolCalls.isEmpty)
            await #expect(throws: (any Error).self) { _ = try await model.respond(to: request) }
            // Only the OpenAI dialect is scripted.
            let anthropic = try StandInServerTests.model("anthropic", port: port)
            await #expect(throws: (any Error).self) { _ = try await anthropic.respond(to: request) }
        }
    }

    @Test func nonStreamedAnswersAreOneChatCompletion() throws {
        let body = StandInScript.openAIAnswerForTesting(Self.script.turns[0], streams: false)
        let json = try JSONValue(parsing: body)
        #expect(json["object"] == "chat.completion")
        #expect(json["choices"]?[0]?["finish_reason"] == "tool_calls")
        #expect(json["choices"]?[0]?["message"]?["tool_calls"]?[0]?["function"]?["arguments"] == .string(#"{"n":2,"summary":"x"}"#))
    }

    @Test(arguments: [
        (#"{"turns": []}"#, "non-empty \"turns\""),
        (#"{"turns": [{}]}"#, "turns[0] has neither"),
        (#"{"turns": [{"toolCalls": [{"name": "a"}]}]}"#, "turns[0].toolCalls[0] needs"),
        ("not json", "s.json:"),
    ])
    func badScriptsSayWhatIsWrong(text: String, message: String) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("micro-script-\(UUID().uuidString)s.json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = try #require(throws: StandInScriptError.self) { try StandInScript(contentsOf: path) }
        #expect(error.description.contains(message), "\(error)")
    }

    @Test func bundledScriptLoads() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let script = try StandInScript(contentsOf: root + "/Recordings/new-from-prompt.script.json")
        #expect(script.turns.count == 6 && script.notes.contains("NOT by a model"))
    }
}
