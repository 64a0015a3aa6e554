import ArgumentParser
import Foundation
import MicroHarness

extension TestCommand {
    /// The baseline to compare with and the tolerances, read before anything runs so that a bad file or
    /// tolerance fails at once.
    func baselineGate() throws -> (baseline: Baseline, tolerances: BaselineTolerances)? {
        guard let baseline else {
            if !tolerance.isEmpty { throw ValidationError("--tolerance needs --baseline FILE") }
            return nil
        }
        do {
            return (try Baseline.load(file: baseline), try BaselineTolerances(parsing: tolerance))
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The `--prices` file's table.
    func priceFile() throws -> PriceTable? {
        guard let prices else { return nil }
        do {
            return try PriceTable.load(file: prices)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// Writes `--save-baseline`.
    func writeBaseline(_ outcomes: [ScenarioOutcome]) throws {
        guard let saveBaseline else { return }
        let folder = (saveBaseline as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        try Baseline(outcomes: outcomes).jsonText.write(toFile: saveBaseline, atomically: true, encoding: .utf8)
        Console.current.err("wrote \(saveBaseline)")
    }
}
