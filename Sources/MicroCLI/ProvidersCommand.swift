import ArgumentParser
import Micro
import MicroProviders

struct ProvidersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "providers", abstract: "List the LLM provider adapters with their defaults.")

    @Flag(help: "Print a JSON array of {name, api, baseURL, defaultModel, apiKeyVariables, contextWindow}.")
    var json = false

    func run() async throws {
        let console = Console.current
        if json {
            let entries: [JSONValue] = ProviderCatalog.entries.map { entry in
                [
                    "name": .string(entry.name), "api": .string(entry.api), "baseURL": .string(entry.baseURL),
                    "defaultModel": .string(entry.defaultModel),
                    "apiKeyVariables": .array(entry.apiKeyVariables.map(JSONValue.string)),
                    "contextWindow": .integer(entry.contextWindow),
                ]
            }
            console.out(JSONValue.array(entries).prettyString())
            return
        }
        for entry in ProviderCatalog.entries {
            let key = entry.apiKeyVariables.isEmpty ? "no key" : entry.apiKeyVariables.joined(separator: " or ")
            console.out("\(entry.name)  \(entry.api)  \(entry.baseURL)  model \(entry.defaultModel)  key \(key)  window \(entry.contextWindow)")
        }
    }
}
