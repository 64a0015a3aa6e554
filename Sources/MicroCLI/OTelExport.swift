import ArgumentParser
import Foundation
import MicroHarness
import MicroOTel
import MicroProviders

/// The OpenTelemetry options `micro test` and `micro export-otel` share.
struct OTelOptions: ParsableArguments {
    @Option(
        name: .customLong("otlp-endpoint"),
        help: """
            Export each run as OpenTelemetry spans (GenAI conventions) to this OTLP/HTTP receiver (e.g. \
            http://127.0.0.1:4318; /v1/traces is added to a URL without a path). Default: \
            OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, then OTEL_EXPORTER_OTLP_ENDPOINT.
            """)
    var endpoint: String?
    @Flag(
        name: .customLong("otlp-content"),
        help: "Put prompts, answers, tool arguments and results into the spans (left out by default).")
    var captureContent = false
    @Option(name: .customLong("otlp-attempts"), help: "Tries per export when the receiver cannot be reached or is busy.")
    var attempts = 3

    /// The resolved configuration, or nil when no endpoint is set; a bad setting is a validation error.
    func configuration() throws -> OTLPConfiguration? {
        do {
            return try OTLPConfiguration.resolve(endpoint: endpoint)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}

/// Sends run records to an OTLP receiver, one request per record.
enum OTelExport {
    /// Exports each record (with its checks) and returns the failures; after a receiver that cannot be
    /// reached, the records left are not tried (each would wait through the same retries).
    static func export(
        _ records: [(record: RunRecord, checks: [ScenarioOutcome.Check])], configuration: OTLPConfiguration, options: OTelOptions,
        transport: any HTTPTransport = CurlTransport()
    ) async -> [String] {
        let exporter = OTLPExporter(configuration: configuration, transport: transport, maxAttempts: options.attempts)
        let captureContent = options.captureContent
        var failures: [String] = []
        for (index, item) in records.enumerated() {
            let spans = item.record.otelSpans(checks: item.checks, captureContent: captureContent)
            do {
                try await exporter.export(OTLPTraceRequest(resource: configuration.resource, spans: spans))
            } catch {
                failures.append("\(item.record.scenario): \(error)")
                if error.code == .unreachable || error.code == .timedOut || error.code == .cancelled {
                    let left = records.count - index - 1
                    if left > 0 { failures.append("\(left) more run(s) not exported: the receiver at \(configuration.tracesURL) is not answering") }
                    break
                }
            }
        }
        return failures
    }
}
