/// One finished span, with its recorded start and end: what the OTLP exporter sends. Built from a Trace after
/// the run (``GenAISpans``), never from a live clock.
public struct OTelSpan: Sendable, Hashable {
    /// The span's role in its trace (OTLP `SpanKind`).
    public enum Kind: Int, Sendable, Hashable {
        case `internal` = 1
        case server = 2
        case client = 3
        case producer = 4
        case consumer = 5
    }

    /// How the operation ended (OTLP `Status`): unset on success, error with a message on failure.
    public struct Status: Sendable, Hashable {
        public enum Code: Int, Sendable, Hashable {
            case unset = 0
            case ok = 1
            case error = 2
        }
        public var code: Code
        public var message: String

        public init(_ code: Code, message: String = "") {
            self.code = code
            self.message = message
        }

        public static let unset = Status(.unset)
        public static func error(_ message: String) -> Status { Status(.error, message: message) }
    }

    /// Something that happened during the span, at a recorded time.
    public struct Event: Sendable, Hashable {
        public var name: String
        public var timeUnixNano: UInt64
        public var attributes: [OTelAttribute]

        public init(name: String, timeUnixNano: UInt64, attributes: [OTelAttribute] = []) {
            self.name = name
            self.timeUnixNano = timeUnixNano
            self.attributes = attributes
        }
    }

    public var traceID: TraceID
    public var spanID: SpanID
    /// The parent span, nil for a root span.
    public var parentSpanID: SpanID?
    public var name: String
    public var kind: Kind
    public var startUnixNano: UInt64
    public var endUnixNano: UInt64
    public var attributes: [OTelAttribute]
    public var events: [Event]
    public var status: Status

    public init(
        traceID: TraceID, spanID: SpanID, parentSpanID: SpanID?, name: String, kind: Kind, startUnixNano: UInt64,
        endUnixNano: UInt64, attributes: [OTelAttribute] = [], events: [Event] = [], status: Status = .unset
    ) {
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.name = name
        self.kind = kind
        self.startUnixNano = startUnixNano
        self.endUnixNano = endUnixNano
        self.attributes = attributes
        self.events = events
        self.status = status
    }

    /// The value of attribute `key`, if set.
    public func attribute(_ key: String) -> OTelAttribute.Value? {
        attributes.last { $0.key == key }?.value
    }
}

/// A key and a value, as spans, events and resources carry them.
public struct OTelAttribute: Sendable, Hashable {
    /// An attribute value (OTLP `AnyValue`, without byte and map values, which we never write).
    public enum Value: Sendable, Hashable {
        case string(String)
        case int(Int64)
        case double(Double)
        case bool(Bool)
        case strings([String])

        public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
        public var intValue: Int64? { if case .int(let i) = self { i } else { nil } }
    }

    public var key: String
    public var value: Value

    public init(_ key: String, _ value: Value) {
        self.key = key
        self.value = value
    }

    public static func string(_ key: String, _ value: String) -> OTelAttribute { OTelAttribute(key, .string(value)) }
    public static func int(_ key: String, _ value: Int) -> OTelAttribute { OTelAttribute(key, .int(Int64(value))) }
}
