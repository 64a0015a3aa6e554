import Foundation
import MicroScenarioTesting
import Testing

/// Every bundled scenario in `Scenarios/`, each its own test case, exactly as a user's package runs theirs.
@Suite struct BundledScenarioTests {
    @Test(arguments: ScenarioTests.files(in: "Scenarios"))
    func scenario(_ file: ScenarioFile) async {
        await ScenarioTests.check(file, catalog: .travel)
    }

    @Test func theBundledSuiteIsThere() {
        #expect(ScenarioTests.files(in: "Scenarios").count >= 12)
    }
}

/// A failing scenario is reported at its own file and the line of the failed expectation.
@Suite struct ScenarioTestsReportingTests {
    @Test func aFailureIsRecordedAtTheScenarioLine() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("micro-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try """
            name: fails on purpose
            agents:
              - name: a
                model: {script: [{text: hello}]}
            run: {agent: a, prompt: hi}
            expect:
              - output: goodbye
            """.write(to: folder.appendingPathComponent("failing.yaml"), atomically: true, encoding: .utf8)
        let files = ScenarioTests.files(in: folder.path)
        #expect(files.map(\.name) == ["failing.yaml"])
        await withKnownIssue {
            await ScenarioTests.check(files[0])
        } matching: { issue in
            issue.sourceLocation?.line == 7 && issue.sourceLocation?.fileName == "failing.yaml"
                && issue.comments.contains { $0.rawValue.contains("expected \"goodbye\"") }
        }
    }
}
