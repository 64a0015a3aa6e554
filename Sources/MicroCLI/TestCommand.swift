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
    @Option(help: "Scenarios run at the same time.") var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        for pair in baseURLs where !pair.contains("=") { throw ValidationError("--base-url takes PROVIDER=URL, not \(pair)") }
    }

    func run() async throws {
        let console = Console.current
        let started = ContinuousClock.now
        var files: [String] = []
        for path in paths { files += try ScenarioFiles.find(path) }
        var loaded: [Scenario] = []
        var outcomes: [ScenarioOutcome] = []
        var broken: [ScenarioError] = []
        for file in files {
            do throws(ScenarioError) {
                var scenario = try Scenario.load(file: file)
                if let filter, !file.contains(filter) && !scenario.name.contains(filter) { continue }
                if let seed { scenario.seed = seed }
                if record { overrideBaseURLs(&scenario) }
                loaded.append(scenario)
            } catch {
                broken.append(error)
            }
        }
        let recording = record ? try recordingMode() : nil
        outcomes = await Self.runAll(loaded, jobs: max(1, jobs), recording: recording)
        if updateGolden {
            for outcome in outcomes {
                for spec in outcome.scenario.expectations {
                    guard case .goldenTrace(let path) = spec.expectation else { continue }
                    try outcome.traceText.write(toFile: outcome.scenario.resolve(path), atomically: true, encoding: .utf8)
                    console.err("wrote \(outcome.scenario.resolve(path))")
                }
            }
        }
        let wall = ContinuousClock.now - started
        if let junit {
            let folder = (junit as NSString).deletingLastPathComponent
            if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            try JUnitReport.xml(outcomes, suiteName: "micro test", wallTime: wall).write(toFile: junit, atomically: true, encoding: .utf8)
        }
        if let html { try HTMLReport.write(outcomes, to: html) }
        for error in broken { console.err("\(error)") }
        if json {
            console.out(JSONReport.value(outcomes).prettyString())
        } else {
            var summary = TerminalReport.summary(outcomes, color: Terminal.isInteractive(standardOutput: true))
            if summary.hasSuffix("\n") { summary.removeLast() }
            console.out(summary)
            if !broken.isEmpty { console.out("\(broken.count) scenario file(s) could not be read") }
        }
        if files.isEmpty { throw ValidationError("no scenario files under \(paths.joined(separator: ", "))") }
        if outcomes.contains(where: { !$0.passed }) || !broken.isEmpty { throw ExitCode(1) }
    }

    /// Applies `--base-url PROVIDER=URL` to the scenario's recorded-model agents.
    private func overrideBaseURLs(_ scenario: inout Scenario) {
        for pair in baseURLs {
            guard let equals = pair.firstIndex(of: "=") else { continue }
            let provider = String(pair[..<equals]), url = String(pair[pair.index(after: equals)...])
            for index in scenario.agents.indices {
                guard case .recorded(provider, let model, let cassette, _) = scenario.agents[index].model.backend else { continue }
                scenario.agents[index].model.backend = .recorded(provider: provider, model: model, cassette: cassette, baseURL: url)
            }
        }
    }

    private func recordingMode() throws -> CassetteMode {
        switch mode {
        case "once": .once
        case "new-episodes": .newEpisodes
        case "all": .all
        default: throw ValidationError("--mode must be once, new-episodes or all")
        }
    }

    /// Runs scenarios `jobs` at a time; outcomes in the order given.
    static func runAll(_ scenarios: [Scenario], jobs: Int, recording: CassetteMode?) async -> [ScenarioOutcome] {
        await scenarios.mapConcurrently(jobs: jobs) { _, scenario in await runOne(scenario, recording: recording) }
    }

    static func runOne(_ scenario: Scenario, recording: CassetteMode?) async -> ScenarioOutcome {
        guard let recording else { return await ScenarioRunner.run(scenario) }
        let recorders = RecorderSet()
        let outcome = await ScenarioRunner.run(scenario, liveTransport: { spec in
            guard case .recorded(let provider, let model, let cassette, let baseURL) = spec.model.backend else { return nil }
            let loopback = baseURL.map(ProviderCatalog.isLoopback) ?? false
            let metadata = Cassette.Metadata(
                provider: provider, model: model.isEmpty ? nil : model,
                source: loopback ? .documentedExample : .live,
                notes: loopback
                    ? "recorded by micro test --record against a loopback stand-in serving the provider's documented wire format, not the live provider"
                    : "recorded by micro test --record from scenario \(scenario.name)")
            let transport = try RecordingTransport(
                live: CurlTransport(), path: scenario.resolve(cassette), mode: recording, metadata: metadata)
            recorders.add(transport)
            return transport
        })
        recorders.finish()
        return outcome
    }
}

/// The recording transports of one `--record` run, finished (written) when it ends.
final class RecorderSet: Sendable {
    private let transports = Mutex<[RecordingTransport]>([])
    func add(_ transport: RecordingTransport) { transports.withLock { $0.append(transport) } }
    func finish() {
        for transport in transports.withLock({ $0 }) {
            do { try transport.finish() } catch { Console.current.err("error: \(error)") }
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
