import MicroScenarioTesting
import Testing

/// Every bundled scenario in `Scenarios/`, each its own test case, exactly as a user's package runs theirs.
@Suite struct BundledScenarioTests {
    @Test(arguments: ScenarioTests.files(in: "Scenarios"))
    func scenario(_ file: ScenarioFile) async {
        await ScenarioTests.check(file)
    }

    @Test func theBundledSuiteIsThere() {
        #expect(ScenarioTests.files(in: "Scenarios").count >= 12)
    }
}
