import Foundation
import Micro
import MicroCLI
import Testing

/// `micro test` and `micro run` driven in process (`micro chaos` spawns the binary; CI runs it).
@Suite struct HarnessCommandTests {
    static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Scenarios").path

    @Test func testReportsEachScenarioAndExitsZeroWhenAllPass() async throws {
        let junit = FileManager.default.temporaryDirectory.appendingPathComponent("micro-\(UUID().uuidString).xml").path
        defer { try? FileManager.default.removeItem(atPath: junit) }
        let (code, out, _) = await runMicro([
            "test", Self.scenarios, "--filter", "single-agent", "--junit", junit, "--jobs", "1",
        ])
        #expect(code == 0)
        #expect(out.contains("a single agent searches and books a flight"))
        #expect(out.contains("1 passed, 0 failed"))
        #expect(FileManager.default.fileExists(atPath: junit))
    }

    @Test func testExitsOneWithTheFileAndLineOfAFailure() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("micro-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try """
            name: wrong output
            agents:
              - name: a
                model: {script: [{text: hello}]}
            run: {agent: a, prompt: hi}
            expect:
              - output: goodbye
            """.write(to: folder.appendingPathComponent("wrong.yaml"), atomically: true, encoding: .utf8)
        try "name: [broken\n".write(to: folder.appendingPathComponent("broken.yaml"), atomically: true, encoding: .utf8)
        let (code, out, err) = await runMicro(["test", folder.path, "--json"])
        #expect(code == 1)
        #expect(err.contains("broken.yaml:2: invalid YAML"))
        let report = try JSONValue(parsing: out)
        #expect(report.canonicalString().contains("wrong output"))
        let (_, text, _) = await runMicro(["test", folder.appendingPathComponent("wrong.yaml").path])
        #expect(text.contains("wrong.yaml:7: output: output \"hello\", expected \"goodbye\""))
    }

    @Test func runContinuesARunFromItsDatabase() async throws {
        let db = FileManager.default.temporaryDirectory.appendingPathComponent("micro-\(UUID().uuidString).sqlite").path
        let summary = db + ".json"
        defer { for path in [db, db + "-wal", db + "-shm", summary] { try? FileManager.default.removeItem(atPath: path) } }
        let scenario = Self.scenarios + "/single-agent-tools.yaml"
        let (code, out, _) = await runMicro(["run", scenario, "--db", db, "--summary", summary])
        #expect(code == 0)
        #expect(out.contains("completed after 3 steps"))
        let first = try JSONValue(parsing: String(contentsOfFile: summary, encoding: .utf8))
        #expect(first["status"] == "completed")
        #expect(first["effects"]?.arrayValue?.count == 1)
        // A finished run resumed is returned as it ended, with no new side effect.
        let (again, text, _) = await runMicro(["run", scenario, "--db", db, "--resume", "--summary", summary])
        #expect(again == 0)
        #expect(text.contains("completed after 3 steps"))
        let second = try JSONValue(parsing: String(contentsOfFile: summary, encoding: .utf8))
        #expect(second["effects"] == first["effects"])
    }

    @Test func chaosNeedsExactlyOneSelection() async {
        let (code, _, err) = await runMicro(["chaos", Self.scenarios + "/crash-resume.yaml"])
        #expect(code != 0)
        #expect(err.contains("exactly one of --every-juncture and --kills"))
    }
}

/// `micro check`: a saved run record checked against a scenario's expectations, without running.
@Suite struct CheckCommandTests {
    @Test func aSavedRecordPassesItsScenarioAndFailsAStricterOne() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("micro-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = HarnessCommandTests.scenarios + "/single-agent-tools.yaml"
        let (code, _, _) = await runMicro(["test", scenario, "--save-records", folder.path])
        #expect(code == 0)
        let record = folder.appendingPathComponent("single-agent-tools.record.json").path
        let (passed, out, _) = await runMicro(["check", record, "--scenario", scenario])
        #expect(passed == 0)
        #expect(out.contains("1 passed, 0 failed"))
        let stricter = folder.appendingPathComponent("stricter.yaml").path
        try String(contentsOfFile: scenario, encoding: .utf8).replacingOccurrences(of: "expect:\n", with: "expect:\n  - steps: 99\n")
            .write(toFile: stricter, atomically: true, encoding: .utf8)
        let (failed, text, _) = await runMicro(["check", record, "--scenario", stricter])
        #expect(failed == 1)
        #expect(text.contains("steps: 3 model call(s), expected exactly 99"))
        let (unreadable, _, err) = await runMicro(["check", stricter, "--scenario", scenario])
        #expect(unreadable == 2)
        #expect(err.contains("not a run record"))
    }
}
