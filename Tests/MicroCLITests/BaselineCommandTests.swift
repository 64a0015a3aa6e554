import Foundation
import Micro
import MicroCLI
import Testing

/// `micro test --save-baseline`, `--baseline`, `--tolerance` and `--prices`, driven in process.
@Suite struct BaselineCommandTests {
    static let scenario = HarnessCommandTests.scenarios + "/single-agent-tools.yaml"
    static let name = "a single agent searches and books a flight"

    static func temporary(_ suffix: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("micro-\(UUID().uuidString)\(suffix)").path
    }

    @Test func aSavedBaselinePassesAndAGrownFigureFailsNamingIt() async throws {
        let file = Self.temporary(".json")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let (saved, _, savedErr) = await runMicro(["test", Self.scenario, "--save-baseline", file])
        #expect(saved == 0)
        #expect(savedErr.contains("wrote \(file)"))
        let baseline = try JSONValue(parsing: String(contentsOfFile: file, encoding: .utf8))
        #expect(baseline["scenarios"]?[Self.name]?["steps"] == 3)
        #expect(baseline["scenarios"]?[Self.name]?["tokens"]?["total"] == 2581)

        let (same, out, _) = await runMicro(["test", Self.scenario, "--baseline", file])
        #expect(same == 0)
        #expect(out.contains("baseline: no figure grew past its tolerance (0 improved)"))

        // The baseline says 2 steps and fewer output tokens: the run grew past it.
        var text = try String(contentsOfFile: file, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"steps\": 3", with: "\"steps\": 2")
            .replacingOccurrences(of: "\"output\": 101", with: "\"output\": 90")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let (grown, report, _) = await runMicro(["test", Self.scenario, "--baseline", file, "--tolerance", "10%"])
        #expect(grown == 1)
        #expect(report.contains("baseline: ✗ \(Self.name): steps 2 → 3 (+50.0%, tolerance 10%)"), "\(report)")
        #expect(report.contains("baseline: ✗ \(Self.name): output 90 → 101 (+12.2%, tolerance 10%)"), "\(report)")
        #expect(report.contains("1 passed, 0 failed"))
        // The total grew too (2570 → 2581, the baseline's total being its parts'); tolerances per figure let
        // all three through.
        #expect(report.contains("baseline: ✗ \(Self.name): tokens 2570 → 2581 (+0.4%, tolerance 10%)") == false)
        let (strict, strictReport, _) = await runMicro([
            "test", Self.scenario, "--baseline", file, "--tolerance", "steps=50%", "--tolerance", "output=20%",
        ])
        #expect(strict == 1)
        #expect(strictReport.contains("baseline: ✗ \(Self.name): tokens 2570 → 2581 (+0.4%, tolerance 0%)"), "\(strictReport)")
        let (lenient, _, _) = await runMicro([
            "test", Self.scenario, "--baseline", file, "--tolerance", "steps=50%", "--tolerance", "output=20%", "--tolerance", "1%",
        ])
        #expect(lenient == 0)
        // In JSON, the comparison is the report's baseline field.
        let (_, json, _) = await runMicro(["test", Self.scenario, "--baseline", file, "--json"])
        let value = try JSONValue(parsing: json)
        #expect(value["baseline"]?["passed"] == false)
    }

    @Test func aMalformedBaselineOrToleranceIsRefusedBeforeRunning() async throws {
        let file = Self.temporary(".json")
        defer { try? FileManager.default.removeItem(atPath: file) }
        try #"{"version": 1, "scenarios": {"x": {"steps": "three"}}}"#.write(toFile: file, atomically: true, encoding: .utf8)
        let (code, out, err) = await runMicro(["test", Self.scenario, "--baseline", file])
        #expect(code != 0)
        #expect(err.contains(#"\#(file): scenarios["x"].tokens: missing"#), "\(err)")
        #expect(!out.contains("passed"))
        let (bad, _, badErr) = await runMicro(["test", Self.scenario, "--baseline", file, "--tolerance", "ten"])
        #expect(bad != 0)
        #expect(!badErr.isEmpty)
        let (alone, _, aloneErr) = await runMicro(["test", Self.scenario, "--tolerance", "10%"])
        #expect(alone != 0)
        #expect(aloneErr.contains("--tolerance needs --baseline FILE"))
    }

    @Test func aPriceFilePricesAScriptedModel() async throws {
        let folder = Self.temporary("")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let scenario = folder + "/free.yaml"
        try """
            name: unpriced
            agents:
              - name: a
                model: {script: [{text: hello, usage: {input: 1000, output: 100}}]}
            run: {agent: a, prompt: hi}
            """.write(toFile: scenario, atomically: true, encoding: .utf8)
        let (_, unknown, _) = await runMicro(["test", scenario])
        #expect(unknown.contains("1100 tokens (in 1000, out 100), cost unknown (no price for a (scripted/a))"), "\(unknown)")
        let prices = folder + "/prices.yaml"
        try "scripted/a: {input: 2, output: 10}\n".write(toFile: prices, atomically: true, encoding: .utf8)
        let (code, priced, _) = await runMicro(["test", scenario, "--prices", prices])
        #expect(code == 0)
        #expect(priced.contains("1100 tokens (in 1000, out 100), $0.003000"), "\(priced)")
        try "scripted/a: {input: 2}\n".write(toFile: prices, atomically: true, encoding: .utf8)
        let (bad, _, err) = await runMicro(["test", scenario, "--prices", prices])
        #expect(bad != 0)
        #expect(err.contains("prices.yaml:1: scripted/a: a price needs output"), "\(err)")
    }
}
