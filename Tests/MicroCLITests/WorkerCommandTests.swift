import Foundation
import Micro
@testable import MicroCLI
import Testing

/// `--store`, `micro run --submit`, `micro worker` and the refusals of `micro chaos --workers`, in process.
@Suite struct WorkerCommandTests {
    @Test(arguments: [
        ("sqlite:/tmp/a.sqlite", StoreOption.sqlite(path: "/tmp/a.sqlite")),
        ("sqlite:///tmp/a.sqlite", .sqlite(path: "/tmp/a.sqlite")),
        ("sqlite:pool.sqlite", .sqlite(path: "pool.sqlite")),
        ("memory://", .memory),
        ("MEMORY:", .memory),
    ])
    func storeURLsParse(text: String, expected: StoreOption) throws {
        #expect(try StoreOption(parsing: text) == expected)
    }

    @Test(arguments: [
        ("postgres://db/micro", StoreOptionError.Code.unknownScheme, "unknown store scheme \"postgres\""),
        ("redis://x", .unknownScheme, "use sqlite:PATH or memory://"),
        ("pool.sqlite", .malformed, "has no scheme"),
        ("sqlite:", .malformed, "names no SQLite file"),
        ("memory://x", .malformed, "takes no path"),
    ])
    func badStoreURLsAreTypedErrors(text: String, code: StoreOptionError.Code, message: String) {
        let error = #expect(throws: StoreOptionError.self) { try StoreOption(parsing: text) }
        #expect(error?.code == code)
        #expect(error?.message.contains(message) == true)
    }

    @Test func anUnknownSchemeIsRefusedOnTheCommandLine() async {
        let (code, _, err) = await runMicro(["worker", "--store", "postgres://localhost/micro"])
        #expect(code != 0)
        #expect(err.contains("unknown store scheme \"postgres\""))
    }

    @Test func aSubmittedRunIsDrivenByAWorkerAndEndsLikeAnUninterruptedOne() async throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("micro-\(UUID().uuidString)").path
        let pool = base + "-pool.sqlite", reference = base + "-ref.sqlite"
        let summary = base + ".json", expected = base + "-ref.json"
        defer {
            for path in [pool, reference] { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
            for path in [summary, expected] { try? FileManager.default.removeItem(atPath: path) }
        }
        let scenario = HarnessCommandTests.scenarios + "/single-agent-tools.yaml"
        let (submitted, out, _) = await runMicro(["run", scenario, "--submit", "--store", "sqlite:\(pool)"])
        #expect(submitted == 0)
        #expect(out.contains("submitted run"))
        let (worked, _, log) = await runMicro([
            "worker", scenario, "--store", "sqlite:\(pool)", "--exit-when-done", "--lease-ms", "500", "--owner", "w1",
        ])
        #expect(worked == 0)
        #expect(log.contains("w1: took run"))
        #expect(log.contains("1 run(s) driven"))
        _ = await runMicro(["run", scenario, "--db", pool, "--resume", "--summary", summary])
        _ = await runMicro(["run", scenario, "--db", reference, "--summary", expected])
        let pooled = try JSONValue(parsing: String(contentsOfFile: summary, encoding: .utf8))
        let uninterrupted = try JSONValue(parsing: String(contentsOfFile: expected, encoding: .utf8))
        #expect(pooled["status"] == "completed")
        #expect(pooled["output"] == uninterrupted["output"])
        #expect(pooled["effects"] == uninterrupted["effects"])
        #expect(pooled["checkpointGaps"] == [])
        // Submitting the same run again is refused: it exists.
        let (again, _, err) = await runMicro(["run", scenario, "--submit", "--store", "sqlite:\(pool)"])
        #expect(again != 0)
        #expect(err.contains("already exists"))
    }

    @Test func aScenarioWorkerRefusesConcurrencyItWouldIgnore() async {
        let (code, _, err) = await runMicro([
            "worker", HarnessCommandTests.scenarios + "/crash-resume.yaml", "--store", "memory://", "--concurrency", "2",
        ])
        #expect(code != 0)
        #expect(err.contains("a scenario's worker drives one run at a time"), "\(err)")
    }

    @Test func submitNeedsASharedStore() async {
        let (code, _, err) = await runMicro(["run", HarnessCommandTests.scenarios + "/single-agent-tools.yaml", "--submit", "--store", "memory://"])
        #expect(code != 0)
        #expect(err.contains("--submit needs a shared store"))
    }

    @Test(arguments: [
        ("postgres,nats", "postgres, nats not wired into multi-worker chaos yet"),
        ("sqlite,mysql", "unknown backend mysql"),
    ])
    func chaosBackendsThatDoNotRunAreRefusedByName(backends: String, message: String) async {
        let (code, _, err) = await runMicro([
            "chaos", HarnessCommandTests.scenarios + "/crash-resume.yaml", "--every-juncture", "--workers", "2", "--backends", backends,
        ])
        #expect(code != 0)
        #expect(err.contains(message))
    }

    /// The reproduce line's arguments parse again (a selection is required: without it they did not).
    @Test(arguments: [["--every-juncture"], ["--kills", "3"]])
    func aReproduceLineNamesTheSelection(selection: [String]) throws {
        let command = try ChaosCommand.parse(["s.yaml"] + selection + ["--workers", "2"])
        let again = try ChaosCommand.parse(["s.yaml"] + command.selectionArgument.split(separator: " ").map(String.init) + ["--workers", "2", "--seed", "1"])
        #expect(again.selectionArgument == command.selectionArgument)
        #expect(throws: (any Error).self) { try ChaosCommand.parse(["s.yaml", "--workers", "2", "--seed", "1"]) }
    }

    @Test func chaosOnWorkersRefusesAFlowScenarioWithItsReason() async {
        let (code, _, err) = await runMicro(["chaos", HarnessCommandTests.scenarios + "/flow-loops.yaml", "--kills", "1", "--workers", "2"])
        #expect(code != 0)
        #expect(err.contains("cannot run on workers: it runs flows"), "\(err)")
    }

    @Test func chaosOnWorkersRefusesAScenarioAnsweredWithInputs() async {
        let (code, _, err) = await runMicro(["chaos", HarnessCommandTests.scenarios + "/request-input.yaml", "--kills", "1", "--workers", "2"])
        #expect(code != 0)
        #expect(err.contains("cannot run on workers: its run is answered with inputs"))
    }
}
