import MicroOTel
import Testing

/// The endpoint, headers, timeout and resource from an option and the standard `OTEL_*` variables.
@Suite struct OTLPConfigurationTests {
    @Test(arguments: [
        // (option, environment, expected URL)
        (nil, [:], nil),
        ("http://collector:4318", [:], "http://collector:4318/v1/traces"),
        ("http://collector:4318/", [:], "http://collector:4318/v1/traces"),
        ("https://api.example.com/otlp/v1/traces", [:], "https://api.example.com/otlp/v1/traces"),
        (nil, ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:4318/"], "http://a:4318/v1/traces"),
        (nil, ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:4318/base"], "http://a:4318/base/v1/traces"),
        (nil, ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:4318", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://b:9/custom"], "http://b:9/custom"),
        ("http://flag:1", ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://b:9/custom"], "http://flag:1/v1/traces"),
    ] as [(String?, [String: String], String?)])
    func theEndpointComesFromTheOptionThenTheTracesVariableThenTheBaseVariable(option: String?, environment: [String: String], url: String?) throws {
        #expect(try OTLPConfiguration.resolve(endpoint: option, environment: environment)?.tracesURL == url)
    }

    @Test func headersTimeoutAndResourceComeFromTheEnvironment() throws {
        let configuration = try #require(try OTLPConfiguration.resolve(endpoint: "http://c:4318", environment: [
            "OTEL_EXPORTER_OTLP_HEADERS": "x-api-key=abc, x-team=one",
            "OTEL_EXPORTER_OTLP_TRACES_HEADERS": "X-Team=two%20and%20three",
            "OTEL_EXPORTER_OTLP_TIMEOUT": "2500",
            "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=ci,service.name=ignored",
            "OTEL_SERVICE_NAME": "travel-tests",
        ]))
        #expect(configuration.headers == [.init("x-api-key", "abc"), .init("X-Team", "two and three")])
        #expect(configuration.timeout == .milliseconds(2500))
        #expect(configuration.resource.first { $0.key == "service.name" }?.value == .string("travel-tests"))
        #expect(configuration.resource.filter { $0.key == "service.name" }.count == 1)
        #expect(configuration.resource.contains(.string("deployment.environment", "ci")))
    }

    @Test(arguments: [
        ("ftp://c:21", [:], "--otlp-endpoint: ftp://c:21 is not an http:// or https:// URL with a host"),
        (nil, ["OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"], "OTEL_EXPORTER_OTLP_ENDPOINT: collector:4318 is not an http:// or https:// URL with a host"),
        ("http://c:4318", ["OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"], "OTEL_EXPORTER_OTLP_PROTOCOL: protocol grpc is not supported: micro exports OTLP/HTTP with JSON bodies (http/json)"),
        ("http://c:4318", ["OTEL_EXPORTER_OTLP_TRACES_HEADERS": "novalue"], "OTEL_EXPORTER_OTLP_TRACES_HEADERS: \"novalue\" is not key=value"),
        ("http://c:4318", ["OTEL_EXPORTER_OTLP_TRACES_TIMEOUT": "soon"], "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: soon is not a positive number of milliseconds"),
    ] as [(String?, [String: String], String)])
    func badSettingsAreErrorsNamingTheirSource(option: String?, environment: [String: String], message: String) {
        #expect(throws: OTLPConfigurationError.self) { try OTLPConfiguration.resolve(endpoint: option, environment: environment) }
        do {
            _ = try OTLPConfiguration.resolve(endpoint: option, environment: environment)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func httpProtobufIsAcceptedBecauseReceiversTakeJSONOnTheSamePath() throws {
        let configuration = try OTLPConfiguration.resolve(endpoint: "http://c:4318", environment: ["OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"])
        #expect(configuration?.tracesURL == "http://c:4318/v1/traces")
    }
}
