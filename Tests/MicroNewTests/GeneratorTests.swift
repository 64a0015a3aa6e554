import Foundation
import Micro
import MicroAgent
import MicroSQLite
import Synchronization
import Testing

@testable import MicroNew

@Suite struct GeneratorTests {
    func configuration(_ folder: String, maxFixRounds: Int = 2, accept: Bool = true) -> GeneratorConfiguration {
        GeneratorConfiguration(
            name: "tip-splitter", directory: folder + "/tip-splitter", prompt: "A bill splitter with tips.", maxFixRounds: maxFixRounds,
            acceptDesign: accept, micro: .path("../micro"))
    }

    func generator(
        _ folder: String, turns: [ScriptedModel.Turn], toolchain: ScriptedToolchain, maxFixRounds: Int = 2, accept: Bool = true,
        onCheckpoint: (@Sendable (Checkpoint) async throws -> Void)? = nil
    ) async throws -> Generator {
        try await Generator(
            configuration: configuration(folder, maxFixRounds: maxFixRounds, accept: accept),
            model: ScriptedModel(turns, selection: .byAssistantTurns), toolchain: toolchain, db: folder + "/new.sqlite", owner: "test",
            onCheckpoint: onCheckpoint)
    }

    @Test func designBuildFailFixGreenThenScenarios() async throws {
        try await withTemporaryDirectory { folder in
            let toolchain = ScriptedToolchain()
            let generator = try await generator(folder, turns: try bundledScript(), toolchain: toolchain)
            let result = try await generator.start()
            #expect(result.status == .completed, "\(result)")
            let report = try await generator.conclude(result)
            #expect(report.builds.map(\.succeeded) == [false, true])
            #expect(report.builds[0].diagnostics.map(\.description) == [
                "Sources/TipSplitter/BillLogic.swift:9:44: error: cannot find 'tipCent' in scope"
            ])
            #expect(report.buildStarts == 2 && toolchain.builds == 2 && toolchain.scenarioRuns == 1)
            #expect(report.succeeded && report.scenarios?.summary == ["PASS dinner-for-four", "PASS lunch-alone", "2 passed"])
            #expect(report.design == (try bundledDesign()))
            #expect(report.text.contains("swift run tip-splitter test Scenarios"))
            let files = try Workspace(directory: folder + "/tip-splitter").list()
            #expect(files.contains("Sources/TipSplitter/BillLogic.swift") && files.contains("Scenarios/lunch-alone.yaml"))
            // The configuration is kept for a resume in another process.
            #expect(try await Generator.configuration(in: SQLiteStore(path: folder + "/new.sqlite")) == configuration(folder))
        }
    }

    @Test func designWaitsForApprovalAndAnEditedDesignIsWhatIsWritten() async throws {
        try await withTemporaryDirectory { folder in
            let toolchain = ScriptedToolchain()
            let generator = try await generator(folder, turns: try bundledScript(), toolchain: toolchain, accept: false)
            let paused = try await generator.start()
            #expect(paused.status == .waitingForInput)
            var design = try #require(Generator.pendingDesign(paused))
            #expect(design == (try bundledDesign()))
            #expect(try Workspace(directory: folder + "/tip-splitter").list().isEmpty)  // nothing written before approval
            design.summary = "Splits bills, edited by a person."
            let answer: JSONValue = ["approve": true, "arguments": try JSONValueEncoder().encode(design)]
            let result = try await generator.resume(input: answer.canonicalString())
            #expect(result.status == .completed)
            #expect(try Workspace(directory: folder + "/tip-splitter").read("README.md").contains("Splits bills, edited by a person."))
        }
    }

    @Test func deniedDesignIsNotWritten() async throws {
        try await withTemporaryDirectory { folder in
            let turns = [try bundledScript()[0], .answer("Understood, I stop.")]
            let generator = try await generator(folder, turns: turns, toolchain: ScriptedToolchain(), accept: false)
            _ = try await generator.start()
            let result = try await generator.resume(input: "deny: I wanted a to-do list")
            #expect(result.status == .completed)
            let report = try await generator.conclude(result)
            #expect(report.design == nil && report.builds.isEmpty && !report.succeeded)
            #expect(report.text.contains("Scenarios: not run"))
        }
    }

    @Test func fixRoundsAreBounded() async throws {
        try await withTemporaryDirectory { folder in
            let script = try bundledScript()
            // With no fix round, the second build is refused and the run says so; scenarios are not run.
            let turns = Array(script[0...4]) + [.answer("It still fails.")]
            let toolchain = ScriptedToolchain()
            let generator = try await generator(folder, turns: turns, toolchain: toolchain, maxFixRounds: 0)
            let result = try await generator.start()
            let report = try await generator.conclude(result)
            #expect(toolchain.builds == 1 && report.builds.map(\.succeeded) == [false] && report.builds[0].buildsLeft == 0)
            #expect(toolchain.scenarioRuns == 0 && !report.succeeded)
            #expect(report.text.contains("Result: FAILED"))
        }
    }

    struct Crash: Error {}

    /// Killed after every checkpoint in turn, each run resumed by a fresh generator (a new process's model
    /// and runner on the same SQLite file), it ends with the same files and one build per round.
    @Test func resumesAfterACrashAtEveryCheckpoint() async throws {
        let reference = try await withTemporaryDirectory { folder in
            let generator = try await generator(folder, turns: try bundledScript(), toolchain: ScriptedToolchain())
            _ = try await generator.start()
            return try snapshot(folder + "/tip-splitter")
        }
        var crashPoint = 1
        var crashed = true
        while crashed {
            try await withTemporaryDirectory { folder in
                let toolchain = ScriptedToolchain()
                let point = crashPoint
                let count = Counter()
                let first = try await generator(folder, turns: try bundledScript(), toolchain: toolchain) { _ in
                    if count.next() == point { throw Crash() }
                }
                var result: RunResult?
                do {
                    result = try await first.start()
                    crashed = false
                } catch is Crash {
                    let second = try await generator(folder, turns: try bundledScript(), toolchain: toolchain)
                    result = try await second.resume(input: nil)
                }
                #expect(result?.status == .completed, "crash after checkpoint \(point)")
                #expect(try snapshot(folder + "/tip-splitter") == reference, "crash after checkpoint \(point)")
                let reports = try await PackageService.reports(in: SQLiteStore(path: folder + "/new.sqlite"))
                #expect(reports.map(\.round) == [1, 2] && toolchain.builds == 2, "crash after checkpoint \(point)")
            }
            crashPoint += 1
        }
        #expect(crashPoint > 10)
    }

    func snapshot(_ directory: String) throws -> [String: String] {
        let workspace = try Workspace(directory: directory)
        return Dictionary(uniqueKeysWithValues: try workspace.list().map { ($0, try workspace.read($0)) })
    }
}

final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}
