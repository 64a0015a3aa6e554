import ArgumentParser
import Foundation
import MicroHarness
import MicroOTel

/// `micro export-otel`: sends saved run records to an OpenTelemetry receiver, or writes the OTLP/JSON.
struct ExportOTelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-otel",
        abstract: "Export saved run records (micro test --save-records) as OpenTelemetry spans over OTLP/HTTP.",
        discussion: """
            Each record becomes one trace: an invoke_workflow span for the scenario, invoke_agent spans for its runs \
            (sub-agents under the delegate call that started them), chat spans for model calls and execute_tool \
            spans for tool calls, with the recorded (virtual) times; checkpoints, faults, crashes and resumes are \
            span events. Ids derive from the scenario, seed and run id, so a replay exports the same trace. \
            With --out, writes the OTLP/JSON request bodies (one per line) instead of sending them. \
            Exits 1 when an export fails, 2 when a record cannot be read.
            """
    )

    @Argument(help: "Run record files.") var records: [String]
    @OptionGroup var otel: OTelOptions
    @Option(help: "Write the OTLP/JSON requests to this file (one per line) instead of sending them.") var out: String?

    func run() async throws {
        let console = Console.current
        let configuration = try otel.configuration()
        guard configuration != nil || out != nil else {
            throw ValidationError("give --otlp-endpoint, --out, or set OTEL_EXPORTER_OTLP_ENDPOINT")
        }
        var loaded: [RunRecord] = []
        for file in records {
            do {
                loaded.append(try RunRecord.load(file: file))
            } catch {
                console.err("error: \(error)")
                throw ExitCode(2)
            }
        }
        if let out {
            let resource = configuration?.resource ?? OTLPConfiguration.defaultResource()
            let lines = loaded.map { record in
                OTLPTraceRequest(resource: resource, spans: record.otelSpans(captureContent: otel.captureContent)).jsonValue.canonicalString() + "\n"
            }
            try lines.joined().write(toFile: out, atomically: true, encoding: .utf8)
            console.out("wrote \(loaded.count) trace(s) to \(out)")
            return
        }
        guard let configuration else { return }
        let failures = await OTelExport.export(
            loaded.map { ($0, []) }, configuration: configuration, options: otel)
        for failure in failures { console.err("error: \(failure)") }
        if !failures.isEmpty { throw ExitCode(1) }
        console.out("exported \(loaded.count) trace(s) to \(configuration.tracesURL)")
    }
}
