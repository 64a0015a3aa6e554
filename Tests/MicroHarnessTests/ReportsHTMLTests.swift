import Foundation
import Micro
import Testing

@testable import MicroAgent
@testable import MicroHarness

@Suite struct ReportsHTMLTests {
    @Test func pageIsWellFormedAndEscapesEverything() throws {
        let page = HTMLReport.page(for: ReportFixtures.failing())
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(!page.contains("<img"))
        #expect(!page.contains("custom <kind>"))
        #expect(page.components(separatedBy: "<script").count == 2)
        #expect(page.components(separatedBy: "</script>").count == 2)
        #expect(!page.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        let parsed = try #require(ReportsXMLChecker.parse(page), "\(ReportsXMLChecker.problem(page))")
        // The hostile text comes back intact (control characters made visible) as text, never as markup.
        let title = try #require(parsed.all("title").first).text
        #expect(title.hasPrefix("✗ a<b & \"c\" 'd' </script><img src=x onerror=alert(1)> ]]> \\u{01}\\u{07}\\u{1B}[31m"))
        #expect(parsed.all("img").isEmpty)
        #expect(parsed.all("script").count == 1)
    }

    @Test func pageIsSelfContained() {
        let page = HTMLReport.page(for: ReportFixtures.failing())
        let withoutSVGNamespace = page.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        #expect(!withoutSVGNamespace.contains("http:"))
        #expect(!withoutSVGNamespace.contains("https:"))
        #expect(!page.contains("<link"))
        #expect(!page.contains(" src=\""))
        #expect(!page.contains("@import"))
    }

    @Test func headerShowsVerdictsWithFailuresHighlighted() throws {
        let page = HTMLReport.page(for: ReportFixtures.failing())
        let parsed = try #require(ReportsXMLChecker.parse(page))
        let badge = try #require(parsed.all("span").first { $0.attributes["class"] == "badge fail" })
        #expect(badge.text == "FAIL")
        let rows = parsed.all("tr").filter { $0.attributes["class"] == "fail" || $0.attributes["class"] == "pass" }
        #expect(rows.map { $0.attributes["class"] } == ["pass", "fail", "fail"])
        #expect(rows[1].text.contains("Scenarios/<nasty> & \"file\".yaml:14"))
        let facts = parsed.all("div").filter { $0.text.hasPrefix("status") || $0.text.hasPrefix("crashes") }.map(\.text)
        #expect(facts.contains("statusfailed"))
        #expect(facts.contains("crashes1"))
        #expect(parsed.all("pre").contains { $0.attributes["class"] == "output bad" && $0.text.hasPrefix("max_steps: a<b") })
    }

    @Test func timelineHasLanesSpansMarkersAndLinks() throws {
        let page = HTMLReport.page(for: ReportFixtures.failing())
        let parsed = try #require(ReportsXMLChecker.parse(page))
        let groups = parsed.all("g")
        func classes(_ element: ReportsXMLChecker.Element) -> Set<String> {
            Set((element.attributes["class"] ?? "").split(separator: " ").map(String.init))
        }
        // One lane per run (main, the helper child) and one for the event outside any run.
        #expect(parsed.all("rect").count(where: { ($0.attributes["class"] ?? "").hasPrefix("lane") }) == 3)
        let labels = try #require(parsed.all("div").first { $0.attributes["class"] == "labels" }).text
        #expect(labels == "mainrunhelperrun/helper-1—world")
        // Model calls: the failed first attempt and the retried one; the first tool call never finished
        // (the crash), the second ended in an error.
        let spans = groups.filter { classes($0).isSuperset(of: ["ev", "span"]) }
        #expect(spans.map { classes($0).subtracting(["ev", "span"]).sorted() } == [
            ["failed", "model"], ["model"], ["open", "tool"], ["failed", "tool"],
        ])
        #expect(spans.map { $0.attributes["data-seq"] } == ["4", "7", "9", "12"])
        // Delegation out to the child and its result back.
        let links = groups.filter { classes($0).isSuperset(of: ["ev", "link"]) }
        #expect(links.map { classes($0).subtracting(["ev", "link"]).sorted() } == [["delegation"], ["result"]])
        // Every event has a marker and a row with its JSON.
        let marks = groups.filter { classes($0).contains("ev") && classes($0).contains { $0.hasPrefix("k-") } }
        #expect(marks.count == ReportFixtures.richTrace.count)
        #expect(groups.contains { classes($0) == ["ev", "k-fault_injected"] })
        #expect(groups.contains { classes($0) == ["ev", "k-crashed"] })
        #expect(groups.contains { classes($0) == ["ev", "k-resumed"] })
        #expect(groups.contains { classes($0) == ["ev", "k-checkpoint"] })
        #expect(groups.contains { classes($0) == ["ev", "k-compaction"] })
        #expect(groups.contains { classes($0) == ["ev", "k-tool_result", "bad"] })
        #expect(groups.contains { classes($0) == ["ev", "k-custom__kind__"] })
        #expect(groups.contains { classes($0) == ["crashline"] })
        // The virtual clock's jumps: the 2 s retry-after, the 61 s lease, the 250 ms tool latency.
        let gaps = groups.filter { classes($0) == ["gap"] }.map(\.text)
        #expect(gaps == ["+2 s", "+61 s", "+250 ms"])
        let rows = parsed.all("details")
        #expect(rows.map { $0.attributes["id"] } == ReportFixtures.richTrace.map { "e\($0.sequence)" })
        let values = parsed.all("pre").compactMap { try? JSONValue(parsing: $0.text) }
        #expect(values.count == ReportFixtures.richTrace.count)
        let value = try #require(values.first { $0["sequence"] == 13 })
        #expect(value["data"]?["content"] == .string(ReportFixtures.nasty))
        #expect(value["kind"] == "tool_result")
        #expect(value["time"] == "2027-01-15T08:01:03.250Z")
    }

    @Test func emptyTraceAndPassingPage() throws {
        let page = HTMLReport.page(for: ReportFixtures.passing(), index: nil)
        let parsed = try #require(ReportsXMLChecker.parse(page))
        #expect(parsed.all("svg").isEmpty)
        #expect(parsed.all("nav").isEmpty)
        #expect(parsed.all("span").contains { $0.attributes["class"] == "badge pass" })
        #expect(page.contains("The trace is empty."))
    }

    @Test func indexLinksEveryPage() throws {
        let outcomes = [ReportFixtures.passing(), ReportFixtures.failing(), ReportFixtures.erroring()]
        let index = HTMLReport.index(outcomes)
        let parsed = try #require(ReportsXMLChecker.parse(index), "\(ReportsXMLChecker.problem(index))")
        let links = parsed.all("a")
        #expect(links.map { $0.attributes["href"] } == HTMLReport.fileNames(for: outcomes))
        #expect(links.map(\.text) == outcomes.map(\.scenario.name).map { $0.replacingOccurrences(of: "\u{1}", with: "\\u{01}")
            .replacingOccurrences(of: "\u{7}", with: "\\u{07}").replacingOccurrences(of: "\u{1B}", with: "\\u{1B}") })
        #expect(parsed.all("tr").count(where: { $0.attributes["class"] == "fail" }) == 2)
        #expect(!index.contains("<img"))
    }

    @Test func fileNamesAreSafeAndUnique() {
        let names = HTMLReport.fileNames(for: [
            ReportFixtures.passing(name: "one", file: "Scenarios/Crash Resume!.yaml"),
            ReportFixtures.passing(name: "two", file: "Other/crash-resume.yaml"),
            ReportFixtures.passing(name: "three", file: "../../etc/passwd"), ReportFixtures.passing(name: "four", file: "日本.yaml"),
            ReportFixtures.passing(name: "Books a Flight!", file: ""), ReportFixtures.passing(name: "", file: ".yaml"),
            ReportFixtures.passing(name: "index", file: "index.yaml"),
            ReportFixtures.passing(name: "long", file: String(repeating: "ab", count: 100) + ".yaml"),
            ReportFixtures.failing(name: ReportFixtures.nasty, file: ""),
        ])
        #expect(names == [
            "crash-resume.html", "crash-resume-2.html", "passwd.html", "scenario.html", "books-a-flight.html", "yaml.html",
            "index-2.html", String(repeating: "ab", count: 30) + ".html", "a-b-c-d-script-img-src-x-onerror-alert-1-31m-second-line.html",
        ])
    }

    @Test func writesIndexAndPages() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("micro-reports-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outcomes = [ReportFixtures.passing(), ReportFixtures.failing()]
        try HTMLReport.write(outcomes, to: directory + "/nested")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory + "/nested").sorted()
        #expect(files == (["index.html"] + HTMLReport.fileNames(for: outcomes)).sorted())
        let page = try String(contentsOfFile: directory + "/nested/" + HTMLReport.fileNames(for: outcomes)[1], encoding: .utf8)
        #expect(page == HTMLReport.page(for: outcomes[1]))
    }

    @Test func writeNamesTheFileItCannotWrite() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("micro-reports-\(UUID().uuidString)").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let error = #expect(throws: ReportWriteError.self) { try HTMLReport.write([], to: file) }
        #expect(error?.path == file)
    }
}
