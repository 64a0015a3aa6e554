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
                last message containing "rate limit" gets HTTP 429 with retry-after and the provider's error body. \
                With any --*-rate it is a chaos upstream: seeded rate limits, 5xx, cut, stalled and malformed \
                streams and context-window rejections (a request meets at most --max-faults-per-request of them); \
                it prints each client retry it sees with how long the client waited against the advertised \
                retry-after, and GET /_micro/retries reports them all.
                """)

        @Option(help: "Port to listen on (0 picks a free one).") var port = 8090
        @Option(name: .customLong("chaos-seed"), help: "Seed of the chaos draws (with any --*-rate).") var chaosSeed: UInt64 = 1
        @Option(name: .customLong("rate-limit-rate"), help: "Share of requests answered 429 with retry-after.") var rateLimitRate = 0.0
        @Option(name: .customLong("server-error-rate"), help: "Share answered 503 with retry-after.") var serverErrorRate = 0.0
        @Option(name: .customLong("cut-rate"), help: "Share of bodies cut halfway, before their terminal event.") var cutRate = 0.0
        @Option(name: .customLong("stall-rate"), help: "Share of bodies that stop for --stall halfway.") var stallRate = 0.0
        @Option(name: .customLong("malformed-rate"), help: "Share of bodies with a chunk that is not JSON halfway.") var malformedRate = 0.0
        @Option(name: .customLong("context-window-rate"), help: "Share answered 400 context_length_exceeded.") var contextWindowRate = 0.0
        @Option(name: .customLong("retry-after"), help: "Seconds advertised in retry-after.") var retryAfter = 1.0
        @Option(help: "Seconds a stalled body stops.") var stall = 1.0
        @Option(name: .customLong("max-faults-per-request"), help: "Faults one request (by its body) meets at most.") var maxFaultsPerRequest = 1
        @Option(help: "A file of answers written by hand, served in order to /v1/chat/completions (see StandInScript).") var script: String?

        func run() async throws {
            let console = Console.current
            let rates = [rateLimitRate, serverErrorRate, cutRate, stallRate, malformedRate, contextWindowRate]
            guard rates.allSatisfy({ (0...1).contains($0) }), rates.reduce(0, +) <= 1 else {
                throw ValidationError("each --*-rate is between 0 and 1 and together they are at most 1")
            }
            var made: RetryJudge?
            if rates.contains(where: { $0 > 0 }) {
                let chaos = StandInChaos(
                    seed: chaosSeed, rateLimit: rateLimitRate, serverError: serverErrorRate, cut: cutRate, stalled: stallRate,
                    malformed: malformedRate, contextWindow: contextWindowRate, retryAfter: .milliseconds(Int64(retryAfter * 1000)),
                    stall: .milliseconds(Int64(stall * 1000)), maxFaultsPerRequest: maxFaultsPerRequest)
                made = RetryJudge(chaos: chaos) { line in console.out(line) }
            }
            let judge = made
            var scripted: StandInScript?
            if let script {
                do { scripted = try StandInScript(contentsOf: script) } catch { throw ValidationError(error.description) }
            }
            let application = StandInServer(port: port, judge: judge, script: scripted).application { port in
                console.out("serving on http://127.0.0.1:\(port)" + (judge == nil ? "" : " with chaos (GET /_micro/retries for the judgement)"))
            }
            try await application.runService()
        }
    }
}
