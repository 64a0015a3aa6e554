import ArgumentParser
import Hummingbird
import Micro
import MicroProviders
import MicroReplay

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay", abstract: "Serve recorded provider sessions over HTTP.", subcommands: [Serve.self])

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve a cassette on 127.0.0.1 in its provider's wire format (or record through it).",
            discussion: """
                Point any client (an official SDK, curl) at http://127.0.0.1:PORT as its base URL. With --mode \
                once, new-episodes or all and --upstream URL, requests are forwarded to the live provider and \
                recorded, redacted, into the cassette.
                """)

        @Option(help: "The cassette file.") var cassette: String
        @Option(help: "Port to listen on (0 picks a free one).") var port = 8089
        @Option(help: "How requests are matched: body (method, path and canonical body) or path (method and path, in order).")
        var match: MatchOption = .body
        @Option(help: "none (strict replay), once, new-episodes or all.") var mode: ModeOption = .none
        @Option(help: "The live provider's base URL, for the recording modes.") var upstream: String?
        @Flag(name: .customLong("allow-repeats"), help: "Serve a request's last recorded interaction again once all of them were replayed.")
        var allowRepeats = false
        @Option(help: "The provider recorded (metadata), when recording.") var provider: String?
        @Option(help: "The model recorded (metadata), when recording.") var model: String?

        enum MatchOption: String, ExpressibleByArgument, CaseIterable { case body, path }
        enum ModeOption: String, ExpressibleByArgument, CaseIterable {
            case none, once, newEpisodes = "new-episodes", all
        }

        func validate() throws {
            if mode != .none && upstream == nil {
                throw ValidationError("--mode \(mode.rawValue) records from a live provider: give --upstream URL")
            }
        }

        func run() async throws {
            let options = CassetteTransport.Options(match: match == .body ? .body : .path, allowRepeats: allowRepeats)
            let metadata = Cassette.Metadata.recorded(by: "micro replay serve", upstream: upstream, provider: provider, model: model)
            let transport: any HTTPTransport
            do {
                switch mode {
                case .none: transport = try CassetteTransport(contentsOf: cassette, options: options)
                case .once:
                    transport = try RecordingTransport(live: CurlTransport(), path: cassette, mode: .once, metadata: metadata, options: options)
                case .newEpisodes:
                    transport = try RecordingTransport(
                        live: CurlTransport(), path: cassette, mode: .newEpisodes, metadata: metadata, options: options)
                case .all:
                    transport = try RecordingTransport(live: CurlTransport(), path: cassette, mode: .all, metadata: metadata, options: options)
                }
            } catch {
                throw ValidationError("\(error)")
            }
            let server = ReplayServer(transport: transport, upstream: upstream, port: port)
            let console = Console.current
            let application = server.application { port in
                console.out("serving \(cassette) on http://127.0.0.1:\(port) (mode \(mode.rawValue), match \(match.rawValue))")
            }
            try await application.runService()
        }
    }
}
