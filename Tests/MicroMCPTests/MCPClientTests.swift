import Foundation
import Micro
import MicroMCP
import MicroProviders
import Testing

/// The `micro` executable built next to the test bundle, if it is there.
let microBinary: String? = {
    let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [directory, directory.deletingLastPathComponent()] {
        let path = candidate.appendingPathComponent("micro").path
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}()

@Suite struct MCPClientTests {
    @Test(arguments: [(MCPClient.Mode.legacy, "2025-11-25"), (.modern, "2026-07-28"), (.auto, "2026-07-28")])
    func talksToOurServerOverHTTP(mode: MCPClient.Mode, version: String) async throws {
        try await withMCPHTTPServer { (url, _) async throws in
            let transport = MCPHTTPClientTransport(url: url)
            let client = MCPClient(transport: transport, mode: mode)
            try await client.connect()
            #expect(client.protocolVersion == version)
            #expect(client.serverInfo?["name"] == "micro")
            #expect((transport.session != nil) == (mode == .legacy))

            let tools = try await client.listTools()
            #expect(tools.count == 9)
            #expect(tools.first { $0.name == "weather_forecast" }?.outputSchema?["type"] == "object")

            let result = try await client.callTool("weather_forecast", arguments: weatherArguments)
            #expect(!result.isError)
            #expect(result.structuredContent?["city"] == "Lisbon")
            let failed = try await client.callTool("weather_forecast", arguments: ["city": "Lisbon"])
            #expect(failed.isError)

            let contents = try await client.readResource("micro://services/weather")
            #expect(contents.first?["mimeType"] == "application/json")
            await #expect(throws: MCPClientError.self) { try await client.callTool("no_such_tool") }
            await client.close()
            #expect(transport.session == nil)
        }
    }

    @Test func givesAnMCPServersToolsToAgentsNextToServiceTools() async throws {
        try await withMCPHTTPServer { (url, _) async throws in
            let client = MCPClient(transport: MCPHTTPClientTransport(url: url))
            try await client.connect()
            let remote = try await client.agentTools(prefix: "remote_")
            #expect(remote.count == 9)
            // A runtime of its own with one local service; the remote tools join its toolset.
            let runtime = Runtime.inMemory()
            try await runtime.serve(echoService)
            let toolset = try await runtime.toolset().adding(remote)
            #expect(toolset.tools.count == 10)
            let context = CallContext.standalone(caller: "test", environment: runtime.environment)
            let forecast = try await toolset.call("remote_weather_forecast", arguments: weatherArguments, context: context)
            #expect(!forecast.isError)
            #expect(forecast.content["city"] == "Lisbon")
            // The remote schema validates locally, before any request.
            let invalid = try await toolset.call("remote_weather_forecast", arguments: ["city": 3], context: context)
            #expect(invalid.isError)
            let echoed = try await toolset.call("echo_say", arguments: ["text": "hi"], context: context)
            #expect(echoed.content == ["text": "hi"])
            await client.close()
        }
    }

    @Test(.enabled(if: microBinary != nil, "needs the micro executable (swift build)"), arguments: [MCPClient.Mode.legacy, .auto])
    func talksToOurServerOverStdio(mode: MCPClient.Mode) async throws {
        let transport = try MCPStdioClientTransport(command: [try #require(microBinary), "mcp", "serve", "--stdio"])
        let client = MCPClient(transport: transport, mode: mode)
        try await client.connect()
        #expect(client.protocolVersion == (mode == .legacy ? "2025-11-25" : "2026-07-28"))
        #expect(try await client.listTools().count == 9)
        let result = try await client.callTool("weather_forecast", arguments: weatherArguments)
        #expect(result.structuredContent?["city"] == "Lisbon")
        await client.close()
        await #expect(throws: MCPClientError.self) { try await client.listTools() }
    }

    @Test func aServerThatCannotStartIsReported() async throws {
        let transport = try MCPStdioClientTransport(command: ["sh", "-c", "exit 3"])
        let client = MCPClient(transport: transport, mode: .legacy)
        await #expect(throws: MCPClientError.self) { try await client.connect() }
        await client.close()
    }

    /// A server that never answers: the request fails after the client's timeout, naming the method.
    @Test func aRequestWithoutAnAnswerTimesOut() async throws {
        let transport = try MCPStdioClientTransport(command: ["sh", "-c", "cat > /dev/null"], requestTimeout: .milliseconds(300))
        let error = await #expect(throws: MCPClientError.self) {
            try await transport.send(request: .request(id: .integer(1), method: "tools/list", params: nil), protocolVersion: nil)
        }
        #expect(error?.code == .timedOut)
        #expect(error?.message.contains("tools/list got no response within 0.3 seconds") == true, "\(String(describing: error))")
        await transport.close(grace: .milliseconds(100))
    }

    /// Lines that are not JSON-RPC are not dropped in silence: the error that follows counts and shows them.
    @Test func linesThatAreNotJSONRPCAreNamedInTheErrorThatFollows() async throws {
        let transport = try MCPStdioClientTransport(
            command: ["sh", "-c", "read line; echo 'Starting server...'; echo '{\"half\": '; exit 0"], requestTimeout: .seconds(20))
        let error = await #expect(throws: MCPClientError.self) {
            try await transport.send(request: .request(id: .integer(1), method: "initialize", params: [:]), protocolVersion: nil)
        }
        #expect(error?.code == .transport)
        #expect(error?.message.contains("the server wrote 2 line(s) that are not JSON-RPC, the last: {\"half\":") == true, "\(String(describing: error))")
        await transport.close(grace: .milliseconds(100))
    }

    @Test func commandLinesSplitIntoWords() {
        #expect(MCPStdioClientTransport.words(#"python3 "my server.py" --name 'a b' x\ y"#) == ["python3", "my server.py", "--name", "a b", "x y"])
        #expect(MCPStdioClientTransport.words("  a   b ") == ["a", "b"])
        #expect(MCPStdioClientTransport.words(#"a "" b"#) == ["a", "", "b"])
    }
}
