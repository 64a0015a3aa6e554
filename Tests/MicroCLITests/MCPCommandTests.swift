import Foundation
import Micro
import Testing

/// The `micro` executable built next to the test bundle, if it is there.
private let micro: String? = {
    let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [directory, directory.deletingLastPathComponent()] {
        let path = candidate.appendingPathComponent("micro").path
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}()

@Suite(.enabled(if: micro != nil, "needs the micro executable (swift build)"))
struct MCPCommandTests {
    var server: String { "\(micro!) mcp serve --stdio" }

    @Test func listsTheToolsOfAStdioServer() async throws {
        let (code, out, err) = await runMicro(["mcp", "tools", server, "--json"])
        #expect(code == 0, "\(err)")
        let tools = try #require(try JSONValue(parsing: out).arrayValue)
        #expect(tools.count == 9)
        #expect(tools.first { $0["name"] == "weather_forecast" }?["outputSchema"]?["type"] == "object")
    }

    @Test func callsAToolOfAStdioServer() async throws {
        let (code, out, err) = await runMicro([
            "mcp", "call", server, "weather_forecast", "--args", #"{"city":"Lisbon","from":"2026-05-01","days":1}"#, "--json",
        ])
        #expect(code == 0, "\(err)")
        #expect(try JSONValue(parsing: out)["structuredContent"]?["city"] == "Lisbon")
    }

    @Test func aFailedCallExitsOneAndBadArgumentsTwo() async throws {
        let failed = await runMicro(["mcp", "call", server, "weather_forecast", "--args", #"{"city":"Lisbon"}"#, "--mode", "legacy"])
        #expect(failed.code == 1)
        #expect(failed.err.contains("do not match its schema"))
        let malformed = await runMicro(["mcp", "call", server, "weather_forecast", "--args", "{"])
        #expect(malformed.code == 2)
    }
}

@Suite struct MCPServeGuardTests {
    /// A non-loopback bind needs a token (from --token, --token-file or MICRO_MCP_TOKEN) or an explicit --insecure.
    @Test func aNonLoopbackBindWithoutATokenIsRefused() async throws {
        let (code, _, err) = await runMicro(["mcp", "serve", "--http", "0", "--host", "0.0.0.0"])
        #expect(code == 64)
        #expect(err.contains("--host 0.0.0.0 is not loopback: give a token"), "\(err)")
    }

    @Test func aTokenFileMustBeReadableAndNotEmpty() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)").path
        try "\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let empty = await runMicro(["mcp", "serve", "--http", "0", "--host", "0.0.0.0", "--token-file", path])
        #expect(empty.code == 64)
        #expect(empty.err.contains("is empty"), "\(empty.err)")
        let missing = await runMicro(["mcp", "serve", "--http", "0", "--host", "0.0.0.0", "--token-file", path + ".missing"])
        #expect(missing.err.contains("cannot read the token file"), "\(missing.err)")
        let both = await runMicro(["mcp", "serve", "--http", "0", "--token", "a", "--token-file", path])
        #expect(both.err.contains("not both"), "\(both.err)")
    }
}
