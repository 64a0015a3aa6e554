import Foundation
import Micro
import MicroCLI
import Testing

@Suite struct ProvidersCommandTests {
    @Test func listsTheNineAdapters() async throws {
        let (code, out, _) = await runMicro(["providers", "--json"])
        #expect(code == 0)
        let entries = try #require(try JSONValue(parsing: out).arrayValue)
        #expect(Set(entries.compactMap { $0["name"]?.stringValue }) == [
            "anthropic", "openai", "gemini", "groq", "mistral", "together", "atlascloud", "ollama", "minimax",
        ])
        let anthropic = try #require(entries.first { $0["name"] == "anthropic" })
        #expect(anthropic["apiKeyVariables"] == ["ANTHROPIC_API_KEY"])
    }
}

@Suite struct ProvidersParseCommandTests {
    static func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("parse-\(UUID().uuidString).sse").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test(arguments: [nil, 1, 5])
    func readsABodyAsTheAdapterDoes(chunk: Int?) async throws {
        let path = try Self.file("""
            data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"Zoë 👋"}}]}

            data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c1","function":{"name":"f","arguments":"{\\"a\\":1}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":3,"completion_tokens":4}}

            data: [DONE]


            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (code, out, _) = await runMicro(["providers", "parse", "openai", path] + (chunk.map { ["--chunk", String($0)] } ?? []))
        #expect(code == 0)
        #expect(out.trimmingCharacters(in: .whitespacesAndNewlines)
            == #"{"stopReason":"tool_use","text":"Zoë 👋","toolCalls":[{"arguments":{"a":1},"name":"f"}],"usage":{"input":3,"output":4}}"#)
    }

    @Test func aCutBodyIsReportedAsTheErrorTheAdapterRaises() async throws {
        let path = try Self.file(#"data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}"# + "\n\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (code, out, _) = await runMicro(["providers", "parse", "openai", path])
        #expect(code == 0)
        #expect(try JSONValue(parsing: out)["error"]?["code"] == "truncated")
    }

    @Test func aMissingFileOrAnUnknownProviderIsAnError() async throws {
        let (missing, _, error) = await runMicro(["providers", "parse", "openai", "/nonexistent/body.sse"])
        #expect(missing == 2)
        #expect(error.contains("cannot read /nonexistent/body.sse"))
        let path = try Self.file("data: {}\n\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (unknown, _, message) = await runMicro(["providers", "parse", "openia", path])
        #expect(unknown == 2)
        #expect(message.contains("openia"), "\(message)")
    }
}
