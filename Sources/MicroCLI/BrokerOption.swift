import ArgumentParser
import Micro
import MicroNATS

/// `--broker URL`: the broker a serving command's services publish on and subscribe to — `memory://` (the
/// default) for the in-process one, `nats://[user:pass@]host[:port]` for a NATS server, connected before the
/// command serves (a server that is down is an error naming the URL) and kept for as long as it runs.
struct BrokerOption: ParsableArguments {
    @Option(name: .customLong("broker"), help: "The broker: memory:// (default, in process) or nats://[user:pass@]host[:port].")
    var url = "memory://"

    /// The URL's scheme, lowercased (`memory` for the in-process default).
    var scheme: String? { url.split(separator: ":", maxSplits: 1).first.map { $0.lowercased() } }

    /// Runs `body` with the broker, connected for the whole of it.
    func withBroker<R>(_ body: (any Broker) async throws -> R) async throws -> R {
        switch scheme {
        case "memory": return try await body(InMemoryBroker())
        case "nats":
            let configuration: NATSConfiguration
            do {
                configuration = try NATSConfiguration(url)
            } catch {
                throw ValidationError("--broker: \(error)")
            }
            return try await NATSBroker.withBroker(configuration) { try await body($0) }
        default:
            throw ValidationError("--broker \(EngineURL.redacted(url)): use memory:// or nats://host[:port]")
        }
    }
}
