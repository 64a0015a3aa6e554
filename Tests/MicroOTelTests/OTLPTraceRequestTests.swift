import Micro
import MicroOTel
import Testing

/// The OTLP/JSON encoding: hex ids, integer enums, 64-bit integers as strings, status only when set.
@Suite struct OTLPTraceRequestTests {
    @Test func spansAreWrittenInTheOTLPJSONEncoding() throws {
        let trace = TraceID(bytes: Array(0..<16))
        let span = OTelSpan(
            traceID: trace, spanID: SpanID(bytes: [0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3]), parentSpanID: SpanID(bytes: [0, 0, 0, 0, 0, 0, 0, 9]),
            name: "chat m", kind: .client, startUnixNano: 1_767_225_600_000_000_000, endUnixNano: 1_767_225_601_000_000_000,
            attributes: [
                .string("s", "x"), .int("i", 9_007_199_254_740_993), OTelAttribute("d", .double(0.5)), OTelAttribute("b", .bool(true)),
                OTelAttribute("l", .strings(["stop"])), OTelAttribute("n", .double(.nan)),
            ],
            events: [OTelSpan.Event(name: "micro.checkpoint", timeUnixNano: 5, attributes: [.int("micro.sequence", 2)])],
            status: .error("boom"))
        let json = OTLPTraceRequest(resource: [.string("service.name", "t")], spans: [span, OTelSpan(
            traceID: trace, spanID: SpanID(bytes: [1, 1, 1, 1, 1, 1, 1, 1]), parentSpanID: nil, name: "root", kind: .internal,
            startUnixNano: 0, endUnixNano: 0)]).jsonValue
        let scope = try #require(json["resourceSpans"]?[0]?["scopeSpans"]?[0])
        #expect(scope["scope"]?["name"] == "micro")
        let written = try #require(scope["spans"]?[0])
        #expect(written["traceId"] == "000102030405060708090a0b0c0d0e0f")
        #expect(written["spanId"] == "deadbeef00010203")
        #expect(written["parentSpanId"] == "0000000000000009")
        #expect(written["kind"] == 3)
        #expect(written["startTimeUnixNano"] == "1767225600000000000")
        #expect(written["endTimeUnixNano"] == "1767225601000000000")
        #expect(written["status"] == ["code": 2, "message": "boom"])
        #expect(written["attributes"] == [
            ["key": "s", "value": ["stringValue": "x"]], ["key": "i", "value": ["intValue": "9007199254740993"]],
            ["key": "d", "value": ["doubleValue": 0.5]], ["key": "b", "value": ["boolValue": true]],
            ["key": "l", "value": ["arrayValue": ["values": [["stringValue": "stop"]]]]], ["key": "n", "value": ["doubleValue": "NaN"]],
        ])
        #expect(written["events"] == [
            ["name": "micro.checkpoint", "timeUnixNano": "5", "attributes": [["key": "micro.sequence", "value": ["intValue": "2"]]]],
        ])
        let root = try #require(scope["spans"]?[1])
        #expect(root["parentSpanId"] == nil)
        #expect(root["status"] == nil)
        #expect(root["kind"] == 1)
    }

    @Test func derivedIDsAreStableSpreadAndNeverZero() {
        let trace = TraceID(derivedFrom: "scenario\u{0}7\u{0}run")
        #expect(trace == TraceID(derivedFrom: "scenario\u{0}7\u{0}run"))
        #expect(trace != TraceID(derivedFrom: "scenario\u{0}8\u{0}run"))
        #expect(trace.description.count == 32)
        let ids = (0..<2000).map { SpanID(derivedFrom: "event:\($0)", in: trace) }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.bytes.contains { $0 != 0 } })
        // Neighbouring keys differ in their first byte too, not only the last.
        #expect(Set(ids.prefix(64).map { $0.bytes[0] }).count > 32)
        #expect(SpanID(derivedFrom: "event:1", in: trace) != SpanID(derivedFrom: "event:1", in: TraceID(derivedFrom: "other")))
    }
}
