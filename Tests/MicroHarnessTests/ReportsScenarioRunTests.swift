import Micro
import Testing

@testable import MicroHarness

/// The reports over a real run of a small scenario (fixture tool, model overload, crash and resume).
@Suite struct ReportsScenarioRunTests {
    @Test func reportsOfARealRun() async throws {
        let outcome = try await ReportFixtures.realOutcome()
        let failed = outcome.failures.map(\.name)
        #expect(failed == ["output"], "\(outcome.failures)")
        let output = try #require(outcome.failures.first)
        #expect(output.line > 0)

        let terminal = TerminalReport.summary([outcome], color: false)
        #expect(terminal.contains("    Scenarios/shop.yaml:\(output.line): output: "))
        #expect(terminal.hasSuffix("0 passed, 1 failed\n"))

        let xml = JUnitReport.xml([outcome], suiteName: "scenarios", wallTime: nil)
        let junit = try #require(ReportsXMLChecker.parse(xml), "\(ReportsXMLChecker.problem(xml))")
        #expect(junit.all("testcase").first?.attributes["name"] == "shop <once> & \"resume\"")
        #expect(junit.all("failure").first?.text.contains("Scenarios/shop.yaml:\(output.line): output:") == true)

        let json = JSONReport.value([outcome])
        #expect(json["scenarios"]?[0]?["crashes"] == .integer(outcome.crashes))
        #expect(json["scenarios"]?[0]?["faultsInjected"] == .integer(outcome.trace.count(where: { $0.kind == .faultInjected })))

        let page = HTMLReport.page(for: outcome)
        let html = try #require(ReportsXMLChecker.parse(page), "\(ReportsXMLChecker.problem(page))")
        #expect(html.all("img").isEmpty)
        #expect(html.all("script").count == 1)
        let kinds = Set(outcome.trace.map(\.kind.rawValue))
        for kind in kinds {
            #expect(html.all("g").contains { $0.attributes["class"]?.hasPrefix("ev k-\(kind)") == true }, "no marker for \(kind)")
        }
        #expect(kinds.isSuperset(of: ["fault_injected", "crashed", "resumed", "checkpoint", "model_request", "tool_call"]))
    }
}
