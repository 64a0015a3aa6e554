import Micro
import Testing

@testable import MicroHarness

@Suite struct ReportsJSONTests {
    @Test func summaryAndScenarioShape() throws {
        let value = JSONReport.value([ReportFixtures.passing(), ReportFixtures.failing(), ReportFixtures.erroring()])
        #expect(value["summary"] == [
            "total": 3, "passed": 1, "failed": 2, "crashes": 1, "faultsInjected": 2, "virtualDurationMs": 64_750,
        ])
        let scenarios = try #require(value["scenarios"]?.arrayValue)
        #expect(scenarios.count == 3)
        #expect(scenarios[0] == [
            "file": "Scenarios/book.yaml", "name": "books a flight", "passed": true, "status": "completed",
            "output": "Booked.", "failure": nil, "error": nil, "steps": 2, "crashes": 0, "virtualDurationMs": 1500,
            "faultsInjected": 0, "traceEvents": 0, "tokens": ["agents": 0, "summarizer": 0],
            "costs": [
                "tokens": ["input": 0, "output": 0, "cached": 0, "summarizer": 0, "judge": 0, "total": 0],
                "costUSD": 0.0, "summarizerCostUSD": 0.0, "judgeCostUSD": 0.0, "unpriced": [], "agents": [:], "judges": [],
            ],
            "judges": [],
            "checks": [["name": "status", "line": 9, "passed": true, "message": "the run ended completed"]],
        ])
        let failing = scenarios[1]
        #expect(failing["passed"] == false)
        #expect(failing["status"] == "failed")
        #expect(failing["failure"]?["code"] == "max_steps")
        #expect(failing["faultsInjected"] == 2)
        #expect(failing["traceEvents"] == .integer(ReportFixtures.richTrace.count))
        #expect(failing["checks"]?[1]?["line"] == 14)
        #expect(failing["checks"]?[1]?["passed"] == false)
        #expect(scenarios[2]["status"] == "error")
        #expect(scenarios[2]["output"] == .some(.null))
        #expect(scenarios[2]["error"]?.stringValue?.hasPrefix("no such cassette") == true)
    }

    @Test func canonicalTextReadsBackTheSame() throws {
        let value = JSONReport.value([ReportFixtures.failing()])
        let text = value.canonicalString()
        #expect(try JSONValue(parsing: text) == value)
        #expect(text.hasPrefix("{\"scenarios\":[{\"checks\":"))
    }
}
