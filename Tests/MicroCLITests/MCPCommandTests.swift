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
