import ArgumentParser
import Foundation
import Micro
import MicroAgent
import MicroProviders

struct ProvidersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "providers", abstract: "The LLM provider adapters: list them, or read a response body as one of them does.",
        subcommands: [ProvidersListCommand.self, ProvidersParseCommand.self], defaultSubcommand: ProvidersListCommand.self)
}

struct ProvidersListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the LLM provider adapters with their defaults.")

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

/// Reads a saved streamed response body with a provider's adapter, exactly as an agent would, and prints
/// what came out as canonical JSON: the text, tool calls, stop reason and usage, or the error. For
/// debugging a provider's stream, and for comparing our adapters with the official SDKs on the same bytes.
struct ProvidersParseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse", abstract: "Read a saved response body with a provider's adapter and print what it made of it.")

    @Argument(help: "The provider (see micro providers list).") var provider: String
    @Argument(help: "The response body (SSE or NDJSON), as the provider sent it.") var file: String
    @Option(help: "Hand the body over in chunks of this many bytes (to split lines and UTF-8 sequences).") var chunk: Int?

    func run() async throws {
        let body: [UInt8]
        do {
            body = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        } catch {
            Console.current.err("error: cannot read \(file): \(error.localizedDescription)")
            throw ExitCode(2)
        }
        let model: any Model
        do {
            model = try ProviderCatalog.reader(of: body, provider: provider, chunkSize: chunk)
        } catch {
            Console.current.err("error: \(error)")
            throw ExitCode(2)
        }
        Console.current.out(await Self.reading(model).canonicalString())
    }

    /// What `model` makes of its one answer, as JSON.
    static func reading(_ model: any Model) async -> JSONValue {
        do {
            let response = try await model.respond(to: ModelRequest(model: "", messages: [.user("")]))
            var value: [String: JSONValue] = [
                "text": .string(response.message.text),
                "toolCalls": .array(response.message.toolCalls.map { ["name": .string($0.name), "arguments": $0.arguments] }),
                "stopReason": .string(response.stopReason.rawValue),
                "usage": ["input": .integer(response.usage.inputTokens), "output": .integer(response.usage.outputTokens)],
            ]
            if !response.truncatedToolCalls.isEmpty {
                value["truncatedToolCalls"] = .array(response.truncatedToolCalls.map {
                    ["name": .string($0.name), "partialArguments": .string($0.partialArguments)]
                })
            }
            if let details = response.stopDetails { value["stopDetails"] = details }
            return .object(value)
        } catch let error as ModelError {
            return ["error": ["code": .string(error.code.rawValue), "message": .string(error.message)]]
        } catch {
            return ["error": ["code": "other", "message": .string("\(error)")]]
        }
    }
}

