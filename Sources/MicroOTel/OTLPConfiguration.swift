import Foundation

/// Where and how to export spans over OTLP/HTTP, from a command-line endpoint and the standard `OTEL_*`
/// environment variables:
///
/// - the endpoint: the given one, else `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (used as it is), else
///   `OTEL_EXPORTER_OTLP_ENDPOINT` (with `/v1/traces` appended). A given endpoint without a path gets
///   `/v1/traces` too; one with a path is used as it is;
/// - headers: `OTEL_EXPORTER_OTLP_HEADERS`, then `OTEL_EXPORTER_OTLP_TRACES_HEADERS` (`key=value,…`, values
///   percent-decoded), e.g. an API key for a hosted backend;
/// - the timeout of one request: `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT` or `OTEL_EXPORTER_OTLP_TIMEOUT` (ms,
///   default 10 000);
/// - the resource: `OTEL_RESOURCE_ATTRIBUTES`, and `service.name` from `OTEL_SERVICE_NAME` (default `micro`).
///
/// The body is always OTLP/JSON (`http/json`); a protocol variable asking for `grpc` is an error, one asking
/// for `http/protobuf` is accepted because OTLP/HTTP receivers take both encodings on the same path.
public struct OTLPConfiguration: Sendable, Hashable {
    /// The full URL spans are posted to (`…/v1/traces`).
    public var tracesURL: String
    public var headers: [Header]
    public var timeout: Duration
    public var resource: [OTelAttribute]

    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(tracesURL: String, headers: [Header] = [], timeout: Duration = .seconds(10), resource: [OTelAttribute] = Self.defaultResource()) {
        self.tracesURL = tracesURL
        self.headers = headers
        self.timeout = timeout
        self.resource = resource
    }

    /// `service.name` and the telemetry SDK's name and language.
    public static func defaultResource(serviceName: String = "micro") -> [OTelAttribute] {
        [.string("service.name", serviceName), .string("telemetry.sdk.name", "micro"), .string("telemetry.sdk.language", "swift")]
    }

    /// The configuration `endpoint` (a command-line option) and `environment` ask for, or nil when neither
    /// names an endpoint (nothing to export).
    public static func resolve(
        endpoint: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(OTLPConfigurationError) -> OTLPConfiguration? {
        let url: String
        if let endpoint {
            try check(endpoint, source: "--otlp-endpoint")
            url = URLComponents(string: endpoint).map { $0.path.isEmpty || $0.path == "/" } == true ? appendingTracesPath(endpoint) : endpoint
        } else if let traces = nonEmpty(environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]) {
            try check(traces, source: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
            url = traces
        } else if let base = nonEmpty(environment["OTEL_EXPORTER_OTLP_ENDPOINT"]) {
            try check(base, source: "OTEL_EXPORTER_OTLP_ENDPOINT")
            url = appendingTracesPath(base)
        } else {
            return nil
        }
        for name in ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"] {
            guard let value = nonEmpty(environment[name]) else { continue }
            guard value == "http/json" || value == "http/protobuf" else {
                throw OTLPConfigurationError(
                    source: name, message: "protocol \(value) is not supported: micro exports OTLP/HTTP with JSON bodies (http/json)")
            }
            break
        }
        var headers: [Header] = []
        for name in ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"] {
            for header in try pairs(environment[name] ?? "", source: name) {
                headers.removeAll { $0.name.lowercased() == header.name.lowercased() }
                headers.append(header)
            }
        }
        var timeout = Duration.seconds(10)
        for name in ["OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT"] {
            guard let value = nonEmpty(environment[name]) else { continue }
            guard let milliseconds = Int(value), milliseconds > 0 else {
                throw OTLPConfigurationError(source: name, message: "\(value) is not a positive number of milliseconds")
            }
            timeout = .milliseconds(milliseconds)
            break
        }
        var resource: [OTelAttribute] = []
        for pair in try pairs(environment["OTEL_RESOURCE_ATTRIBUTES"] ?? "", source: "OTEL_RESOURCE_ATTRIBUTES") {
            resource.removeAll { $0.key == pair.name }
            resource.append(.string(pair.name, pair.value))
        }
        let service = nonEmpty(environment["OTEL_SERVICE_NAME"]) ?? resource.first { $0.key == "service.name" }?.value.stringValue ?? "micro"
        let defaults = defaultResource(serviceName: service)
        resource.removeAll { attribute in defaults.contains { $0.key == attribute.key } }
        return OTLPConfiguration(tracesURL: url, headers: headers, timeout: timeout, resource: defaults + resource)
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    private static func appendingTracesPath(_ base: String) -> String {
        (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/v1/traces"
    }

    private static func check(_ url: String, source: String) throws(OTLPConfigurationError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            throw OTLPConfigurationError(source: source, message: "\(url) is not an http:// or https:// URL with a host")
        }
    }

    /// `key=value,key2=value2`, values percent-decoded; blank members are skipped.
    private static func pairs(_ text: String, source: String) throws(OTLPConfigurationError) -> [Header] {
        var result: [Header] = []
        for member in text.split(separator: ",") {
            let trimmed = member.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let equals = trimmed.firstIndex(of: "="), equals != trimmed.startIndex else {
                throw OTLPConfigurationError(source: source, message: "\"\(trimmed)\" is not key=value")
            }
            let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces)
            let raw = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard let value = raw.removingPercentEncoding else {
                throw OTLPConfigurationError(source: source, message: "the value of \(key) is not valid percent-encoding")
            }
            result.append(Header(key, value))
        }
        return result
    }
}

/// An OTLP setting that cannot be used; `source` names the option or environment variable.
public struct OTLPConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var source: String
    public var message: String
    public var description: String { "\(source): \(message)" }
}
