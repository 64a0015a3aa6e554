import Foundation
import Micro
import Testing

@Suite struct ReplayHistoryCommandTests {
    func temporaryDatabase() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("micro-history-\(UInt64.random(in: 0...UInt64.max)).sqlite").path
    }

    @Test func aStoredScenarioRunReplaysCleanAndTheChangedToolArgumentFailsWithExitCode1() async throws {
        let db = temporaryDatabase()
        defer { try? FileManager.default.removeItem(atPath: db) }
        let trace = db + ".trace.jsonl"
        defer { try? FileManager.default.removeItem(atPath: trace) }
        let run = await runMicro(["run", "Scenarios/history-replay.yaml", "--db", db, "--trace", trace])
        #expect(run.code == 0, "\(run.err)")

        let same = await runMicro(["replay-history", "--db", db, "--scenario", "Scenarios/history-replay.yaml", "--trace", trace])
        #expect(same.code == 0, "\(same.out)\(same.err)")
        #expect(same.out.contains("steps as recorded"))
        #expect(same.out.contains("1 runs replayed, 0 diverged"))

        let changed = await runMicro([
            "replay-history", "--db", db, "--scenario", "Tests/Fixtures/HistoryReplay/mail-changed-argument.yaml",
        ])
        #expect(changed.code == 1)
        #expect(changed.out.contains("DIVERGED"))
        #expect(changed.out.contains("tool_spec at call"))
        #expect(changed.out.contains("mail_send"))
        #expect(changed.out.contains("missing required property \"recipient\"") || changed.out.contains("recipient"))

        let json = await runMicro(["replay-history", "--db", db, "--scenario", "Tests/Fixtures/HistoryReplay/mail-changed-argument.yaml", "--json"])
        #expect(json.code == 1)
        let report = try JSONValue(parsing: json.out)
        #expect(report["runs"]?[0]?["divergence"]?["kind"] == "tool_spec")
        #expect(report["runs"]?[0]?["divergence"]?["step"] == 2)
    }

    @Test func theCataloguesAgentsReplayTheDemosRuns() async throws {
        let db = temporaryDatabase()
        defer { try? FileManager.default.removeItem(atPath: db) }
        #expect(await runMicro(["demo", "--db", db, "--run-id", "t1"]).code == 0)
        let replay = await runMicro(["replay-history", "--db", db])
        #expect(replay.code == 0, "\(replay.out)\(replay.err)")
        #expect(replay.out.contains("ok t1 (coordinator)"))
        #expect(replay.out.contains("SKIP t1-s2c0 (booker): a sub-agent run of t1"))
    }

    @Test func badInputExitsWith2() async throws {
        let missing = await runMicro(["replay-history", "--db", "/nonexistent/history.sqlite"])
        #expect(missing.code == 2)
        #expect(missing.err.contains("no database at /nonexistent/history.sqlite"))

        let db = temporaryDatabase()
        defer { try? FileManager.default.removeItem(atPath: db) }
        #expect(await runMicro(["run", "Scenarios/history-replay.yaml", "--db", db]).code == 0)
        let unknown = await runMicro(["replay-history", "--db", db, "--run", "nope", "--scenario", "Scenarios/history-replay.yaml"])
        #expect(unknown.code == 2)
        #expect(unknown.err.contains("no run nope"))
        let badScenario = await runMicro(["replay-history", "--db", db, "--scenario", "/nonexistent.yaml"])
        #expect(badScenario.code == 2)
        let badTrace = await runMicro(["replay-history", "--db", db, "--trace", "/nonexistent.jsonl"])
        #expect(badTrace.code == 2)
        #expect(badTrace.err.contains("cannot read the trace /nonexistent.jsonl"))
    }
}
