import Foundation
import MicroHarness

/// The catalogue the running command line resolves scenario names against.
enum CLICatalog {
    @TaskLocal static var current: Catalog = .empty

    /// The name the command line was started by (`micro`, or a package's own `support-desk`), for help and
    /// the commands it prints to reproduce something.
    static let commandName: String = {
        let name = CommandLine.arguments.first.map { ($0 as NSString).lastPathComponent } ?? ""
        return name.isEmpty || name.hasSuffix(".xctest") || name.hasPrefix("swiftpm-testing") ? "micro" : name
    }()
}

extension MicroCommand {
    /// Runs the command line (`test`, `run`, `chaos`, `check`, `a2a serve`, `record`, …) with `catalog`:
    /// what a package's own executable calls, so that `swift run my-agents test Scenarios` resolves the
    /// scenarios' names against its services and agents. Chaos runs re-execute this same executable.
    public static func main(catalog: Catalog) async {
        await CLICatalog.$current.withValue(catalog) { await main() }
    }
}
