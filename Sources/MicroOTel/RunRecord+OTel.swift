import Micro
import MicroAgent
import MicroHarness

extension RunRecord {
    /// The key the record's trace and span ids derive from: the scenario's name, seed and run id, so a replay
    /// of the same scenario exports the same ids (and a backend shows it as the same trace).
    public var otelTraceKey: String { "\(scenario)\u{0}\(seed)\u{0}\(runID)" }

    /// The record as spans: an `invoke_workflow {scenario}` root above its runs (see ``GenAISpans``), carrying
    /// the scenario's file, seed, crashes, totals and, when given, its checks (one `micro.check` event each;
    /// a failed check, or an error that escaped the run, makes the root's status an error).
    public func otelSpans(checks: [ScenarioOutcome.Check] = [], captureContent: Bool = false) -> [OTelSpan] {
        let first = trace.map(\.at).min()
        let end = first.map { $0.advanced(by: virtualDuration) }
        let endNanos = GenAISpans.nanos(max(end ?? Timestamp(millisecondsSinceEpoch: 0), trace.map(\.at).max() ?? Timestamp(millisecondsSinceEpoch: 0)))
        let usage = totalUsage
        var attributes: [OTelAttribute] = [
            .string("micro.scenario.name", scenario), .string("micro.scenario.file", file), .string("micro.scenario.seed", String(seed)),
            .string("micro.run.id", runID), .int("micro.crashes", crashes),
            .int("micro.virtual_duration_ms", Int(virtualDuration.components.seconds * 1000 + virtualDuration.components.attoseconds / 1_000_000_000_000_000)),
            .int(GenAIConventions.usageInputTokens, usage.total.inputTokens), .int(GenAIConventions.usageOutputTokens, usage.total.outputTokens),
            .int("micro.side_effects", sideEffects.count),
        ]
        // A cost is exported only when every price is known; an unknown cost is left out, never a made-up 0.
        if let cost { attributes.append(OTelAttribute("micro.cost_usd", .double(cost))) }
        if let status = result?.status { attributes.append(.string("micro.run.status", status.rawValue)) }
        var status = OTelSpan.Status.unset
        let failed = checks.filter { !$0.passed }
        if !checks.isEmpty {
            attributes += [.int("micro.checks.passed", checks.count - failed.count), .int("micro.checks.failed", failed.count)]
        }
        if let error {
            status = .error(error)
            attributes.append(.string(GenAIConventions.errorType, "harness_error"))
        } else if let firstFailure = failed.first {
            status = .error("\(failed.count) of \(checks.count) checks failed; first: \(firstFailure.name): \(firstFailure.message)")
            attributes.append(.string(GenAIConventions.errorType, "check_failed"))
        }
        let events = checks.map { check in
            OTelSpan.Event(
                name: "micro.check", timeUnixNano: endNanos,
                attributes: [
                    .string("micro.check.name", check.name), .int("micro.check.line", check.line),
                    OTelAttribute("micro.check.passed", .bool(check.passed)), .string("micro.check.message", check.message),
                ])
        }
        let workflow = GenAISpans.Workflow(name: scenario, attributes: attributes, status: status, events: events, minimumEnd: end)
        return GenAISpans.spans(
            from: trace, traceKey: otelTraceKey, workflow: workflow,
            options: GenAISpans.Options(providers: providers, captureContent: captureContent))
    }
}
