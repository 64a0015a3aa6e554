import ArgumentParser
import Hummingbird
import MicroReplay

struct StandInCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "standin", abstract: "Serve the providers' documented wire examples on loopback.",
        subcommands: [Serve.self])

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Answer like Anthropic, OpenAI, Gemini and Ollama from their documented examples, on 127.0.0.1.",
            discussion: """
                POST /v1/messages, /v1/chat/completions, /v1beta/models/MODEL:streamGenerateContent and /api/chat \
                answer with a tool call when the request offers tools and ends with a user message, else with text; \
                streamed or as one JSON document as the request asks. The header x-micro-standin: rate-limit or a \
                last message containing "rate limit" gets HTTP 429 with retry-after and the provider's error body.
                """)

        @Option(help: "Port to listen on (0 picks a free one).") var port = 8090

        func run() async throws {
            let console = Console.current
            let application = StandInServer(port: port).application { port in
                console.out("serving on http://127.0.0.1:\(port)")
            }
            try await application.runService()
        }
    }
}
