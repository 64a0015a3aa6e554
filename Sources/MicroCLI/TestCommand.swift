import ArgumentParser
import Foundation
import Micro
import MicroAgent
import MicroHarness
import MicroProviders
import Synchronization

/// `micro test`: runs scenario files and reports.
struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run scenario files: replayed recordings, injected faults, checked expectations.",
        discussion: """
            Runs every *.yaml scenario under the given files and folders (default: Scenarios) in its own \
            deterministic world and checks its expectations. Exits 1 when a scenario fails.
            With --record, recorded-model agents talk to their live providers (keys from the environment, \
            base URLs from the scenario) and their cassettes are written, redacted, next to the scenario.
            """
    )

    @Argument(help: "Scenario files or folders.") var paths: [String] = ["Scenarios"]
    @Option(help: "Only scenarios whose file or name contains this text.") var filter: String?
    @Option(help: "Override every scenario's seed.") var seed: UInt64?
    @Option(help: "Write a JUnit XML report to this file.") var junit: String?
    @Flag(help: "Print a JSON report instead of the summary.") var json = false
    @Option(help: "Write an HTML page per scenario (with a timeline) and an index to this folder.") var html: String?
    @Flag(help: "Run recorded-model agents against their live providers and write their cassettes.") var record = false
    @Option(help: "With --record: once | new-episodes | all.") var mode: String = "once"
    @Option(
        name: .customLong("base-url"),
        help: "With --record: PROVIDER=URL sends that provider's calls to URL (a proxy or a loopback stand-in).")
    var baseURLs: [String] = []
    @Flag(help: "Write the golden Trace files the scenarios expect from this run.") var updateGolden = false
    @Option(help: "Write each scenario's run record (canonical JSON) to this folder, for micro check.") var saveRecords: String?
    @Option(help: "Scenarios run at the same time.") var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Model prices (YAML: provider/model: {input, output, cached} in USD per million tokens) over the bundled table; a scenario's prices: block wins.")
    var prices: String?
    @Option(help: "Write each scenario's tokens by kind, cost and steps to this file (canonical JSON), for --baseline.")
    var saveBaseline: String?
    @Option(help: "Fail when a scenario's tokens, cost or steps grew past the tolerance over this baseline file.")
    var baseline: String?
    @Option(help: "With --baseline: how much a figure may grow, N% for all or METRIC=N% for one (tokens, input, output, summarizer, judge, cost, judge_cost, steps); repeatable. Default 0%.")
    var tolerance: [String] = []
    @OptionGroup var otel: OTelOptions

    func validate() throws {
        for pair in baseURLs where !pair.contains("=") { throw ValidationError("--base-url takes PROVIDER=URL, not \(pair)") }
    }

    func run() async throws {
        let console = Console.current
        let started = ContinuousClock.now
        let gate = try baselineGate()
        let priceTable = try priceFile()
        let otlp = try otel.configuration()
        var files: [String] = []
        for path in paths { files += try ScenarioFiles.find(path) }
        var loaded: [Scenario] = []
        var outcomes: [ScenarioOutcome] = []
        var broken: [ScenarioError] = []
        for file in files {
            do throws(ScenarioError) {
                var scenario = try Scenario.load(file: file, catalog: CLICatalog.current)
                if let filter, !file.contains(filter) && !scenario.name.contains(filter) { continue }
                if let seed { scenario.seed = seed }
                if let priceTable { scenario.prices = priceTable.merging(scenario.prices) }
                loaded.append(scenario)
            } catch {
                broken.append(error)
            }
        }
        let recording = record ? RecordingOptions(mode: try recordingMode(), baseURLs: baseURLMap) : nil
        outcomes = await loaded.mapConcurrently(jobs: max(1, jobs)) { _, scenario in
            guard let recording else { return await ScenarioRunner.run(scenario) }
            return await ScenarioRunner.record(scenario, options: recording)
        }
        if updateGolden {
            for outcome in outcomes {
                for file in try ScenarioRunner.updateGoldenTraces(outcome) { console.err("wrote \(file)") }
            }
        }
        if let saveRecords {
            try FileManager.default.createDirectory(atPath: saveRecords, withIntermediateDirectories: true)
            for outcome in outcomes {
                let base = ((outcome.scenario.file as NSString).lastPathComponent as NSString).deletingPathExtension
                try outcome.record.jsonText().write(
                    toFile: (saveRecords as NSString).appendingPathComponent("\(base).record.json"), atomically: true, encoding: .utf8)
            }
        }
        let wall = ContinuousClock.now - started
        if let junit {
            let folder = (junit as NSString).deletingLastPathComponent
            if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            try JUnitReport.xml(outcomes, suiteName: "micro test", wallTime: wall).write(toFile: junit, atomically: true, encoding: .utf8)
        }
        if let html { try HTMLReport.write(outcomes, to: html) }
        try writeBaseline(outcomes)
        let comparison = gate.map { BaselineComparison(baseline: $0.baseline, current: Baseline(outcomes: outcomes), tolerances: $0.tolerances) }
        for error in broken { console.err("\(error)") }
        if json {
            var report = JSONReport.value(outcomes)
            if let comparison, case .object(var object) = report {
                object["baseline"] = comparison.jsonValue
                report = .object(object)
            }
            console.out(report.prettyString())
        } else {
            var summary = TerminalReport.summary(outcomes, color: Terminal.isInteractive(standardOutput: true))
            if summary.hasSuffix("\n") { summary.removeLast() }
            console.out(summary)
            if !broken.isEmpty { console.out("\(broken.count) scenario file(s) could not be read") }
            for line in comparison?.lines ?? [] { console.out(line) }
        }
        // After every report is out: a receiver that fails loses no report, and fails the command.
        var exportFailed = false
        if let otlp, !outcomes.isEmpty {
            let failures = await OTelExport.export(
                outcomes.map { ($0.record, $0.checks) }, configuration: otlp, options: otel)
            for failure in failures { console.err("error: \(failure)") }
            exportFailed = !failures.isEmpty
            // On standard error, so that --json output stays one JSON document.
            if !exportFailed { console.err("exported \(outcomes.count) trace(s) to \(otlp.tracesURL)") }
        }
        if files.isEmpty { throw ValidationError("no scenario files under \(paths.joined(separator: ", "))") }
        if exportFailed { throw ExitCode(1) }
        if outcomes.contains(where: { !$0.passed }) || !broken.isEmpty || comparison?.passed == false { throw ExitCode(1) }
    }

    /// `--base-url PROVIDER=URL` pairs by provider.
    private var baseURLMap: [String: String] {
        var map: [String: String] = [:]
        for pair in baseURLs {
            guard let equals = pair.firstIndex(of: "=") else { continue }
            map[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        return map
    }

    private func recordingMode() throws -> CassetteMode {
        switch mode {
        case "once": .once
        case "new-episodes": .newEpisodes
        case "all": .all
        default: throw ValidationError("--mode must be once, new-episodes or all")
        }
    }
}

/// Finds scenario files.
enum ScenarioFiles {
    /// `path` itself when it is a file, else the `*.yaml`/`*.yml` files under it, sorted.
    static func find(_ path: String) throws -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw ValidationError("no such file or folder: \(path)")
        }
        guard isFolder.boolValue else { return [path] }
        return Scenario.files(under: path).map { (path as NSString).appendingPathComponent($0) }
    }
}

/// Facts about the terminal.
enum Terminal {
    static func isInteractive(standardOutput: Bool) -> Bool {
        isatty(standardOutput ? STDOUT_FILENO : STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }
}
