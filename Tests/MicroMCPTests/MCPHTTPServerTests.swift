import Logging
import Micro
import MicroMCP
import MicroProviders
import MicroReplay
import Testing

/// One HTTP exchange's outcome, body collected.
struct Exchange: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: String

    func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
    var json: JSONValue? { try? JSONValue(parsing: body) }
    var message: JSONRPCMessage? { try? JSONRPCMessage(parsing: Array(body.utf8)) }
}

/// Runs `body` against a Streamable HTTP server for the travel services on a loopback port.
func withMCPHTTPServer<R: Sendable>(
    token: String? = nil, maximumBodySize: Int = 4 << 20, sessionTimeout: Duration = .seconds(3600),
    _ body: @escaping @Sendable (String, MCPServer) async throws -> R
) async throws -> R {
    let server = try await travelServer()
    let http = MCPHTTPServer(
        server: server, token: token, maximumBodySize: maximumBodySize, sessionTimeout: sessionTimeout, logger: .quiet("mcp-test"))
    return try await withLoopbackServer({ http.application(onRunning: $0) }) { port in
        try await body("http://127.0.0.1:\(port)/mcp", server)
    }
}

/// Sends one request and collects the response.
func exchange(
    _ url: String, method: String = "POST", body: String = "", headers: [(name: String, value: String)]? = nil,
    session: String? = nil, extra: [(name: String, value: String)] = []
) async throws -> Exchange {
    var all = headers ?? [("Content-Type", "application/json"), ("Accept", "application/json, text/event-stream")]
    if let session { all.append(("MCP-Session-Id", session)) }
    all += extra
    let curl = CurlTransport()
    let response = try await curl.send(HTTPRequest(method: method, url: url, headers: all, body: Array(body.utf8)))
    let bytes = try await response.collectBody()
    withExtendedLifetime(curl) {}
    return Exchange(status: response.status, headers: response.headers, body: String(decoding: bytes, as: UTF8.self))
}

/// Opens a handshake-era session and returns its id.
func openSession(_ url: String) async throws -> String {
    let opened = try await exchange(
        url, body: #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{}}}"#)
    let id = try #require(opened.header("MCP-Session-Id"))
    let confirmed = try await exchange(url, body: #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#, session: id)
    #expect(confirmed.status == 202)
    return id
}

let callBody = #"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"weather_forecast","arguments":{"city":"Lisbon","from":"2026-05-01","days":1}}}"#

@Suite struct MCPHTTPServerTests {
    @Test func aSessionLivesFromInitializeToDelete() async throws {
        try await withMCPHTTPServer { (url, _) async throws in
            let session = try await openSession(url)
            let called = try await exchange(url, body: callBody, session: session)
            #expect(called.status == 200)
            #expect(called.header("Content-Type") == "application/json")
            #expect(called.message?.result?["structuredContent"]?["city"] == "Lisbon")

            let deleted = try await exchange(url, method: "DELETE", session: session)
            #expect(deleted.status == 200)
            let after = try await exchange(url, body: callBody, session: session)
            #expect(after.status == 404)
            #expect(after.message?.error?.code == -32600)
            #expect(try await exchange(url, method: "DELETE", session: session).status == 404)
        }
    }

    @Test func handshakeRequestsWithoutOrWithAnUnknownSessionAreRefused() async throws {
        try await withMCPHTTPServer { (url, _) async throws in
            #expect(try await exchange(url, body: callBody).status == 400)
            #expect(try await exchange(url, body: callBody, session: "0123456789abcdef").status == 404)
            #expect(try await exchange(url, method: "GET", headers: [("Accept", "text/event-stream")], session: "nope").status == 404)
        }
    }

    @Test func anIdleSessionExpires() async throws {
        try await withMCPHTTPServer(sessionTimeout: .zero) { (url, _) async throws in
            let session = try await openSession(url)
            var status = 0
            for _ in 0..<1000 where status != 404 {
                status = try await exchange(url, body: callBody, session: session).status
            }
            #expect(status == 404)
        }
    }

    @Test func aModernRequestNeedsNoSession() async throws {
        try await withMCPHTTPServer { (url, _) async throws in
            let body = #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"weather_forecast","arguments":{"city":"Lisbon","from":"2026-05-01","days":1},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#
            let headers = [("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "tools/call"), ("Mcp-Name", "weather_forecast")]
            let called = try await exchange(url, body: body, extra: headers)
            #expect(called.status == 200)
            #expect(called.header("MCP-Session-Id") == nil)
            #expect(called.message?.result?["resultType"] == "complete")

            let mismatch = try await exchange(url, body: body, extra: [("Mcp-Name", "payments_charge")])
            #expect(mismatch.status == 400)
            #expect(mismatch.message?.error?.code == -32020)
            let wrongMethod = try await exchange(url, body: body, extra: [("Mcp-Method", "tools/list")])
            #expect(wrongMethod.message?.error?.code == -32020)

            let unsupported = try await exchange(url, body: body.replacingOccurrences(of: "2026-07-28", with: "2030-01-01"))
            #expect(unsupported.status == 400)
            #expect(unsupported.message?.error?.code == -32022)
        }
    }

    @Test func aCallWithAProgressTokenStreamsOverSSE() async throws {
        try await withMCPHTTPServer { (url, _) async throws in
            let session = try await openSession(url)
            let body = #"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"weather_forecast","arguments":{"city":"Lisbon","from":"2026-05-01","days":1},"_meta":{"progressToken":"p1"}}}"#
            let streamed = try await exchange(url, body: body, session: session)
            #expect(streamed.header("Content-Type") == "text/event-stream")
            var events: [JSONRPCMessage] = []
            var parser = SSEParser()
            try parser.parse(Array(streamed.body.utf8)) { event in
                if let message = try? JSONRPCMessage(parsing: Array(event.data.utf8)) { events.append(message) }
            }
            #expect(events.count == 2)
            #expect(events.first == .notification(
                method: "notifications/progress", params: ["progressToken": "p1", "progress": 0, "message": "calling weather_forecast"]))
            #expect(events.last?.result?["structuredContent"]?["city"] == "Lisbon")
        }
    }

    @Test func theGetStreamCarriesListChanged() async throws {
        try await withMCPHTTPServer { (url, server) async throws in
            let session = try await openSession(url)
            // The registry watch runs as a service next to the HTTP server; wait (bounded) until it is in place.
            for _ in 0..<100_000 where !server.isWatchingRegistry { await Task.yield() }
            try #require(server.isWatchingRegistry)
            let curl = CurlTransport()
            defer { withExtendedLifetime(curl) {} }
            let response = try await curl.send(HTTPRequest(
                method: "GET", url: url, headers: [("Accept", "text/event-stream"), ("MCP-Session-Id", session)]))
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "text/event-stream")
            var parser = SSEParser()
            var methods: [String] = []
            var registered = false
            for try await chunk in response.body {
                // The stream is open once its first bytes arrive; from then on changes reach it.
                if !registered {
                    try await server.runtime.serve(echoService)
                    registered = true
                }
                try parser.parse(chunk) { event in
                    if case .notification(let method, _)? = try? JSONRPCMessage(parsing: Array(event.data.utf8)) { methods.append(method) }
                }
                if methods.count >= 2 { break }
            }
            #expect(methods == ["notifications/tools/list_changed", "notifications/resources/list_changed"])
        }
    }

    @Test func guardsAnswerWithTheRightStatus() async throws {
        try await withMCPHTTPServer(token: "s3cret", maximumBodySize: 1024) { (url, _) async throws in
            let auth = ("Authorization", "Bearer s3cret")
            let ping = #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#
            let json = [("Content-Type", "application/json"), ("Accept", "application/json, text/event-stream"), auth]
            #expect(try await exchange(url, body: ping, headers: json).status == 200)
            // No token, a wrong token.
            let noToken = try await exchange(url, body: ping)
            #expect(noToken.status == 401)
            #expect(noToken.header("WWW-Authenticate") == "Bearer")
            #expect(try await exchange(url, body: ping, extra: [("Authorization", "Bearer nope")]).status == 401)
            // A prefix or an extension of the token is no token (compared in constant time, whole).
            #expect(try await exchange(url, body: ping, extra: [("Authorization", "Bearer s3cre")]).status == 401)
            #expect(try await exchange(url, body: ping, extra: [("Authorization", "Bearer s3cretX")]).status == 401)
            // Origins: loopback ones pass, others are refused.
            #expect(try await exchange(url, body: ping, headers: json + [("Origin", "http://localhost:3000")]).status == 200)
            #expect(try await exchange(url, body: ping, headers: json + [("Origin", "https://evil.example")]).status == 403)
            #expect(try await exchange(url, body: ping, headers: json + [("Origin", "http://localhost.evil.example")]).status == 403)
            // Body size, content type, Accept.
            let big = #"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":""# + String(repeating: "x", count: 2000) + #""}}"#
            #expect(try await exchange(url, body: big, headers: json).status == 413)
            #expect(try await exchange(url, body: ping, headers: [("Content-Type", "text/plain"), auth]).status == 415)
            #expect(try await exchange(url, body: ping, headers: [("Content-Type", "application/json"), ("Accept", "text/html"), auth]).status == 406)
            #expect(try await exchange(url, method: "GET", headers: [("Accept", "application/json"), auth]).status == 406)
            #expect(try await exchange(url, method: "GET", headers: [("Accept", "text/event-stream"), auth]).status == 405)
            #expect(try await exchange(url, method: "PUT", body: ping, headers: json).status == 405)
            #expect(try await exchange(url.replacingOccurrences(of: "/mcp", with: "/other"), body: ping, headers: json).status == 404)
        }
    }

    @Test func garbageBodiesGetJSONRPCErrorsAndTheServerKeepsWorking() async throws {
        try await withMCPHTTPServer { (url, _) async throws in
            let session = try await openSession(url)
            let cases: [(String, Int, Int)] = [
                ("{", 400, -32700), ("", 400, -32700), ("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", 400, -32600),
                ("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"no/such\"}", 200, -32601),
                ("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{}}", 200, -32602),
            ]
            for (body, status, code) in cases {
                let answered = try await exchange(url, body: body, session: session)
                #expect(answered.status == status, "\(body)")
                #expect(answered.message?.error?.code == code, "\(body)")
            }
            let called = try await exchange(url, body: callBody, session: session)
            #expect(called.message?.result?["isError"] == false)
        }
    }
}
