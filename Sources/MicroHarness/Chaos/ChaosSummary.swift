import Micro
import MicroAgent

/// What a chaos run compares between an uninterrupted run and a killed-and-resumed one: how the run ended,
/// the side effects in the ledger, and whether every run's checkpoints are contiguous. Written by
/// `micro run --summary` as canonical JSON.
public struct ChaosSummary: Sendable, Hashable {
    public var status: String
    public var output: String?
    public var failure: String?
    /// Ledger entries as `kind key #occurrence`, sorted.
    public var effects: [String]
    /// Ledger entries as `kind payload` (canonical JSON), sorted: what happened, whatever key it was given.
    public var effectContents: [String]
    /// Runs whose checkpoint sequence has a gap, with the sequence.
    public var checkpointGaps: [String]
    /// Checkpoints this process committed (the junctures it went through).
    public var processCheckpoints: Int
    /// Service calls this process completed.
    public var processToolCalls: Int

    public var json: JSONValue {
        [
            "status": .string(status), "output": output.map(JSONValue.string) ?? .null,
            "failure": failure.map(JSONValue.string) ?? .null, "effects": .array(effects.map(JSONValue.string)),
            "effectContents": .array(effectContents.map(JSONValue.string)),
            "checkpointGaps": .array(checkpointGaps.map(JSONValue.string)),
            "processCheckpoints": .integer(processCheckpoints), "processToolCalls": .integer(processToolCalls),
        ]
    }

    public init(json: JSONValue) throws(ChaosError) {
        guard let status = json["status"]?.stringValue, let effects = json["effects"]?.arrayValue,
            let gaps = json["checkpointGaps"]?.arrayValue
        else { throw ChaosError("a run summary lacks status, effects or checkpointGaps: \(json.canonicalString())") }
        self.status = status
        output = json["output"]?.stringValue
        failure = json["failure"]?.stringValue
        self.effects = effects.compactMap(\.stringValue)
        effectContents = json["effectContents"]?.arrayValue?.compactMap(\.stringValue) ?? []
        checkpointGaps = gaps.compactMap(\.stringValue)
        processCheckpoints = json["processCheckpoints"]?.intValue ?? 0
        processToolCalls = json["processToolCalls"]?.intValue ?? 0
    }

    /// The summary of a run's record.
    public init(record: RunRecord) {
        let result = record.result
        status = result?.status.rawValue ?? "error"
        output = result?.output
        failure = result?.failure?.description ?? record.error
        effects = record.sideEffects.map { "\($0.kind) \($0.key) #\($0.occurrence)" }.sorted()
        effectContents = record.sideEffects.map { "\($0.kind) \($0.payload.canonicalString())" }.sorted()
        checkpointGaps = record.checkpointGaps
        processCheckpoints = record.trace.count { $0.kind == .checkpoint }
        processToolCalls = record.trace.count { $0.kind == .toolResult }
    }

    /// How `self` (a killed-and-resumed run) differs from `reference` (an uninterrupted one).
    public func violations(against reference: ChaosSummary) -> [String] {
        var violations: [String] = []
        if status != reference.status { violations.append("status \(status), uninterrupted: \(reference.status)") }
        if output != reference.output {
            violations.append("output \(output.map { "\"\($0)\"" } ?? "none"), uninterrupted: \(reference.output.map { "\"\($0)\"" } ?? "none")")
        }
        if failure != reference.failure && status == "failed" {
            violations.append("failure \(failure ?? "none"), uninterrupted: \(reference.failure ?? "none")")
        }
        let duplicates = effects.filter { !$0.hasSuffix(" #1") }
        if !duplicates.isEmpty { violations.append("side effects repeated: \(duplicates.joined(separator: ", "))") }
        let counts = Dictionary(effectContents.map { ($0, 1) }, uniquingKeysWith: +)
        let expectedCounts = Dictionary(reference.effectContents.map { ($0, 1) }, uniquingKeysWith: +)
        let more = counts.filter { $0.value > (expectedCounts[$0.key] ?? 0) && expectedCounts[$0.key] != nil }.keys.sorted()
        if duplicates.isEmpty && !more.isEmpty {
            violations.append(
                "side effects repeated: "
                    + more.map { "\($0) ×\(counts[$0] ?? 0) (uninterrupted: ×\(expectedCounts[$0] ?? 0))" }.joined(separator: ", "))
        }
        let firsts = Set(effects.filter { $0.hasSuffix(" #1") }), expected = Set(reference.effects.filter { $0.hasSuffix(" #1") })
        if firsts != expected {
            let lost = expected.subtracting(firsts).sorted(), extra = firsts.subtracting(expected).sorted()
            if !lost.isEmpty { violations.append("side effects lost: \(lost.joined(separator: ", "))") }
            if !extra.isEmpty { violations.append("side effects not in the uninterrupted run: \(extra.joined(separator: ", "))") }
        }
        if !checkpointGaps.isEmpty { violations.append("checkpoints lost: \(checkpointGaps.joined(separator: "; "))") }
        return violations
    }
}

/// A chaos run that could not be carried out (as opposed to a violation it found).
public struct ChaosError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
