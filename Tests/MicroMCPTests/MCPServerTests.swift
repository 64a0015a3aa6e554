import Micro
import MicroMCP
import Testing

@Suite struct MCPServerTests {
    @Test(arguments: ["2025-03-26", "2025-06-18", "2025-11-25"])
    func initializeAgreesOnEachHandshakeVersion(version: String) async throws {
        let server = try await travelServer()
        let session = MCPSession(id: "s")
        let response = await server.handle(
            request(1, "initialize", ["protocolVersion": .string(version), "capabilities": [:], "clientInfo": ["name": "t", "version": "1"]]),
            session: session)
        let result = try #require(response?.result)
        #expect(result["protocolVersion"] == .string(version))
        #expect(result["capabilities"]?["tools"]?["listChanged"] == true)
        #expect(result["serverInfo"]?["name"] == "micro")
        #expect(result["instructions"] == "travel")
        #expect(session.protocolVersion == version)
        #expect(!session.isInitialized)
        _ = await server.handle(.notification(method: "notifications/initialized", params: nil), session: session)
        #expect(session.isInitialized)
    }

    @Test func initializeOffersTheLatestVersionForAnUnknownOne() async throws {
        let server = try await travelServer()
        let response = await server.handle(request(1, "initialize", ["protocolVersion": "1999-01-01", "capabilities": [:]]), session: MCPSession(id: "s"))
        #expect(response?.result?["protocolVersion"] == "2025-11-25")
    }

    @Test func listsEveryServiceToolWithItsSchemas() async throws {
        let server = try await travelServer()
        let session = await initializedSession(server)
        let tools = try #require(await server.handle(request(1, "tools/list"), session: session)?.result?["tools"]?.arrayValue)
        #expect(tools.count == 9)
        let forecast = try #require(tools.first { $0["name"] == "weather_forecast" })
        #expect(forecast["inputSchema"]?["type"] == "object")
        #expect(forecast["outputSchema"]?["type"] == "object")
        #expect(forecast["inputSchema"]?["required"] != nil)
    }

    @Test func callsAToolWithTextAndStructuredContent() async throws {
        let server = try await travelServer()
        let session = await initializedSession(server)
        let result = try #require(
            await server.handle(request(2, "tools/call", ["name": "weather_forecast", "arguments": weatherArguments]), session: session)?.result)
        #expect(result["isError"] == false)
        let structured = try #require(result["structuredContent"])
        #expect(structured["city"] == "Lisbon")
        let text = try #require(result["content"]?[0]?["text"]?.stringValue)
        #expect(try JSONValue(parsing: text) == structured)
        #expect(result["content"]?[0]?["type"] == "text")
    }

    /// A call sent again with the same `_meta` idempotency key is the same call: the payment is taken once.
    @Test func callsWithTheSameIdempotencyKeyAreOneCall() async throws {
        let server = try await travelServer()
        let session = await initializedSession(server)
        let charge: JSONValue = ["amountCents": 500, "currency": "EUR", "reference": "deposit"]
        func call(_ id: Int, key: JSONValue?) async -> JSONValue? {
            var params: [String: JSONValue] = ["name": "payments_charge", "arguments": charge]
            if let key { params["_meta"] = [MCPServer.idempotencyKeyMeta: key] }
            let response = await server.handle(request(id, "tools/call", .object(params)), session: session)
            return response?.result?["structuredContent"]?["chargeID"] ?? response?.error.map { .string("error \($0.code): \($0.message)") }
        }
        let first = await call(2, key: "call-7")
        #expect(await call(3, key: "call-7") == first)
        #expect(await call(4, key: "call-8") != first)
        #expect(await call(5, key: nil) != first)
        #expect(await call(6, key: 7)?.stringValue?.hasPrefix("error -32602: params._meta[\"io.micro/idempotency-key\"] must be a string") == true)
        #expect(await call(7, key: "")?.stringValue?.hasPrefix("error -32602") == true)
    }

    @Test func aFailingCallIsAnErrorResult() async throws {
        let server = try await travelServer()
        let session = await initializedSession(server)
        let result = try #require(
            await server.handle(request(2, "tools/call", ["name": "weather_forecast", "arguments": ["city": "Lisbon"]]), session: session)?.result)
        #expect(result["isError"] == true)
        #expect(result["content"]?[0]?["text"]?.stringValue?.contains("do not match its schema") == true)
        #expect(result["structuredContent"]?["error"]?["code"] == "invalid_arguments")
    }

    @Test func handshakeRequestsNeedASession() async throws {
        let server = try await travelServer()
        #expect(await server.handle(request(1, "tools/list"), session: nil)?.error?.code == -32600)
        #expect(await server.handle(request(1, "tools/list"), session: MCPSession(id: "fresh"))?.error?.code == -32600)
        #expect(await server.handle(request(2, "ping"), session: nil)?.result == [:])
    }

    // MARK: 2026-07-28

    @Test func discoverDescribesTheServer() async throws {
        let server = try await travelServer()
        let result = try #require(await server.handle(request(1, "server/discover", ["_meta": modernMeta]), session: nil)?.result)
        #expect(result["supportedVersions"]?.arrayValue?.contains("2026-07-28") == true)
        #expect(result["supportedVersions"]?.arrayValue?.contains("2025-11-25") == true)
        #expect(result["resultType"] == "complete")
        #expect(result["ttlMs"] == 0)
        #expect(result["cacheScope"] == "public")
        #expect(result["capabilities"]?["tools"] != nil)
        #expect(result["_meta"]?["io.modelcontextprotocol/serverInfo"]?["name"] == "micro")
    }

    @Test func modernRequestsNeedNoSessionAndCarryResultType() async throws {
        let server = try await travelServer()
        let list = try #require(await server.handle(request(1, "tools/list", ["_meta": modernMeta]), session: nil)?.result)
        #expect(list["tools"]?.arrayValue?.count == 9)
        #expect(list["resultType"] == "complete")
        #expect(list["ttlMs"] == 0)
        let call = try #require(
            await server.handle(
                request(2, "tools/call", ["name": "weather_forecast", "arguments": weatherArguments, "_meta": modernMeta]), session: nil)?.result)
        #expect(call["resultType"] == "complete")
        #expect(call["structuredContent"]?["city"] == "Lisbon")
        #expect(call["ttlMs"] == nil)
    }

    @Test func anUnsupportedModernVersionListsTheSupportedOnes() async throws {
        let server = try await travelServer()
        let meta: JSONValue = ["io.modelcontextprotocol/protocolVersion": "2099-01-01", "io.modelcontextprotocol/clientCapabilities": [:]]
        let error = try #require(await server.handle(request(1, "tools/list", ["_meta": meta]), session: nil)?.error)
        #expect(error.code == -32022)
        #expect(error.data?["supported"] == ["2026-07-28"])
        #expect(error.data?["requested"] == "2099-01-01")
    }

    @Test func aModernEnvelopeNeedsClientCapabilities() async throws {
        let server = try await travelServer()
        let meta: JSONValue = ["io.modelcontextprotocol/protocolVersion": "2026-07-28"]
        #expect(await server.handle(request(1, "tools/list", ["_meta": meta]), session: nil)?.error?.code == -32602)
        #expect(await server.handle(request(2, "ping", ["_meta": modernMeta]), session: nil)?.error?.code == -32601)
    }

    // MARK: Bad input

    @Test(arguments: [
        ("{", -32700), ("[1,2]", -32600), ("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", -32600),
        ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"no/such\"}", -32601),
        ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":[1]}", -32602),
        ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"arguments\":{}}}", -32602),
        ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"nope\"}}", -32602),
        ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"weather_forecast\",\"arguments\":3}}", -32602),
        ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/read\",\"params\":{}}", -32602),
        ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"prompts/get\",\"params\":{\"name\":\"nobody\"}}", -32602),
        ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}", -32602),
    ])
    func badInputGetsTheRightError(input: String, code: Int) async throws {
        let server = try await travelServer()
        let session = await initializedSession(server)
        let response = try #require(await server.handle(bytes: Array(input.utf8), session: session))
        #expect(response.error?.code == code, "\(input)")
    }

    @Test func anUnknownToolSuggestsNearNames() async throws {
        let server = try await travelServer()
        let session = await initializedSession(server)
        let error = try #require(
            await server.handle(request(1, "tools/call", ["name": "weather_forcast", "arguments": [:]]), session: session)?.error)
        #expect(error.data?["suggestions"]?.arrayValue?.first == "weather_forecast")
    }

    @Test func aBurstOfGarbageLeavesTheServerWorking() async throws {
        let server = try await travelServer()
        let session = await initializedSession(server)
        let garbage = ["", "{", "null", "[]", "\u{0}\u{1}", "{\"jsonrpc\":\"2.0\"}", String(repeating: "[", count: 10_000), "{\"id\":{}}", "💥"]
        for input in garbage {
            let response = await server.handle(bytes: Array(input.utf8), session: session)
            #expect(response?.error != nil, "\(input.prefix(20))")
        }
        let result = try #require(
            await server.handle(request(9, "tools/call", ["name": "weather_forecast", "arguments": weatherArguments]), session: session)?.result)
        #expect(result["isError"] == false)
    }

    // MARK: Resources and prompts

    @Test func theRegistryIsReadableAsResources() async throws {
        let server = try await travelServer()
        let session = await initializedSession(server)
        let resources = try #require(await server.handle(request(1, "resources/list"), session: session)?.result?["resources"]?.arrayValue)
        let uris = resources.compactMap { $0["uri"]?.stringValue }
        #expect(uris.contains("micro://services/weather"))
        let contents = try #require(
            await server.handle(request(2, "resources/read", ["uri": "micro://services/weather"]), session: session)?.result?["contents"]?.arrayValue)
        let described = try JSONValue(parsing: try #require(contents.first?["text"]?.stringValue))
        #expect(described["name"] == "weather")
        #expect(described["versions"]?[0]?["endpoints"]?[0]?["name"] == "forecast")
        let missing = await server.handle(request(3, "resources/read", ["uri": "micro://services/nope"]), session: session)
        #expect(missing?.error?.code == -32002)
    }

    @Test func agentsInstructionsArePrompts() async throws {
        let server = try await travelServer()
        let session = await initializedSession(server)
        let prompts = try #require(await server.handle(request(1, "prompts/list"), session: session)?.result?["prompts"]?.arrayValue)
        #expect(prompts.compactMap { $0["name"]?.stringValue } == ["booker", "coordinator"])
        let prompt = try #require(
            await server.handle(request(2, "prompts/get", ["name": "booker", "arguments": ["task": "Book lisbon:0"]]), session: session)?.result)
        let text = try #require(prompt["messages"]?[0]?["content"]?["text"]?.stringValue)
        #expect(text.hasPrefix("You book hotels."))
        #expect(text.hasSuffix("Task: Book lisbon:0"))
    }

    // MARK: Registry changes

    @Test func aNewServiceAppearsAndIsAnnounced() async throws {
        let server = try await travelServer()
        let session = await initializedSession(server)
        #expect(await server.handle(request(1, "tools/list"), session: session)?.result?["tools"]?.arrayValue?.count == 9)
        let (ready, readiness) = AsyncStream.makeStream(of: Void.self)
        let seen = try await withThrowingTaskGroup(of: [String]?.self) { group in
            group.addTask {
                try await server.watchRegistry { readiness.yield() }
                return nil
            }
            for await _ in ready { break }
            let notifications = server.notifications()
            try await server.runtime.serve(echoService)
            var methods: [String] = []
            for await message in notifications {
                if case .notification(let method, _) = message { methods.append(method) }
                if methods.count == 2 { break }
            }
            group.cancelAll()
            return methods
        }
        #expect(seen == ["notifications/tools/list_changed", "notifications/resources/list_changed"])
        let tools = try #require(await server.handle(request(2, "tools/list"), session: session)?.result?["tools"]?.arrayValue)
        #expect(tools.contains { $0["name"] == "echo_say" })
    }
}
