import ArgumentParser
import Micro
import MicroEtcd

/// `--registry URL`: the registry a serving command's services register in and its clients discover them
/// from — `memory://` (the default) for the in-process one, `etcd://[user:pass@]host[:port]` (or
/// `http[s]://…`, the same etcd v3 gateway) for an etcd server shared by every process, connected before the
/// command serves (a server that is down is an error naming the URL) and kept for as long as it runs.
struct RegistryOption: ParsableArguments {
    @Option(
        name: .customLong("registry"),
        help: "The registry: memory:// (default, in process) or etcd://[user:pass@]host[:port] (an etcd 3.4+ server).")
    var url = "memory://"

    /// The URL's scheme, lowercased (`memory` for the in-process default).
    var scheme: String? { url.split(separator: ":", maxSplits: 1).first.map { $0.lowercased() } }

    /// Runs `body` with the registry (nil for the in-process default), connected and running for the whole of it.
    func withRegistry<R>(_ body: ((any Registry)?) async throws -> R) async throws -> R {
        switch scheme {
        case "memory": return try await body(nil)
        case "etcd", "http", "https":
            let configuration: EtcdConfiguration
            do {
                configuration = try EtcdConfiguration(url)
            } catch {
                throw ValidationError("--registry: \(error)")
            }
            return try await EtcdRegistry.withRegistry(configuration) { try await body($0) }
        default:
            throw ValidationError("--registry \(EngineURL.redacted(url)): use memory:// or etcd://host[:port]")
        }
    }
}
