import Foundation
import Micro
import MicroAgent
import MicroHarness
import MicroOTel
import MicroProviders
import Testing

/// The exporter against a loopback OTLP/HTTP receiver: what arrives, retries, and failures that name the URL.
@Suite struct OTLPExporterTests {
    @Test func theReceiverGetsTheSpansWithNamesParentsAttributesUsageAndTimes() async throws {
        let outcome = try await Bundled.outcome("travel-delegation-tree")
        let spans = outcome.record.otelSpans(checks: outcome.checks)
        let receiver = OTLPReceiver()
        let attempts = try await receiver.serve { url in
            let configuration = OTLPConfiguration(tracesURL: url, headers: [.init("x-api-key", "k1")])
            return try await OTLPExporter(configuration: configuration, transport: CurlTransport())
                .export(OTLPTraceRequest(resource: configuration.resource, spans: spans))
        }
        #expect(attempts == 1)
        let capture = try #require(receiver.captures.first)
        #expect(receiver.captures.count == 1)
        #expect(capture.contentType == "application/json")
        #expect(capture.headers["x-api-key"] == "k1")
        // Read the body as any OTLP/JSON receiver would: by the wire field names.
        let body = try JSONValue(parsing: String(decoding: capture.body, as: UTF8.self))
        let resource = try #require(body["resourceSpans"]?[0])
        #expect(resource["resource"]?["attributes"]?.arrayValue?.contains(["key": "service.name", "value": ["stringValue": "micro"]]) == true)
        let wire = try #require(resource["scopeSpans"]?[0]?["spans"]?.arrayValue)
        #expect(wire.count == spans.count)
        func attribute(_ span: JSONValue, _ key: String) -> JSONValue? {
            span["attributes"]?.arrayValue?.first { $0["key"]?.stringValue == key }?["value"]
        }
        let byID = Dictionary(wire.map { ($0["spanId"]!.stringValue!, $0) }) { a, _ in a }
        for span in wire {
            #expect(span["traceId"]?.stringValue?.count == 32)
            #expect(span["spanId"]?.stringValue?.count == 16)
            #expect(span["kind"]?.intValue != nil)
            if let parent = span["parentSpanId"]?.stringValue { #expect(byID[parent] != nil, "dangling parent of \(span["name"]!)") }
        }
        let booker = try #require(wire.first { $0["name"] == "invoke_agent booker" })
        let delegate = try #require(byID[booker["parentSpanId"]?.stringValue ?? ""])
        #expect(delegate["name"] == "execute_tool delegate")
        #expect(attribute(delegate, "gen_ai.tool.name") == ["stringValue": "delegate"])
        #expect(byID[delegate["parentSpanId"]?.stringValue ?? ""]?["name"] == "invoke_agent coordinator")
        let chats = wire.filter { $0["name"]?.stringValue?.hasPrefix("chat ") == true }
        #expect(chats.count == 7)
        let tokens = chats.compactMap { attribute($0, "gen_ai.usage.input_tokens")?["intValue"]?.stringValue.flatMap { Int($0) } }
        #expect(tokens == outcome.record.trace.compactMap(\.usage).map(\.inputTokens))
        #expect(chats.allSatisfy { $0["kind"] == 3 && attribute($0, "gen_ai.operation.name") == ["stringValue": "chat"] })
        let firstRequest = try #require(outcome.record.trace.first { $0.kind == .modelRequest })
        #expect(chats[0]["startTimeUnixNano"] == .string(String(firstRequest.at.millisecondsSinceEpoch * 1_000_000)))
        #expect(wire.allSatisfy { UInt64($0["startTimeUnixNano"]!.stringValue!)! <= UInt64($0["endTimeUnixNano"]!.stringValue!)! })
    }

    @Test func retryableStatusesAreRetriedHonouringRetryAfterOnTheClock() async throws {
        let receiver = OTLPReceiver(answers: [.init(status: .serviceUnavailable, retryAfter: "7"), .init(status: .tooManyRequests)])
        let clock = VirtualClock(mode: .autoAdvance)
        let attempts = try await receiver.serve { url in
            try await OTLPExporter(configuration: .init(tracesURL: url), transport: CurlTransport(), clock: clock)
                .export(Self.request())
        }
        #expect(attempts == 3)
        #expect(receiver.captures.count == 3)
        #expect(clock.now.offset == .seconds(7 + 2))
    }

    @Test(arguments: [
        (OTLPReceiver.Answer(status: .badRequest, body: #"{"message":"bad span"}"#), OTLPExportError.Code.rejected, 1),
        (OTLPReceiver.Answer(status: .serviceUnavailable), OTLPExportError.Code.rejected, 2),
        (OTLPReceiver.Answer(status: .ok, body: #"{"partialSuccess":{"rejectedSpans":"1","errorMessage":"span too old"}}"#),
         OTLPExportError.Code.partiallyRejected, 1),
    ])
    func failuresAreTypedErrorsNamingTheURL(answer: OTLPReceiver.Answer, code: OTLPExportError.Code, requests: Int) async throws {
        let receiver = OTLPReceiver(answers: [answer, answer])
        let clock = VirtualClock(mode: .autoAdvance)
        let result: (url: String, error: OTLPExportError?) = try await receiver.serve { url -> (url: String, error: OTLPExportError?) in
            let exporter = OTLPExporter(configuration: .init(tracesURL: url), transport: CurlTransport(), clock: clock, maxAttempts: 2)
            do throws(OTLPExportError) {
                try await exporter.export(Self.request())
                return (url, nil)
            } catch {
                return (url, error)
            }
        }
        let url = result.url
        let failure = try #require(result.error)
        #expect(failure.code == code)
        #expect(failure.url == url)
        #expect(failure.description.contains(url))
        #expect(receiver.captures.count == requests)
        if code == .rejected && requests == 1 { #expect(failure.status == 400 && failure.message.contains("bad span")) }
        if code == .partiallyRejected { #expect(failure.message.contains("rejected 1 of 1 spans: span too old")) }
    }

    @Test func anUnreachableEndpointIsATypedErrorAfterItsAttempts() async throws {
        let refusing = try Self.refusingPort()
        defer { close(refusing.socket) }
        let url = "http://127.0.0.1:\(refusing.port)/v1/traces"
        let clock = VirtualClock(mode: .autoAdvance)
        let exporter = OTLPExporter(configuration: .init(tracesURL: url), transport: CurlTransport(), clock: clock)
        do {
            try await exporter.export(Self.request())
            Issue.record("exported to nothing")
        } catch {
            #expect(error.code == .unreachable)
            #expect(error.attempts == 3)
            #expect(error.description.hasPrefix("OTLP export to \(url) failed (unreachable) after 3 attempts"))
            #expect(clock.now.offset == .seconds(1 + 2))
        }
    }

    static func request() -> OTLPTraceRequest {
        let trace = TraceID(derivedFrom: "t")
        return OTLPTraceRequest(
            resource: OTLPConfiguration.defaultResource(),
            spans: [OTelSpan(traceID: trace, spanID: SpanID(derivedFrom: "s", in: trace), parentSpanID: nil, name: "x", kind: .internal, startUnixNano: 1, endUnixNano: 2)])
    }

    /// A loopback port bound and not listening for as long as the socket stays open: connections to it are refused,
    /// and no other test (servers on bind-to-0 ports, in parallel) can take it meanwhile. Close the socket after.
    static func refusingPort() throws -> (socket: Int32, port: Int) {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
        return (socket, Int(UInt16(bigEndian: address.sin_port)))
    }
}
