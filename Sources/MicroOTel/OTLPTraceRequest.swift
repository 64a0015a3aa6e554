import Micro

/// An OTLP `ExportTraceServiceRequest` in the OTLP/JSON encoding (`POST /v1/traces`,
/// `Content-Type: application/json`): one resource, one instrumentation scope, its spans.
///
/// OTLP/JSON is the protobuf JSON mapping with OTLP's own rules: field names in lowerCamelCase, trace and span
/// ids as hex strings (not base64), enums as integers, 64-bit integers (times, `intValue`) as decimal strings.
public struct OTLPTraceRequest: Sendable, Hashable {
    /// Resource attributes (`service.name` and the like).
    public var resource: [OTelAttribute]
    /// The instrumentation scope's name and version.
    public var scopeName: String
    public var scopeVersion: String
    public var spans: [OTelSpan]

    public init(resource: [OTelAttribute], scopeName: String = "micro", scopeVersion: String = "1", spans: [OTelSpan]) {
        self.resource = resource
        self.scopeName = scopeName
        self.scopeVersion = scopeVersion
        self.spans = spans
    }

    /// The request body as a JSON value.
    public var jsonValue: JSONValue {
        [
            "resourceSpans": [
                [
                    "resource": ["attributes": Self.json(resource)],
                    "scopeSpans": [
                        [
                            "scope": ["name": .string(scopeName), "version": .string(scopeVersion)],
                            "spans": .array(spans.map(Self.json)),
                        ]
                    ],
                ]
            ]
        ]
    }

    /// The request body: canonical JSON (sorted keys), so the same spans give the same bytes.
    public var body: [UInt8] { Array(jsonValue.canonicalString().utf8) }

    static func json(_ span: OTelSpan) -> JSONValue {
        var object: [String: JSONValue] = [
            "traceId": .string(span.traceID.description), "spanId": .string(span.spanID.description),
            "name": .string(span.name), "kind": .integer(span.kind.rawValue),
            "startTimeUnixNano": .string(String(span.startUnixNano)), "endTimeUnixNano": .string(String(span.endUnixNano)),
            "attributes": json(span.attributes),
            "events": .array(span.events.map { event in
                [
                    "name": .string(event.name), "timeUnixNano": .string(String(event.timeUnixNano)),
                    "attributes": json(event.attributes),
                ]
            }),
        ]
        if let parent = span.parentSpanID { object["parentSpanId"] = .string(parent.description) }
        if span.status.code != .unset {
            var status: [String: JSONValue] = ["code": .integer(span.status.code.rawValue)]
            if !span.status.message.isEmpty { status["message"] = .string(span.status.message) }
            object["status"] = .object(status)
        }
        return .object(object)
    }

    static func json(_ attributes: [OTelAttribute]) -> JSONValue {
        .array(attributes.map { ["key": .string($0.key), "value": json($0.value)] })
    }

    static func json(_ value: OTelAttribute.Value) -> JSONValue {
        switch value {
        case .string(let text): ["stringValue": .string(text)]
        case .int(let number): ["intValue": .string(String(number))]
        case .double(let number):
            // The protobuf JSON mapping writes the non-finite doubles as these strings.
            ["doubleValue": number.isFinite ? .number(number) : .string(number.isNaN ? "NaN" : number > 0 ? "Infinity" : "-Infinity")]
        case .bool(let flag): ["boolValue": .bool(flag)]
        case .strings(let items): ["arrayValue": ["values": .array(items.map { ["stringValue": .string($0)] })]]
        }
    }
}
