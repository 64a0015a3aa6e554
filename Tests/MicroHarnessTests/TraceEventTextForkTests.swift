import Micro
import MicroAgent
import Testing

@testable import MicroHarness

/// A fork's first trace event says where it came from in every report listing (terminal, JUnit, HTML).
@Suite struct TraceEventTextForkTests {
    @Test func aForkedEventNamesItsParentCheckpointAndEdit() {
        let event = TraceEvent(
            sequence: 1, kind: .forked, runID: "f", agent: "buyer", step: 1, at: Timestamp(millisecondsSinceEpoch: 0),
            data: ["parent": "p", "sequence": 7, "juncture": "after_model:2", "edit": "model answer replaced"])
        #expect(TraceEventText.summary(event) == "fork of p · at checkpoint 7 · after_model:2 · edit: model answer replaced")
    }
}
