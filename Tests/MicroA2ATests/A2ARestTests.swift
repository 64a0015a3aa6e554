import Micro
import MicroA2A
import MicroAgent
import MicroProviders
import Testing

/// The HTTP+JSON binding: the same tasks at resource URLs, bare ProtoJSON bodies, AIP-193 errors.
@Suite struct A2ARestTests {
    @Test func theCardOffersHTTPJSONBesideJSONRPC() async throws {
        let world = A2AWorld()
        try await A2AServer(runner: world.runner([answering("echo", "hi")]), agent: "echo").withRunning { url in
            let card = try #require(try await RawHTTP().rest("GET", url, "/.well-known/agent-card.json").json)
            let interfaces = card["supportedInterfaces"]?.arrayValue ?? []
            let rest = try #require(interfaces.first { $0["protocolBinding"] == "HTTP+JSON" })
            #expect(rest["protocolVersion"] == "1.0")
            #expect(rest["url"] == .string(url), "the base URL, without a trailing slash")
            #expect(card["capabilities"]?["pushNotifications"] == false)
        }
    }

    @Test func sendGetListAndCancelAtResourceURLs() async throws {
        let world = A2AWorld()
        try await A2AServer(runner: world.runner([asking()]), agent: "concierge").withRunning { url in
            let http = RawHTTP()
            let sent = try await http.rest("POST", url, "/message:send", body: userMessage("book", id: "m-1"))
            #expect(sent.status == 200)
            #expect(sent.head.header("Content-Type") == "application/json")
            let task = try #require(sent.json?["task"])
            #expect(task["status"]?["state"] == "TASK_STATE_INPUT_REQUIRED")
            let taskID = try #require(task["id"]?.stringValue)

            let fetched = try await http.rest("GET", url, "/tasks/\(taskID)?historyLength=1")
            #expect(fetched.json?["id"] == .string(taskID))
            #expect(fetched.json?["history"]?.arrayValue?.count == 1)

            let resumed = try await http.rest("POST", url, "/message:send", body: userMessage("Porto", id: "m-2", taskID: taskID))
            #expect(resumed.json?["task"]?["status"]?["state"] == "TASK_STATE_COMPLETED")

            let other = try await http.rest("POST", url, "/message:send", body: userMessage("again", id: "m-3"))
            let otherID = try #require(other.json?["task"]?["id"]?.stringValue)
            let canceled = try await http.rest("POST", url, "/tasks/\(otherID):cancel")
            #expect(canceled.status == 200)
            #expect(canceled.json?["status"]?["state"] == "TASK_STATE_CANCELED")

            let listed = try await http.rest("GET", url, "/tasks?status=TASK_STATE_CANCELED&pageSize=10&includeArtifacts=true")
            #expect(listed.json?["tasks"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [otherID])
            #expect(listed.json?["totalSize"] == 1)
            // A tenant prefix reaches the same tasks.
            #expect(try await http.rest("GET", url, "/acme/tasks/\(taskID)").json?["id"] == .string(taskID))
        }
    }

    @Test func streamsBareStreamResponses() async throws {
        let world = A2AWorld()
        try await A2AServer(runner: world.runner([answering("echo", "streamed")]), agent: "echo").withRunning { url in
            let events = try await RawHTTP().restStream(url, "/message:stream", body: userMessage("go", id: "m-1"))
            #expect(events.first?["task"] != nil, "a StreamResponse, not a JSON-RPC envelope")
            #expect(events.allSatisfy { $0["jsonrpc"] == nil && $0["result"] == nil })
            #expect(events.contains { $0["artifactUpdate"]?["artifact"]?["parts"]?[0]?["text"] == "streamed" })
            #expect(events.last?["statusUpdate"]?["status"]?["state"] == "TASK_STATE_COMPLETED")
        }
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        let method: String
        let path: String
        let body: JSONValue?
        let contentType: String
        let version: String?
        let status: Int
        let grpcStatus: String
        let reason: String?
        var testDescription: String { "\(method) \(path) → \(status)" }

        init(
            _ method: String, _ path: String, body: JSONValue? = nil, contentType: String = "application/json", version: String? = "1.0",
            _ status: Int, _ grpcStatus: String, _ reason: String?
        ) {
            (self.method, self.path, self.body, self.contentType, self.version) = (method, path, body, contentType, version)
            (self.status, self.grpcStatus, self.reason) = (status, grpcStatus, reason)
        }
    }

    static let refusals: [Refusal] = [
        Refusal("GET", "/tasks/task-404", 404, "NOT_FOUND", "TASK_NOT_FOUND"),
        Refusal("POST", "/tasks/task-404:cancel", 404, "NOT_FOUND", "TASK_NOT_FOUND"),
        Refusal("POST", "/message:send", body: userMessage("x", id: "m"), contentType: "text/plain", 415, "INVALID_ARGUMENT", "CONTENT_TYPE_NOT_SUPPORTED"),
        Refusal("POST", "/message:send", body: userMessage("x", id: "m"), version: "99.0", 400, "UNIMPLEMENTED", "VERSION_NOT_SUPPORTED"),
        Refusal("POST", "/message:send", body: userMessage("x", id: "m"), version: "0.3", 400, "UNIMPLEMENTED", "VERSION_NOT_SUPPORTED"),
        Refusal("POST", "/tasks/t-1/pushNotificationConfigs", body: ["url": "https://example.com"], 400, "UNIMPLEMENTED", "PUSH_NOTIFICATION_NOT_SUPPORTED"),
        Refusal("GET", "/tasks/t-1/pushNotificationConfigs", 400, "UNIMPLEMENTED", "PUSH_NOTIFICATION_NOT_SUPPORTED"),
        Refusal("DELETE", "/tasks/t-1/pushNotificationConfigs/c-1", 400, "UNIMPLEMENTED", "PUSH_NOTIFICATION_NOT_SUPPORTED"),
        Refusal("GET", "/extendedAgentCard", 400, "FAILED_PRECONDITION", "EXTENDED_AGENT_CARD_NOT_CONFIGURED"),
        Refusal("POST", "/message:send", body: ["message": "not an object"], 400, "INVALID_ARGUMENT", nil),
        Refusal("GET", "/tasks?pageSize=lots", 400, "INVALID_ARGUMENT", nil),
        Refusal("GET", "/tasks?pageSize=1000", 400, "INVALID_ARGUMENT", nil),
        Refusal("GET", "/no/such/thing/here", 404, "NOT_FOUND", nil),
        Refusal("DELETE", "/tasks/t-1", 405, "UNIMPLEMENTED", nil),
    ]

    @Test(arguments: refusals)
    func refusalsAreAIP193ErrorsWithTheMappedStatus(_ refusal: Refusal) async throws {
        let world = A2AWorld()
        try await A2AServer(runner: world.runner([answering("echo", "ok")]), agent: "echo").withRunning { url in
            let response = try await RawHTTP().rest(
                refusal.method, url, refusal.path, body: refusal.body, contentType: refusal.contentType, version: refusal.version)
            #expect(response.status == refusal.status, "\(response.text)")
            #expect(response.head.header("Content-Type") == "application/json")
            let error = try #require(response.json?["error"], "not AIP-193: \(response.text)")
            #expect(error["code"] == .integer(refusal.status))
            #expect(error["status"] == .string(refusal.grpcStatus))
            #expect(error["message"]?.stringValue?.isEmpty == false)
            let details = try #require(error["details"]?.arrayValue)
            if let reason = refusal.reason {
                #expect(details.first?["reason"] == .string(reason))
                #expect(details.first?["domain"] == "a2a-protocol.org")
                #expect(details.first?["@type"] == "type.googleapis.com/google.rpc.ErrorInfo")
            } else {
                #expect(details.isEmpty)
            }
        }
    }

    @Test func aFinishedTaskIsNotCancelable() async throws {
        let world = A2AWorld()
        try await A2AServer(runner: world.runner([answering("echo", "done")]), agent: "echo").withRunning { url in
            let http = RawHTTP()
            let sent = try await http.rest("POST", url, "/message:send", body: userMessage("go", id: "m-1"))
            let taskID = try #require(sent.json?["task"]?["id"]?.stringValue)
            let refused = try await http.rest("POST", url, "/tasks/\(taskID):cancel")
            #expect(refused.status == 409)
            #expect(refused.json?["error"]?["status"] == "FAILED_PRECONDITION")
            #expect(refused.json?["error"]?["details"]?[0]?["reason"] == "TASK_NOT_CANCELABLE")
        }
    }

    @Test func theTokenGuardsHTTPJSONToo() async throws {
        let world = A2AWorld()
        let server = A2AServer(runner: world.runner([answering("echo", "ok")]), agent: "echo", token: "s3cret")
        try await server.withRunning { url in
            let refused = try await RawHTTP().rest("GET", url, "/tasks")
            #expect(refused.status == 401)
        }
    }
}
