import Micro
import MicroA2A
import MicroAgent
import Testing

/// The conformance kit's conventions, served by a real Micro agent with the structured presentation.
@Suite struct A2AConformanceAgentTests {
    func withServer(_ body: @escaping @Sendable (String, RawHTTP) async throws -> Void) async throws {
        let world = A2AWorld()
        let server = A2AServer(runner: world.runner([A2AConformanceAgent.agent()]), agent: A2AConformanceAgent.name, presentation: .structured)
        try await server.withRunning { url in try await body(url, RawHTTP()) }
    }

    @Test func asksUntilAFollowUpSaysComplete() async throws {
        try await withServer { url, http in
            let first = try await http.rpc(url, "SendMessage", userMessage("start", id: "tck-input-required-1"))
            let task = try #require(first["result"]?["task"])
            #expect(task["status"]?["state"] == "TASK_STATE_INPUT_REQUIRED")
            let taskID = try #require(task["id"]?.stringValue)
            let again = try await http.rpc(url, "SendMessage", userMessage("history 1", id: "tck-input-required-2", taskID: taskID))
            #expect(again["result"]?["task"]?["status"]?["state"] == "TASK_STATE_INPUT_REQUIRED")
            let done = try await http.rpc(url, "SendMessage", userMessage("finish", id: "tck-complete-task-3", taskID: taskID))
            #expect(done["result"]?["task"]?["status"]?["state"] == "TASK_STATE_COMPLETED")
            #expect(done["result"]?["task"]?["artifacts"]?[0]?["parts"]?[0]?["text"] == "Hello from TCK")
            let users = done["result"]?["task"]?["history"]?.arrayValue?.filter { $0["role"] == "ROLE_USER" }
            #expect(users?.compactMap { $0["parts"]?[0]?["text"]?.stringValue } == ["start", "history 1", "finish"])
        }
    }

    static let artifactParts: [(String, JSONValue)] = [
        ("tck-artifact-text-1", ["text": "Generated text content"]),
        ("tck-artifact-data-1", ["data": ["count": 42, "key": "value"]]),
        ("tck-artifact-file-url-1", ["url": "https://example.com/output.txt", "filename": "output.txt", "mediaType": "text/plain"]),
    ]

    @Test(arguments: artifactParts)
    func answersWithArtifactsOfEachPartKind(messageID: String, part: JSONValue) async throws {
        try await withServer { url, http in
            let sent = try await http.rpc(url, "SendMessage", userMessage("go", id: messageID))
            let artifact = try #require(sent["result"]?["task"]?["artifacts"]?[0])
            #expect(artifact["parts"]?[0] == part)
            #expect(artifact["artifactId"]?.stringValue?.isEmpty == false)
        }
    }

    @Test func aFileArtifactCarriesItsBytesNameAndType() async throws {
        try await withServer { url, http in
            let sent = try await http.rpc(url, "SendMessage", userMessage("go", id: "tck-artifact-file-1"))
            let part = try #require(sent["result"]?["task"]?["artifacts"]?[0]?["parts"]?[0])
            #expect(part["raw"]?.stringValue?.isEmpty == false)
            #expect(part["filename"] == "output.txt")
            #expect(part["mediaType"] == "text/plain")
        }
    }

    @Test func answersWithAMessageInsteadOfATask() async throws {
        try await withServer { url, http in
            let sent = try await http.rpc(url, "SendMessage", userMessage("go", id: "tck-message-response-1"))
            #expect(sent["result"]?["task"] == nil)
            #expect(sent["result"]?["message"]?["parts"]?[0]?["text"] == "Direct message response")
            #expect(sent["result"]?["message"]?["role"] == "ROLE_AGENT")
            let rest = try await http.rest("POST", url, "/message:send", body: userMessage("go", id: "tck-message-response-2"))
            #expect(rest.json?["message"]?["parts"]?[0]?["text"] == "Direct message response")
        }
    }

    @Test func theTextPresentationKeepsJSONAnswersAsText() async throws {
        let json = #"{"message":{"parts":[{"text":"not parsed"}]}}"#
        let world = A2AWorld()
        let server = A2AServer(runner: world.runner([answering("echo", json)]), agent: "echo")
        try await server.withRunning { url in
            let sent = try await RawHTTP().rpc(url, "SendMessage", userMessage("go", id: "m-1"))
            #expect(sent["result"]?["task"]?["artifacts"]?[0]?["parts"]?[0]?["text"] == .string(json))
        }
    }

    @Test(arguments: [#"{"artifacts": []}"#, #"{"message": {"parts": [{"nothing": 1}]}}"#, "[1, 2]", "plain words"])
    func aStructuredAnswerThatIsNotPartsStaysText(output: String) {
        #expect(A2APresentation.structured.answer(output) == .artifacts([A2AArtifact(artifactID: "answer", name: "answer", parts: [.text(output)])]))
    }
}
