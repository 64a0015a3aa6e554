import ArgumentParser
import Foundation
import Micro
import MicroAgent
import MicroExamples
import MicroProviders

struct RecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record", abstract: "Record an agent session with a provider into a cassette.",
        discussion: """
            Runs one agent (the bundled travel services in memory, scoped by --tools) on --prompt against the \
            provider and writes every HTTP interaction, redacted, to --out. A --base-url on loopback (127.0.0.1, \
            localhost) is a stand-in, not the provider: the cassette is marked documented-example. Prints the last \
            assistant message and its tool calls; a run stopped by --max-steps after a tool call is a normal \
            outcome. Retryable errors (429, 5xx, cut or malformed streams) are retried up to --max-attempts, waiting \
            on the real clock; every attempt is recorded. A model error that outlasts them is reported with exit code 1.
            """)

    @Option(help: "The provider (see micro providers).") var provider: String
    @Option(help: "The model (default: the provider's).") var model: String?
    @Option(name: .customLong("base-url"), help: "The API base URL (default: the provider's).") var baseURL: String?
    @Option(help: "The user's message.") var prompt: String
    @Option(help: "Comma-separated services whose tools the agent may call (empty: none).") var tools = ""
    @Option(name: .customLong("max-steps"), help: "Most model calls (1 records exactly one).") var maxSteps = 20
    @Option(help: "The cassette file to write.") var out: String
    @Option(
        name: .customLong("max-attempts"),
        help: "Attempts per model call, the first included: rate limits, overload, cut or malformed streams and resets are retried, waiting retry-after (or backing off) on the real clock, as the SDKs do. Every attempt is recorded.")
    var maxAttempts = 3
    @Flag(help: "Print {text, toolCalls, usage, stopReason} as JSON.") var json = false

    /// The agent's built-in tools, left out of recorded requests so that only the services' tools are offered.

    func validate() throws {
        guard maxSteps >= 1 else { throw ValidationError("--max-steps must be at least 1") }
        guard maxAttempts >= 1 else { throw ValidationError("--max-attempts must be at least 1") }
        guard ProviderCatalog.entry(provider) != nil else {
            throw ValidationError(
                "unknown provider \(provider); providers: \(ProviderCatalog.entries.map(\.name).joined(separator: ", "))")
        }
    }

    func run() async throws {
        let console = Console.current
        let isLoopback = baseURL.map(ProviderCatalog.isLoopback) ?? false
        var environment = ProcessInfo.processInfo.environment
        if isLoopback, let entry = ProviderCatalog.entry(provider),
            !entry.apiKeyVariables.contains(where: { environment[$0] != nil }), let variable = entry.apiKeyVariables.first
        {
            environment[variable] = "stand-in-needs-no-key"
        }
        let metadata = Cassette.Metadata.recorded(by: "micro record", upstream: baseURL, provider: provider, model: model)
        let recording: RecordingTransport
        let base: any Model
        do {
            recording = try RecordingTransport(live: CurlTransport(), path: out, mode: .all, metadata: metadata)
            base = try ProviderCatalog.model(provider, model: model, baseURL: baseURL, transport: recording, environment: environment)
        } catch {
            throw ValidationError("\(error)")
        }
        let services = tools.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let runtime = try await AgentWorld.catalogRuntime(db: nil)
        let agent = Agent(
            name: "recorder", instructions: "You are a helpful travel assistant. Use the tools when they help.",
            model: WithoutBuiltinTools(base), tools: .services(services),
            guardrails: Guardrails(maxSteps: maxSteps, retry: RetryPolicy(maxAttempts: maxAttempts, initialDelay: .milliseconds(500), maxDelay: .seconds(8), jitter: 0.25)))
        let runner = AgentRunner(runtime: runtime, checkpointer: InMemoryCheckpointer(), agents: [agent])
        let result: RunResult
        do {
            result = try await runner.run("recorder", input: prompt)
            try recording.finish()
        } catch {
            try? recording.finish()
            throw error
        }
        let responses = runner.trace.events(.modelResponse)
        guard let last = responses.last else {
            console.err("error: \(result.failure?.description ?? "no model response") (recorded to \(out))")
            throw ExitCode(1)
        }
        let output = try Self.summary(of: last.data)
        if json {
            console.out(output.canonicalString())
        } else {
            console.out(output["text"]?.stringValue ?? "")
            for call in output["toolCalls"]?.arrayValue ?? [] {
                console.out("tool call \(call["name"]?.stringValue ?? ""): \(call["arguments"]?.canonicalString() ?? "{}")")
            }
            console.out("stop reason: \(output["stopReason"]?.stringValue ?? ""); recorded \(responses.count) model call(s) to \(out)")
        }
        if result.status == .failed, let failure = result.failure, failure.code != "max_steps" {
            console.err("error: \(failure)")
            throw ExitCode(1)
        }
    }

    /// `{text, toolCalls: [{name, arguments}], usage, stopReason}` from a `model_response` trace event.
    static func summary(of data: JSONValue) throws -> JSONValue {
        let message = try JSONValueDecoder().decode(Message.self, from: data["message"] ?? .null)
        return [
            "text": .string(message.text),
            "toolCalls": .array(message.toolCalls.map { ["name": .string($0.name), "arguments": $0.arguments] }),
            "usage": data["usage"] ?? .null,
            "stopReason": data["stopReason"] ?? .null,
        ]
    }
}
