import Foundation
import Micro
import MicroCLI
import Testing

/// `micro diff` driven in process on records `micro run` wrote.
@Suite struct DiffCommandTests {
    @Test func exitsZeroWhenIdenticalOneWhenDifferentTwoOnBadInput() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("micro-diff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = HarnessCommandTests.scenarios + "/single-agent-tools.yaml"
        let old = folder.appendingPathComponent("old.json").path
        let same = folder.appendingPathComponent("same.json").path
        let trace = folder.appendingPathComponent("trace.jsonl").path
        #expect(await runMicro(["run", scenario, "--save-record", old, "--trace", trace]).code == 0)
        #expect(await runMicro(["run", scenario, "--save-record", same]).code == 0)

        let (identical, text, _) = await runMicro(["diff", old, same])
        #expect(identical == 0)
        #expect(text.hasSuffix("identical\n"), "\(text)")
        // A record and the Trace of the same run.
        #expect(await runMicro(["diff", trace, old]).out.contains("0 changed, 0 added, 0 dropped"))

        let new = folder.appendingPathComponent("new.json").path
        try String(contentsOfFile: old, encoding: .utf8).replacingOccurrences(of: "Ada Lovelace", with: "Ada King")
            .write(toFile: new, atomically: true, encoding: .utf8)
        let html = folder.appendingPathComponent("diff.html").path
        let (different, out, _) = await runMicro(["diff", old, new, "--html", html])
        #expect(different == 1)
        // The prompt names the traveller too, so the runs differ from their first step.
        #expect(out.contains("first divergence at step 1 of A, step 1 of B (changed)"), "\(out)")
        #expect(out.contains("arguments $.passengerNames[0]: \"Ada Lovelace\" → \"Ada King\""), "\(out)")
        #expect(out.hasSuffix("different\n"))
        #expect(try String(contentsOfFile: html, encoding: .utf8).contains("<table class=\"diff\">"))

        let (code, json, _) = await runMicro(["diff", old, new, "--json"])
        #expect(code == 1)
        let value = try JSONValue(parsing: json)
        #expect(value["identical"] == false)
        #expect(value["a"]?["format"] == "run_record")
        #expect(json.trimmingCharacters(in: .whitespacesAndNewlines) == value.prettyString().trimmingCharacters(in: .whitespacesAndNewlines))

        let garbage = folder.appendingPathComponent("garbage.txt").path
        try "not a run".write(toFile: garbage, atomically: true, encoding: .utf8)
        let (bad, _, err) = await runMicro(["diff", old, garbage])
        #expect(bad == 2)
        #expect(err.contains("error: \(garbage): not JSON and not JSON lines of trace events; expected a Trace"), "\(err)")
        #expect(await runMicro(["diff", old, folder.appendingPathComponent("missing.json").path]).code == 2)
    }
}
