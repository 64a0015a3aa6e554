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
