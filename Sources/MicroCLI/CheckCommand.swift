import ArgumentParser
import Foundation
import MicroHarness

/// `micro check`: checks a saved run record against a scenario's expectations, without running anything.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a saved run record (micro run --save-record, micro test --save-records) against a scenario's expectations.",
        discussion: """
            Reads the record (the Trace and the end-of-run facts) and the scenario file, and checks the \
            scenario's expectations and the implicit checks on the record, as micro test would after the run. \
            Exits 1 when a check fails, 2 when the record or the scenario cannot be read.
            """
    )

    @Argument(help: "The run record file.") var record: String
    @Option(help: "The scenario file whose expectations to check.") var scenario: String
    @Flag(help: "Print a JSON report instead of the summary.") var json = false

    func run() async throws {
        let console = Console.current
        let loaded: Scenario
        let record: RunRecord
        do {
            loaded = try Scenario.load(file: scenario, catalog: CLICatalog.current)
            record = try RunRecord.load(file: self.record)
        } catch {
            console.err("error: \(error)")
            throw ExitCode(2)
        }
        let outcome = ScenarioOutcome(scenario: loaded, record: record)
        if json {
            console.out(JSONReport.value([outcome]).prettyString())
        } else {
            var summary = TerminalReport.summary([outcome], color: Terminal.isInteractive(standardOutput: true))
            if summary.hasSuffix("\n") { summary.removeLast() }
            console.out(summary)
        }
        if !outcome.passed { throw ExitCode(1) }
    }
}
