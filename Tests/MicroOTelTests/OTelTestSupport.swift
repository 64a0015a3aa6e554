import Foundation
import Micro
import MicroAgent
import MicroHarness
import MicroOTel
import MicroTravel

/// Bundled scenarios run in process, for their records.
enum Bundled {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Scenarios").path

    static func outcome(_ name: String) async throws -> ScenarioOutcome {
        let scenario = try Scenario.load(file: folder + "/\(name).yaml", catalog: .travel)
        return await ScenarioRunner.run(scenario)
    }
}

extension [OTelSpan] {
    func named(_ name: String) -> [OTelSpan] { filter { $0.name == name } }
    func with(id: SpanID?) -> OTelSpan? { first { $0.spanID == id } }
    /// The names from `span` up to the root.
    func ancestry(of span: OTelSpan) -> [String] {
        var names = [span.name]
        var current = span
        while let parent = with(id: current.parentSpanID) {
            names.append(parent.name)
            current = parent
        }
        return names
    }
}

/// Hand-written traces for cases the bundled scenarios do not reach.
struct TraceBuilder {
    var events: [TraceEvent] = []
    var base: Int64 = 1_767_225_600_000

    mutating func add(_ kind: TraceEvent.Kind, run: String = "r", agent: String = "a", step: Int = 0, ms: Int64, _ data: JSONValue = [:]) {
        events.append(TraceEvent(
            sequence: events.count + 1, kind: kind, runID: run, agent: agent, step: step,
            at: Timestamp(millisecondsSinceEpoch: base + ms), data: data))
    }
}
