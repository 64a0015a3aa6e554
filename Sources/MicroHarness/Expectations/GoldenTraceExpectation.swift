import Foundation
import Micro
import MicroAgent

/// `golden_trace: FILE`: the Trace equals this golden file (canonical JSON lines), the path relative to the
/// scenario file. ``ScenarioRunner/updateGoldenTraces(_:)`` writes it from a run.
public struct GoldenTraceExpectation: ScenarioExpectation {
    public static let name = "golden_trace"
    /// The path as written in the scenario.
    public var path: String
    /// The path resolved against the scenario's folder.
    public var file: String

    public init(path: String, file: String) {
        self.path = path
        self.file = file
    }

    public init(parsing node: YAMLNode) throws(ScenarioError) {
        let path = try node.string()
        self.init(path: path, file: Scenario.resolve(path, relativeTo: node.file))
    }

    public func check(_ record: RunRecord) -> Verdict {
        guard let golden = try? String(contentsOfFile: file, encoding: .utf8) else {
            return Verdict(false, "golden trace \(file) is missing; write it with micro test --update-golden")
        }
        let text = record.traceText
        if golden == text { return Verdict(true, "the trace equals \(path)") }
        let expected = golden.split(separator: "\n", omittingEmptySubsequences: false)
        let actual = text.split(separator: "\n", omittingEmptySubsequences: false)
        let line = zip(expected, actual).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(expected.count, actual.count)
        let want = line < expected.count ? String(expected[line]) : "(end)"
        let got = line < actual.count ? String(actual[line]) : "(end)"
        return Verdict(false, "the trace differs from \(path) at line \(line + 1):\n  expected: \(want)\n  actual:   \(got)")
    }
}
