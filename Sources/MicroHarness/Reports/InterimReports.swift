// Interim reports until the full ones land (replaced on merge).
import Micro

public enum TerminalReport {
    public static func summary(_ outcomes: [ScenarioOutcome], color: Bool) -> String {
        var text = ""
        for outcome in outcomes {
            text += "\(outcome.passed ? "✓" : "✗") \(outcome.scenario.name) (\(outcome.scenario.file))\n"
            for failure in outcome.failures { text += "    \(outcome.scenario.file):\(failure.line): \(failure.name): \(failure.message)\n" }
        }
        let failed = outcomes.filter { !$0.passed }.count
        return text + "\(outcomes.count - failed) passed, \(failed) failed\n"
    }
}

public enum JSONReport {
    public static func value(_ outcomes: [ScenarioOutcome]) -> JSONValue {
        .array(outcomes.map { ["name": .string($0.scenario.name), "passed": .bool($0.passed)] })
    }
}

public enum JUnitReport {
    public static func xml(_ outcomes: [ScenarioOutcome], suiteName: String, wallTime: Duration?) -> String { "" }
}

public enum HTMLReport {
    public static func write(_ outcomes: [ScenarioOutcome], to directory: String) throws {}
}
