import Foundation
import Micro
import Testing

@testable import MicroCLI

@Suite struct NewCommandTests {
    @Test(arguments: [
        (["new", "Tip"], "lower-kebab-case"),
        (["new", "micro"], "Micro or its dependencies use"),
        (["new", "tip-splitter"], "--prompt is required"),
        (["new", "tip-splitter", "--prompt", "x", "--input", "yes"], "use it with --resume"),
        (["new", "tip-splitter", "--prompt", "x", "--cassette", "a.json", "--record", "b.json"], "give one"),
        (["new", "tip-splitter", "--prompt", "x", "--provider", "nope"], "unknown provider nope"),
        (["new", "tip-splitter", "--prompt", "x", "--max-fix-rounds=-1"], "at least 0"),
        (["new", "tip-splitter", "--resume", "--db", "/nonexistent/x.sqlite"], "no database at /nonexistent/x.sqlite"),
    ])
    func refusesWhatItCannotRun(arguments: [String], message: String) async {
        let (code, _, err) = await runMicro(arguments)
        #expect(code != 0)
        #expect(err.contains(message), "\(err)")
    }

    @Test func approvalAnswers() throws {
        #expect(try NewCommand.answer("  yes ") == "yes")
        #expect(try NewCommand.answer("no: a to-do list instead") == "no: a to-do list instead")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("design-\(UUID().uuidString).json").path
        try Data(#"{"summary": "edited"}"#.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try NewCommand.answer("edit \(path)") == #"{"approve":true,"arguments":{"summary":"edited"}}"#)
        #expect(throws: (any Error).self) { try NewCommand.answer("edit /nonexistent/design.json") }
    }
}
