import Foundation
import Micro
import MicroCLI
import Testing

@Suite struct RunsCommandTests {
    func temporaryDatabase() -> String {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("micro-runs-\(UInt64.random(in: 0...UInt64.max)).sqlite").path
    }

    @Test func theDemoRunsToCompletionAndRunsListsAndShowsIt() async throws {
        let db = temporaryDatabase()
        defer { try? FileManager.default.removeItem(atPath: db) }
        let demo = await runMicro(["demo", "--db", db, "--run-id", "t1"])
        #expect(demo.code == 0)
        #expect(demo.out.contains("run t1 completed after 4 steps: Trip booked"))

        let list = await runMicro(["runs", "list", "--db", db, "--json"])
        #expect(list.code == 0)
        let runs = try #require(try JSONValue(parsing: list.out).arrayValue)
        #expect(Set(runs.compactMap { $0["runID"]?.stringValue }) == ["t1", "t1-s2c0"])
        #expect(runs.allSatisfy { $0["status"] == "completed" })

        let show = await runMicro(["runs", "show", "t1", "--db", db])
        #expect(show.code == 0)
        #expect(show.out.contains("child t1-s2c0 (booker): completed"))
        #expect(show.out.contains("1. started"))
        #expect(show.out.contains("completed at"))

        let resumed = await runMicro(["runs", "resume", "t1", "--db", db])
        #expect(resumed.code == 0)
        #expect(resumed.out.contains("completed"))

        let ledger = await runMicro(["tools", "call", "payments_ledger", "--db", db, "--json"])
        #expect(try JSONValue(parsing: ledger.out)["content"]?["entries"]?.arrayValue?.count == 2)
    }

    @Test func unknownRunsAndDatabasesAreClearErrors() async throws {
        let missing = await runMicro(["runs", "list", "--db", "/nonexistent/x.sqlite"])
        #expect(missing.code != 0)
        #expect(missing.err.contains("no database at /nonexistent/x.sqlite"))

        let db = temporaryDatabase()
        defer { try? FileManager.default.removeItem(atPath: db) }
        _ = await runMicro(["demo", "--db", db])
        let unknown = await runMicro(["runs", "show", "nope", "--db", db])
        #expect(unknown.code != 0)
        #expect(unknown.err.contains("no run nope"))
    }

    @Test func aGarbageDatabaseIsReportedNotCrashedOn() async throws {
        let db = temporaryDatabase()
        defer { try? FileManager.default.removeItem(atPath: db) }
        try Data("this is not a database, it is a text file".utf8).write(to: URL(fileURLWithPath: db))
        let result = await runMicro(["runs", "list", "--db", db])
        #expect(result.code != 0)
        #expect(result.err.contains("corrupted") || result.err.contains("not a database"))
    }
}
