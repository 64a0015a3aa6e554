import Foundation
import Micro
import MicroAgent

/// The nine provider adapters by name, with their defaults, and a factory for each.
public enum ProviderCatalog {
    /// One provider: its wire format and defaults.
    public struct Entry: Sendable, Hashable {
        /// The name used on the command line and in scenarios (`anthropic`, `openai`, `groq`, …).
        public var name: String
        /// The wire format it speaks.
        public var api: String
        public var baseURL: String
        public var defaultModel: String
        /// Environment variables searched for its API key, in order (empty: no key needed).
        public var apiKeyVariables: [String]
        public var contextWindow: Int
    }

    /// Every adapter, in a stable order.
    public static let entries: [Entry] = [
        Entry(
            name: "anthropic", api: "Anthropic Messages (SSE)", baseURL: AnthropicModel.defaultBaseURL,
            defaultModel: AnthropicModel.defaultModel, apiKeyVariables: [AnthropicModel.apiKeyVariable],
            contextWindow: 200_000),
        Entry(
            name: "gemini", api: "Gemini streamGenerateContent (alt=sse)", baseURL: GeminiModel.defaultBaseURL,
            defaultModel: GeminiModel.defaultModel, apiKeyVariables: GeminiModel.apiKeyVariables,
            contextWindow: 1_048_576),
        Entry(
            name: "ollama", api: "Ollama /api/chat (NDJSON)", baseURL: OllamaModel.defaultBaseURL,
            defaultModel: OllamaModel.defaultModel, apiKeyVariables: [], contextWindow: 32_768),
    ] + openAICompatible.map { configuration in
        Entry(
            name: configuration.provider, api: "OpenAI Chat Completions (SSE)", baseURL: configuration.baseURL,
            defaultModel: configuration.defaultModel, apiKeyVariables: configuration.apiKeyVariables,
            contextWindow: configuration.contextWindow)
    }

    static let openAICompatible: [OpenAIChatModel.Configuration] = [
        .openAI, .groq, .mistral, .together, .atlasCloud, .miniMax,
    ]

    /// Whether `url` names this machine (127.0.0.0/8, localhost, ::1): a stand-in or a proxy, not a provider.
    public static func isLoopback(_ url: String) -> Bool {
        guard let host = URLComponents(string: url)?.host?.lowercased() else { return false }
        return host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
    }

    /// The entry called `name`, if any.
    public static func entry(_ name: String) -> Entry? { entries.first { $0.name == name.lowercased() } }

    /// A model for provider `name` that takes `body` as the answer to any request (handed over in pieces of
    /// `chunkSize` bytes when given), with placeholder keys: a saved response read exactly as an agent would
    /// read it (`micro providers parse`, drift checks, the black-box edge). Throws for an unknown name.
    public static func reader(of body: [UInt8], provider name: String, chunkSize: Int? = nil) throws -> any Model {
        var keys: [String: String] = [:]
        for entry in entries { for variable in entry.apiKeyVariables { keys[variable] = "saved-response" } }
        return try model(name, transport: FixedBodyTransport(body: body, chunkSize: chunkSize), environment: keys)
    }

    /// A model for provider `name` over `transport`, with optional overrides. Throws for an unknown name.
    /// `now` is the wall time an HTTP-date `retry-after` is measured from.
    public static func model(
        _ name: String, model: String? = nil, baseURL: String? = nil, transport: any HTTPTransport,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        now: @escaping @Sendable () -> Timestamp = Environment.live.now
    ) throws -> any Model {
        switch name.lowercased() {
        case "anthropic":
            return AnthropicModel(
                model: model ?? AnthropicModel.defaultModel, baseURL: baseURL ?? AnthropicModel.defaultBaseURL,
                transport: transport, environment: environment, now: now)
        case "gemini":
            return GeminiModel(
                model: model ?? GeminiModel.defaultModel, baseURL: baseURL ?? GeminiModel.defaultBaseURL,
                transport: transport, environment: environment, now: now)
        case "ollama":
            return OllamaModel(
                model: model ?? OllamaModel.defaultModel, baseURL: baseURL ?? OllamaModel.defaultBaseURL,
                transport: transport, environment: environment, now: now)
        default:
            guard let configuration = openAICompatible.first(where: { $0.provider == name.lowercased() }) else {
                throw ModelError(
                    .invalidRequest,
                    "unknown provider \(name); providers: \(entries.map(\.name).joined(separator: ", "))")
            }
            return OpenAIChatModel(
                configuration, model: model, baseURL: baseURL, transport: transport, environment: environment, now: now)
        }
    }
}
