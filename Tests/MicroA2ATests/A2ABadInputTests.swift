import Micro
@testable import MicroA2A
import MicroAgent
import MicroProviders
import Testing

@Suite struct A2ABadInputTests {
    @Test func badRequestsGetTheRightErrors() async throws {
        let world = A2AWorld()
        let server = A2AServer(runner: world.runner([answering("echo", "ok")]), agent: "echo", maximumBodySize: 4096)
        try await server.withRunning { url in
            let http = RawHTTP()
            let parse = try await http.post(url, "{\"jsonrpc\": \"2.0\", ")
            #expect(parse.status == 200)
            #expect(parse.json?["error"]?["code"] == -32700)
            #expect(parse.json?["id"] == .null)

            #expect(try await http.rpc(url, "Nonsense", [:])["error"]?["code"] == -32601)
            #expect(try await http.rpc(url, "SendMessage", ["message": "not an object"])["error"]?["code"] == -32602)
            #expect(try await http.rpc(url, "SendMessage", [:])["error"]?["code"] == -32602)
            #expect(try await http.rpc(url, "GetTask", ["id": 5])["error"]?["code"] == -32602)
            #expect(try await http.rpc(url, "GetTask", ["id": "task-404"])["error"]?["code"] == -32001)
            #expect(try await http.rpc(url, "tasks/get", ["id": "task-404"], version: nil)["error"]?["code"] == -32001)
            // A 1.0 method name without A2A-Version is a 1.0 request (the name says which); an unknown version is refused.
            #expect(try await http.rpc(url, "GetTask", ["id": "x"], version: nil)["error"]?["code"] == -32001)
            let unsupported = try await http.rpc(url, "GetTask", ["id": "x"], version: "7.0")
            #expect(unsupported["error"]?["code"] == -32009)
            #expect(unsupported["error"]?["data"]?[0]?["reason"] == "VERSION_NOT_SUPPORTED")
            #expect(unsupported["error"]?["data"]?[0]?["@type"] == "type.googleapis.com/google.rpc.ErrorInfo")
            let notFound = try await http.rpc(url, "GetTask", ["id": "task-404"])
            #expect(notFound["error"]?["data"]?[0]?["metadata"]?["taskId"] == "task-404")
            #expect(try await http.post(url, "[]").json?["error"]?["code"] == -32600)
            #expect(try await http.post(url, "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"GetTask\"}").json?["error"]?["code"] == -32600)

            let wrongType = try await http.post(url, "{}", contentType: "text/plain")
            #expect(wrongType.status == 415)
            #expect(wrongType.json?["error"]?["code"] == -32005, "a JSON-RPC error object, not plain text")
            #expect(try await http.post(url, "{}", contentType: nil).status == 415)
            #expect(try await http.post(url, [UInt8](repeating: 0x20, count: 10_000)).status == 413)
        }
    }

    @Test func aBurstOfGarbageLeavesTheServerServing() async throws {
        let world = A2AWorld()
        let server = A2AServer(runner: world.runner([answering("echo", "still here")]), agent: "echo", maximumBodySize: 4096)
        try await server.withRunning { url in
            let http = RawHTTP()
            var random = SeededGenerator(seed: 42)
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<64 {
                    let length = Int.random(in: 0...6000, using: &random)
                    let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
                    let contentType = index % 5 == 0 ? "application/x-garbage" : "application/json"
                    group.addTask { try await http.post(url, bytes, contentType: contentType).status }
                }
                for try await status in group { #expect([200, 413, 415].contains(status)) }
            }
            let response = try await http.rpc(url, "SendMessage", userMessage("hello", id: "after-garbage"))
            #expect(response["result"]?["task"]?["artifacts"]?[0]?["parts"]?[0]?["text"] == "still here")
        }
    }

    /// Garbage at the HTTP+JSON routes: random bodies, paths, methods and query strings each get an AIP-193
    /// error (or a 2xx where the request happens to be valid), and the server goes on serving.
    @Test func garbageAtTheResourceURLsGetsAIP193Errors() async throws {
        let world = A2AWorld()
        let server = A2AServer(runner: world.runner([answering("echo", "still here")]), agent: "echo", maximumBodySize: 4096)
        try await server.withRunning { url in
            let http = RawHTTP()
            var random = SeededGenerator(seed: 7)
            let paths = ["/message:send", "/message:stream", "/tasks", "/tasks/x", "/tasks/x:cancel", "/tasks/x:subscribe",
                         "/tasks/%ZZ", "/t/tasks/x/pushNotificationConfigs", "/tasks?pageSize=-3&historyLength=x", "/a/b/c/d/e"]
            let methods = ["GET", "POST", "DELETE", "PUT", "PATCH"]
            try await withThrowingTaskGroup(of: (Int, JSONValue?, String).self) { group in
                for _ in 0..<48 {
                    let path = paths.randomElement(using: &random)!, method = methods.randomElement(using: &random)!
                    let length = Int.random(in: 0...6000, using: &random)
                    let body: JSONValue? = length == 0 ? nil : .string(String(decoding: (0..<length).map { _ in UInt8.random(in: 32...126, using: &random) }, as: UTF8.self))
                    group.addTask {
                        let response = try await http.rest(method, url, path, body: body)
                        return (response.status, response.json, "\(method) \(path)")
                    }
                }
                for try await (status, json, request) in group where status >= 400 {
                    #expect(json?["error"]?["code"] == .integer(status), "\(request): \(status) \(String(describing: json))")
                }
            }
            let sent = try await http.rest("POST", url, "/message:send", body: userMessage("hello", id: "after-garbage"))
            #expect(sent.json?["task"]?["artifacts"]?[0]?["parts"]?[0]?["text"] == "still here")
        }
    }

    @Test func anExpiredTaskIsUnknown() async throws {
        let clock = VirtualClock()
        let world = A2AWorld(environment: Environment.simulated(seed: 3, clock: clock, ids: .incrementing()))
        let server = A2AServer(runner: world.runner([answering("echo", "ok")]), agent: "echo", taskRetention: .seconds(3600))
        try await server.withRunning { url in
            let http = RawHTTP()
            let sent = try await http.rpc(url, "SendMessage", userMessage("hi", id: "m-1"))
            let taskID = try #require(sent["result"]?["task"]?["id"])
            #expect(try await http.rpc(url, "GetTask", ["id": taskID])["result"]?["id"] == taskID)
            clock.advance(by: .seconds(3601))
            #expect(try await http.rpc(url, "GetTask", ["id": taskID])["error"]?["code"] == -32001)
            #expect(try await http.rpc(url, "CancelTask", ["id": taskID])["error"]?["code"] == -32001)
        }
    }
}

/// What a browser on the same machine, or a DNS name rebound to 127.0.0.1, could send the server.
@Suite struct A2AGuardTests {
    static func send(_ url: String, path: String = "/", method: String = "POST", headers: [(name: String, value: String)]) async throws -> Int {
        let body = method == "POST" ? Array(#"{"jsonrpc":"2.0","id":1,"method":"GetTask","params":{"id":"x"}}"#.utf8) : []
        let response = try await CurlTransport().send(HTTPRequest(
            method: method, url: url + path, headers: [("Content-Type", "application/json"), ("A2A-Version", "1.0")] + headers, body: body))
        _ = try await response.collectBody()
        return response.status
    }

    @Test func foreignOriginsAndHostsAreRefusedLoopbackOnesServed() async throws {
        let server = A2AServer(
            runner: A2AWorld().runner([answering("echo", "ok")]), agent: "echo", allowedOrigins: ["https://app.example"],
            allowedHosts: ["agent.example:8443"])
        try await server.withRunning { (url: String) async throws in
            let port = url.split(separator: ":").last.map(String.init) ?? ""
            #expect(try await Self.send(url, headers: []) == 200)
            #expect(try await Self.send(url, headers: [("Origin", "http://localhost:3000")]) == 200)
            #expect(try await Self.send(url, headers: [("Origin", "https://app.example")]) == 200)
            #expect(try await Self.send(url, headers: [("Origin", "https://evil.example")]) == 403)
            #expect(try await Self.send(url, headers: [("Origin", "http://localhost.evil.example")]) == 403)
            // A rebound DNS name reaches 127.0.0.1 with its own Host: refused, for the card too.
            #expect(try await Self.send(url, headers: [("Host", "rebound.evil.example:\(port)")]) == 403)
            #expect(try await Self.send(url, path: "/.well-known/agent-card.json", method: "GET", headers: [("Host", "rebound.evil.example")]) == 403)
            #expect(try await Self.send(url, headers: [("Host", "localhost:\(port)")]) == 200)
            #expect(try await Self.send(url, headers: [("Host", "agent.example:8443")]) == 200)
        }
    }

    @Test func aTokenGuardsJSONRPCButNotTheCard() async throws {
        let server = A2AServer(runner: A2AWorld().runner([answering("echo", "ok")]), agent: "echo", token: "t0ken")
        try await server.withRunning { (url: String) async throws in
            #expect(try await Self.send(url, headers: []) == 401)
            #expect(try await Self.send(url, headers: [("Authorization", "Bearer t0ke")]) == 401)
            #expect(try await Self.send(url, headers: [("Authorization", "Bearer t0ken")]) == 200)
            #expect(try await Self.send(url, path: "/.well-known/agent-card.json", method: "GET", headers: []) == 200)
        }
    }
}

/// ProtoJSON parsers accept a field's original proto name as well as its JSON name.
@Suite struct A2AProtoFieldNameTests {
    @Test func snakeCaseParamsAreReadAsTheirCamelCaseNames() async throws {
        let world = A2AWorld()
        try await A2AServer(runner: world.runner([answering("echo", "ok")]), agent: "echo").withRunning { url in
            let http = RawHTTP()
            let sent = try await http.rpc(url, "SendMessage", [
                "message": ["message_id": "m-snake", "role": "ROLE_USER", "parts": [["text": "hi"]]],
                "configuration": ["history_length": 0],
            ])
            let task = try #require(sent["result"]?["task"])
            #expect(task["history"] == nil, "configuration.history_length 0 was honoured")
            let got = try await http.rpc(url, "GetTask", ["id": task["id"]!, "history_length": 1])
            #expect(got["result"]?["history"]?.arrayValue?.count == 1)
            // The camelCase spelling wins when both are sent.
            let both = try await http.rpc(url, "GetTask", ["id": task["id"]!, "history_length": 1, "historyLength": 0])
            #expect(both["result"]?["history"] == nil)
        }
    }

    @Test func keysInsideDataAndMetadataAreLeftAlone() {
        let params: JSONValue = [
            "message": ["message_id": "m", "parts": [["data": ["snake_key": 1], "media_type": "application/json"]], "metadata": ["a_b": 1]],
        ]
        let read = A2AWire.camelCased(params)
        #expect(read["message"]?["messageId"] == "m")
        #expect(read["message"]?["parts"]?[0]?["data"]?["snake_key"] == 1)
        #expect(read["message"]?["parts"]?[0]?["mediaType"] == "application/json")
        #expect(read["message"]?["metadata"]?["a_b"] == 1)
    }
}
