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
