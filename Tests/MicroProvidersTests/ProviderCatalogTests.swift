import MicroAgent
import MicroProviders
import Testing

@Suite struct ProviderCatalogTests {
    @Test(arguments: ProviderCatalog.entries.map(\.name))
    func everyEntryMakesAModelOfThatProvider(name: String) throws {
        let model = try ProviderCatalog.model(
            name, model: "m-1", transport: ScriptedHTTPTransport(), environment: [:])
        #expect(model.info.provider == name)
        #expect(model.info.name == "m-1")
    }

    @Test func unknownProvidersAreAClearError() {
        let error = #expect(throws: ModelError.self) {
            try ProviderCatalog.model("nope", transport: ScriptedHTTPTransport(), environment: [:])
        }
        #expect(error?.message.contains("anthropic") == true)
    }
}
