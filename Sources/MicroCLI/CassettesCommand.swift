import ArgumentParser
import Foundation
import Micro
import MicroProviders

struct CassettesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cassettes", abstract: "Look after recorded provider sessions.", subcommands: [Check.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a cassette's recorded requests to the provider again and report where its answers drifted.",
            discussion: """
                Each recorded request goes to --upstream (its scheme, host and port replace the recorded ones; \
                redacted credentials are filled from the provider's key variable, e.g. OPENAI_API_KEY). The answer \
                is compared with the recording by shape, not by words: status, the JSON fields its events carry \
                (new or missing, with their types), the stop reason and the tool calls with their argument names \
                as our adapter reads them. The cassette is never written. Exits 1 when anything drifted. To \
                re-record only what a changed prompt invalidated, run the scenario with --record --mode \
                new-episodes: recorded interactions that still match are kept, new requests are recorded.
                """)

        @Argument(help: "The cassette file.") var cassette: String
        @Option(help: "Where to send the requests, e.g. https://api.openai.com or a stand-in's URL.") var upstream: String
        @Flag(help: "Print the report as JSON: [{index, method, path, changes, error}].") var json = false

        func run() async throws {
            let console = Console.current
            let loaded: Cassette
            do {
                loaded = try Cassette.load(from: cassette)
            } catch {
                console.err("error: \(error)")
                throw ExitCode(2)
            }
            let drifts = await CassetteDrift.check(loaded, upstream: upstream, transport: CurlTransport())
            if json {
                console.out(JSONValue.array(drifts.map { drift in
                    [
                        "index": .integer(drift.index), "method": .string(drift.method), "path": .string(drift.path),
                        "changes": .array(drift.changes.map(JSONValue.string)), "error": drift.error.map(JSONValue.string) ?? .null,
                    ]
                }).canonicalString())
            } else {
                for drift in drifts { console.out(drift.description) }
                let drifted = drifts.count { $0.drifted }
                console.out("\(drifts.count) interaction(s) checked against \(upstream), \(drifted) drifted")
            }
            if drifts.contains(where: \.drifted) { throw ExitCode(1) }
        }
    }
}
