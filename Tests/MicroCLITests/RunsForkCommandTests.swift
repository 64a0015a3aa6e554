import Foundation
import Micro
import Testing

@Suite struct RunsForkCommandTests {
    func temporaryDatabase() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("micro-fork-\(UInt64.random(in: 0...UInt64.max)).sqlite").path
    }

    @Test func aForkWithAnotherToolResultIsANewLinkedRunAndTheParentIsUnchanged() async throws {
        let db = temporaryDatabase()
        let result = FileManager.default.temporaryDirectory.appendingPathComponent("micro-fork-result-\(UInt64.random(in: 0...UInt64.max)).json").path
        defer {
            try? FileManager.default.removeItem(atPath: db)
            try? FileManager.default.removeItem(atPath: result)
        }
        #expect(await runMicro(["demo", "--db", db, "--run-id", "t1"]).code == 0)
        let before = await runMicro(["runs", "show", "t1", "--db", db, "--json"])

        let listed = await runMicro(["runs", "checkpoints", "t1", "--db", db, "--json"])
        #expect(listed.code == 0)
        let checkpoints = try #require(try JSONValue(parsing: listed.out).arrayValue)
        #expect(checkpoints.first?["juncture"] == "started")
        // The first tool call of the coordinator, before it ran.
        let at = try #require(checkpoints.first { $0["juncture"]?.stringValue?.hasPrefix("before_tool:") == true })
        let sequence = try #require(at["sequence"]?.intValue)
        let callID = try #require(at["pendingCalls"]?[0]?["callID"]?.stringValue)
        try Data(#"{"error": "no forecast today"}"#.utf8).write(to: URL(fileURLWithPath: result))

        let fork = await runMicro([
            "runs", "fork", "t1", "--at", "\(sequence)", "--tool-result", "\(callID)=\(result)", "--tool-error", "--fork-id", "f1",
            "--db", db,
        ])
        #expect(fork.code == 0, "\(fork.out)\(fork.err)")
        #expect(fork.out.contains("fork f1 of t1@\(sequence) (before_tool:"))
        #expect(fork.out.contains("result of call \(callID) replaced (an error)"))

        let list = await runMicro(["runs", "list", "--db", db])
        #expect(list.out.contains("f1  coordinator"))
        #expect(list.out.contains("(fork of t1@\(sequence)"))
        let show = await runMicro(["runs", "show", "f1", "--db", db])
        #expect(show.out.contains("forked from: t1@\(sequence)"))
        let forkCheckpoints = await runMicro(["runs", "checkpoints", "f1", "--db", db])
        #expect(forkCheckpoints.out.hasPrefix("forked from t1@\(sequence)"))
        #expect(await runMicro(["runs", "show", "t1", "--db", db, "--json"]).out == before.out)
    }

    @Test func badForksExitWith2() async throws {
        let db = temporaryDatabase()
        defer { try? FileManager.default.removeItem(atPath: db) }
        #expect(await runMicro(["demo", "--db", db, "--run-id", "t1"]).code == 0)
        let unknown = await runMicro(["runs", "fork", "t1", "--at", "9999", "--db", db])
        #expect(unknown.code == 2)
        #expect(unknown.err.contains("unknown_checkpoint: run t1 checkpoint 9999"))
        let two = await runMicro(["runs", "fork", "t1", "--at", "2", "--input", "x", "--model-answer", "/dev/null", "--db", db])
        #expect(two.code == 2)
        #expect(two.err.contains("at most one"))
        let notPaused = await runMicro(["runs", "fork", "t1", "--at", "2", "--input", "x", "--db", db])
        #expect(notPaused.code == 2)
        #expect(notPaused.err.contains("edit_not_applicable"))
    }
}
