import Micro
import Testing

@testable import MicroHarness

@Suite struct ReportsJUnitTests {
    @Test func wellFormedWithCountsCasesAndFailures() throws {
        let outcomes = [ReportFixtures.passing(), ReportFixtures.failing(), ReportFixtures.erroring()]
        let xml = JUnitReport.xml(outcomes, suiteName: "Micro <scenarios>", wallTime: .milliseconds(1234))
        let parsed = try #require(ReportsXMLChecker.parse(xml), "\(ReportsXMLChecker.problem(xml))")

        let suites = try #require(parsed.all("testsuites").first)
        #expect(suites.attributes["tests"] == "3")
        #expect(suites.attributes["failures"] == "1")
        #expect(suites.attributes["errors"] == "1")
        #expect(suites.attributes["time"] == "1.234")
        let suite = try #require(parsed.all("testsuite").first)
        #expect(suite.attributes["name"] == "Micro <scenarios>")

        let cases = parsed.all("testcase")
        #expect(cases.map { $0.attributes["classname"] } == [
            "Scenarios/book.yaml", "Scenarios/<nasty> & \"file\".yaml", "Scenarios/broken.yaml",
        ])
        #expect(cases[0].attributes["name"] == "books a flight")
        let failure = try #require(parsed.all("failure").first)
        #expect(failure.attributes["message"] == "2 of 3 checks failed")
        #expect(failure.text.contains("Scenarios/<nasty> & \"file\".yaml:14: output: the output a<b & \"c\""))
        #expect(failure.text.contains("Scenarios/<nasty> & \"file\".yaml: fault_fired: a fault never fired"))
        let error = try #require(parsed.all("error").first)
        #expect(error.attributes["message"]?.hasPrefix("the run threw: no such cassette") == true)
        #expect(error.text.contains("Scenarios/broken.yaml: world: the world could not be built"))
        #expect(parsed.all("system-out").count == 3)
        let properties = parsed.all("property").filter { $0.attributes["name"] == "crashes" }.map { $0.attributes["value"] }
        #expect(properties == ["0", "1", "0"])
    }

    @Test func escapesEveryHostileCharacterAndKeepsTheTextReadable() throws {
        let xml = JUnitReport.xml([ReportFixtures.failing()], suiteName: ReportFixtures.nasty, wallTime: nil)
        #expect(!xml.contains("<img"))
        #expect(!xml.contains("</script>"))
        #expect(!xml.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        let parsed = try #require(ReportsXMLChecker.parse(xml), "\(ReportsXMLChecker.problem(xml))")
        let visible = "a<b & \"c\" 'd' </script><img src=x onerror=alert(1)> ]]> \\u{01}\\u{07}\\u{1B}[31m é 日本 🚀\nsecond line"
        #expect(parsed.all("testsuite").first?.attributes["name"] == visible)
        #expect(parsed.all("testcase").first?.attributes["name"] == visible)
        #expect(parsed.all("testsuites").first?.attributes["time"] == nil)
        let out = try #require(parsed.all("system-out").first).text
        #expect(out.contains("status: failed, steps: 3, crashes: 1, faults injected: 2"))
        #expect(out.contains("#10 +2 s main/run step 1 crashed: at before tool 1.0"))
        #expect(out.contains("#11 +63 s main/run step 1 resumed"))
    }

    @Test func emptySuiteIsStillAValidDocument() throws {
        let xml = JUnitReport.xml([], suiteName: "none", wallTime: .zero)
        let parsed = try #require(ReportsXMLChecker.parse(xml))
        #expect(parsed.all("testsuite").first?.attributes["tests"] == "0")
        #expect(parsed.all("testcase").isEmpty)
    }

    @Test func limitsTheTraceListing() {
        var outcome = ReportFixtures.passing()
        outcome.record.trace = (1...(JUnitReport.traceLineLimit + 5)).map { ReportFixtures.event($0, .checkpoint, ["juncture": "x"]) }
        let summary = JUnitReport.traceSummary(outcome)
        #expect(summary.contains("… 5 more events"))
        #expect(summary.contains("trace: 205 events (checkpoint 205)"))
    }
}
