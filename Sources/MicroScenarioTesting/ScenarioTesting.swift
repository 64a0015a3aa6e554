import Foundation
import MicroHarness
import Testing

/// A scenario file found on disk, as a Swift Testing argument (shown by its path).
public struct ScenarioFile: Sendable, Hashable, CustomStringConvertible, CustomTestStringConvertible {
    /// The file's path.
    public var path: String
    /// The path relative to the folder it was found under (what test names show).
    public var name: String

    public var description: String { name }
    public var testDescription: String { name }
}

/// Runs scenario files as Swift Testing cases, in any package's test target:
///
/// ```swift
/// import MicroScenarioTesting
/// import Testing
///
/// @Test(arguments: ScenarioTests.files(in: "Scenarios"))
/// func scenario(_ file: ScenarioFile) async { await ScenarioTests.check(file, catalog: .supportDesk) }
/// ```
///
/// Each file is its own case. A failure is reported at the scenario file and the line of the failed
/// expectation, and the run's Trace is attached as `<name>.trace.jsonl`. To look at a run yourself,
/// ``run(_:catalog:)`` returns its outcome (the ``RunRecord`` and every verdict).
public enum ScenarioTests {
    /// The `*.yaml` and `*.yml` files under `folder` (recursively), sorted by path. A relative folder is
    /// resolved against the root of the package that holds `filePath` (the calling test file).
    public static func files(in folder: String, filePath: String = #filePath) -> [ScenarioFile] {
        let root = folder.hasPrefix("/") ? folder : (packageRoot(of: filePath) as NSString).appendingPathComponent(folder)
        return Scenario.files(under: root).map {
            ScenarioFile(path: (root as NSString).appendingPathComponent($0), name: $0)
        }
    }

    /// Loads `file` with `catalog`, runs and checks it, recording an issue for each problem at the scenario's
    /// file and line.
    public static func check(_ file: ScenarioFile, catalog: Catalog = .empty) async {
        let outcome: ScenarioOutcome
        do {
            outcome = try await run(file, catalog: catalog)
        } catch {
            Issue.record(Comment(rawValue: error.description), sourceLocation: location(file.path, error.line))
            return
        }
        let scenario = outcome.scenario
        for failure in outcome.failures {
            Issue.record(
                Comment(rawValue: "\(scenario.name): \(failure.name): \(failure.message)"),
                sourceLocation: location(file.path, failure.line == 0 ? scenario.run.line : failure.line))
        }
        if !outcome.passed {
            let base = (file.name as NSString).lastPathComponent
            Attachment.record(Array(outcome.traceText.utf8), named: "\(base).trace.jsonl")
        }
    }

    /// Loads `file` with `catalog` and runs it; the outcome holds the run's record and every verdict. Throws
    /// only when the file cannot be read or names what the catalogue lacks.
    public static func run(_ file: ScenarioFile, catalog: Catalog = .empty) async throws(ScenarioError) -> ScenarioOutcome {
        await ScenarioRunner.run(try Scenario.load(file: file.path, catalog: catalog))
    }

    static func location(_ path: String, _ line: Int) -> SourceLocation {
        let name = (path as NSString).lastPathComponent
        return SourceLocation(fileID: "Scenarios/\(name)", filePath: path, line: max(1, line), column: 1)
    }

    /// The nearest folder above `filePath` that holds a `Package.swift`.
    static func packageRoot(of filePath: String) -> String {
        var folder = (filePath as NSString).deletingLastPathComponent
        while folder != "/" && !folder.isEmpty {
            if FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent("Package.swift")) {
                return folder
            }
            folder = (folder as NSString).deletingLastPathComponent
        }
        return FileManager.default.currentDirectoryPath
    }
}
