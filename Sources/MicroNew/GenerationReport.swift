import Foundation
import Micro

/// How a `micro new` run ended: what was designed, every build round, and the generated scenarios' run.
public struct GenerationReport: Codable, Sendable, Hashable {
    public struct ScenarioRun: Codable, Sendable, Hashable {
        public var passed: Bool
        /// The scenario lines of `swift run NAME test Scenarios` (build progress left out).
        public var summary: [String]
    }

    public var name: String
    public var directory: String
    /// The run's status (`completed`, `failed`, `waiting_for_input`, …).
    public var status: String
    public var output: String?
    public var failure: String?
    public var design: AppDesign?
    public var builds: [PackageService.BuildReport]
    /// Builds started in all (the ledger's `swift_build` entries): equal to `builds.count` unless a build was
    /// cut short by a crash and run again.
    public var buildStarts: Int
    /// Nil when the build never went green.
    public var scenarios: ScenarioRun?

    /// Whether the package builds and its scenarios pass.
    public var succeeded: Bool { builds.last?.succeeded == true && scenarios?.passed == true }

    /// The report for people: what was built, how to run it, the builds and the test result.
    public var text: String {
        var lines: [String] = []
        if let design { lines.append("Built \(name) in \(directory): \(design.summary)") } else { lines.append("\(name) in \(directory)") }
        for build in builds {
            let state = build.succeeded ? "green" : "failed, \(build.diagnostics.count) error(s)"
            lines.append("  build \(build.round): \(state)")
            for diagnostic in build.diagnostics.prefix(5) { lines.append("    \(diagnostic)") }
        }
        lines.append("  \(builds.count) build round(s), \(buildStarts) build(s) started")
        if let output { lines.append("The generator: \(output)") }
        if let failure { lines.append("The generator failed: \(failure)") }
        if let scenarios {
            lines.append("Scenarios (swift run \(name) test Scenarios): \(scenarios.passed ? "passed" : "FAILED")")
            lines += scenarios.summary.map { "  " + $0 }
        } else {
            lines.append("Scenarios: not run (the package does not build)")
        }
        lines += [
            "Run it:", "  cd \(directory)", "  swift run \(name) test Scenarios", "  swift run \(name) tools list",
        ]
        lines.append(succeeded ? "Result: the package builds and its scenarios pass." : "Result: FAILED (see above).")
        return lines.joined(separator: "\n")
    }
}

/// Reading the output of `swift run NAME test Scenarios`.
enum ScenarioOutput {
    /// The lines that are not build progress, at most the last 30.
    static func summary(_ output: String) -> [String] {
        let lines = output.split(whereSeparator: \.isNewline).map(String.init).filter { line in
            let trimmed = line.drop { $0 == " " }
            return !trimmed.isEmpty && !trimmed.hasPrefix("[") && !trimmed.hasPrefix("Building") && !trimmed.hasPrefix("Build of")
                && !trimmed.hasPrefix("Build complete") && !trimmed.hasPrefix("Compiling") && !trimmed.hasPrefix("Fetching")
                && !trimmed.hasPrefix("Computing") && !trimmed.hasPrefix("Write") && !trimmed.hasPrefix("Linking")
        }
        return Array(lines.suffix(30))
    }
}
