import Micro
import MicroAgent

/// The checks every scenario gets besides its own expectations: nothing escaped the run, the run completed
/// (unless the file says how it ends), every non-optional fault fired, no checkpoint was lost, every
/// recorded interaction was replayed, and the end-of-run facts could be read.
enum ImplicitChecks {
    static func checks(_ record: RunRecord, declaresEnd: Bool) -> [ScenarioOutcome.Check] {
        typealias Check = ScenarioOutcome.Check
        var checks: [Check] = []
        if let error = record.error {
            checks.append(Check(name: "run", line: 0, passed: false, message: "the run threw: \(error)"))
        }
        if !declaresEnd, let result = record.result, result.status != .completed {
            let why = result.failure.map { ": \($0)" } ?? result.inputRequest.map { ": asks \"\($0.prompt)\" and no input is left" } ?? ""
            checks.append(Check(
                name: "status", line: 0, passed: false,
                message: "the run ended \(result.status.rawValue)\(why) (expect status or error when that is intended)"))
        }
        for fault in record.unfiredFaults {
            checks.append(Check(
                name: "fault_fired", line: fault.line, passed: false,
                message: "the fault \(fault.label) never fired, so its path was not exercised (mark it optional if that is fine)"))
        }
        for gap in record.checkpointGaps {
            checks.append(Check(name: "checkpoint_gap", line: 0, passed: false, message: "a gap in the checkpoints of run \(gap)"))
        }
        for problem in record.factErrors {
            checks.append(Check(name: "facts", line: 0, passed: false, message: problem))
        }
        if record.crashes == 0 {
            for unused in record.unusedRecordings {
                checks.append(Check(name: "recordings", line: 0, passed: false, message: "recorded interactions never replayed: \(unused)"))
            }
        }
        return checks
    }
}
