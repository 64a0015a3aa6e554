import Foundation
import Micro
import MicroAgent

extension RunRecord: Codable {
    enum CodingKeys: String, CodingKey {
        case scenario, file, seed, runID, result, error, trace, crashes, virtualDurationMs, unfiredFaults, checkpointGaps
        case sideEffects, unusedRecordings, contextWindows, prices, factErrors, version, requestMeasures, summarizerPrices
        case models, judgePrices, providers
    }

    /// The format version written by ``json``.
    public static let version = 1

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.version, forKey: .version)
        try container.encode(scenario, forKey: .scenario)
        try container.encode(file, forKey: .file)
        try container.encode(seed, forKey: .seed)
        try container.encode(runID, forKey: .runID)
        try container.encodeIfPresent(result, forKey: .result)
        try container.encodeIfPresent(error, forKey: .error)
        try container.encode(trace, forKey: .trace)
        try container.encode(crashes, forKey: .crashes)
        let (seconds, attoseconds) = virtualDuration.components
        try container.encode(seconds * 1000 + attoseconds / 1_000_000_000_000_000, forKey: .virtualDurationMs)
        try container.encode(unfiredFaults, forKey: .unfiredFaults)
        try container.encode(checkpointGaps, forKey: .checkpointGaps)
        try container.encode(sideEffects, forKey: .sideEffects)
        try container.encode(unusedRecordings, forKey: .unusedRecordings)
        try container.encode(contextWindows, forKey: .contextWindows)
        try container.encode(prices, forKey: .prices)
        try container.encode(factErrors, forKey: .factErrors)
        try container.encode(requestMeasures, forKey: .requestMeasures)
        try container.encode(summarizerPrices, forKey: .summarizerPrices)
        try container.encode(models, forKey: .models)
        try container.encode(judgePrices, forKey: .judgePrices)
        try container.encode(providers, forKey: .providers)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let version = try container.decode(Int.self, forKey: .version)
        guard version == Self.version else {
            throw DecodingError.dataCorruptedError(
                forKey: .version, in: container, debugDescription: "run record version \(version); this Micro reads \(Self.version)")
        }
        self.init(
            scenario: try container.decode(String.self, forKey: .scenario), file: try container.decode(String.self, forKey: .file),
            seed: try container.decode(UInt64.self, forKey: .seed), runID: try container.decode(String.self, forKey: .runID),
            result: try container.decodeIfPresent(RunResult.self, forKey: .result),
            error: try container.decodeIfPresent(String.self, forKey: .error),
            trace: try container.decode([TraceEvent].self, forKey: .trace), crashes: try container.decode(Int.self, forKey: .crashes),
            virtualDuration: .milliseconds(try container.decode(Int64.self, forKey: .virtualDurationMs)),
            unfiredFaults: try container.decode([UnfiredFault].self, forKey: .unfiredFaults),
            checkpointGaps: try container.decode([String].self, forKey: .checkpointGaps),
            sideEffects: try container.decode([SideEffect].self, forKey: .sideEffects),
            unusedRecordings: try container.decode([String].self, forKey: .unusedRecordings),
            contextWindows: try container.decode([String: Int].self, forKey: .contextWindows),
            prices: try container.decode([String: Price].self, forKey: .prices),
            factErrors: try container.decode([String].self, forKey: .factErrors),
            // Absent from records written before requests were measured.
            requestMeasures: try container.decodeIfPresent([RequestMeasure].self, forKey: .requestMeasures) ?? [],
            summarizerPrices: try container.decodeIfPresent([String: Price].self, forKey: .summarizerPrices) ?? [:],
            // Absent from records written before costs were itemized.
            models: try container.decodeIfPresent([String: String].self, forKey: .models) ?? [:],
            judgePrices: try container.decodeIfPresent([String: Price].self, forKey: .judgePrices) ?? [:],
            // Absent from records written before providers were recorded.
            providers: try container.decodeIfPresent([String: String].self, forKey: .providers) ?? [:])
    }

    /// The record as canonical JSON (sorted keys), what `--save-record` writes.
    public func jsonText() throws -> String {
        try JSONValueEncoder().encode(self).prettyString() + "\n"
    }

    /// Reads a record written by ``jsonText()``; errors name the file and what is wrong.
    public static func load(file path: String) throws(RunRecordError) -> RunRecord {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw RunRecordError(file: path, message: "cannot read the file: \(error.localizedDescription)")
        }
        do {
            return try JSONValueDecoder().decode(RunRecord.self, from: JSONValue(parsing: text))
        } catch {
            throw RunRecordError(file: path, message: "not a run record: \(error)")
        }
    }
}

/// A run record file that cannot be read.
public struct RunRecordError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var message: String
    public var description: String { "\(file): \(message)" }
}
