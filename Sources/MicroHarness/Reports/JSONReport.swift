import Micro
import MicroAgent

/// Scenario outcomes as one JSON value, for tools and dashboards (`micro test --json`); write it with
/// `canonicalString()` (sorted keys) or `prettyString()`.
///
/// Shape:
/// ```
/// {
///   "summary": {"total": 3, "passed": 2, "failed": 1, "crashes": 1, "faultsInjected": 2,
///               "virtualDurationMs": 61500},
///   "scenarios": [
///     {
///       "file": "Scenarios/crash.yaml", "name": "crash and resume",
///       "passed": true,
///       "status": "completed",            // the run's status; "error" if it threw, "not_run"
///       "output": "Booked." | null,       // the final answer
///       "failure": {"code": "max_steps", "message": "…"} | null,   // why the run failed
///       "error": "…" | null,              // an error that escaped the run (harness or infrastructure)
///       "steps": 3, "crashes": 1, "virtualDurationMs": 61000,
///       "faultsInjected": 1, "traceEvents": 42,
///       "tokens": {"agents": 1200, "summarizer": 300},   // tokens spent, memory summarizers apart
///       "costs": {                        // RunCosts.jsonValue: tokens by kind, USD (null: a price is unknown)
///         "tokens": {"input": 1000, "output": 200, "cached": 0, "summarizer": 300, "judge": 80, "total": 1500},
///         "costUSD": 0.0123 | null, "summarizerCostUSD": 0.0004, "judgeCostUSD": 0.0001 | null,
///         "unpriced": ["planner (scripted/planner)"],
///         "agents": {"planner": {"model": "openai/gpt-4o", "tokens": {…}, "costUSD": …, "summarizerCostUSD": …, "priceSource": "bundled 2026-12-02"}},
///         "judges": [{"id": "expect[2].judge", "model": "scripted/judge", "tokens": 80, "costUSD": …}]
///       },
///       "judges": [{"id": "expect[2].judge", "rubric": "…", "model": "scripted/judge", "pass": true, "score": 0.9,
///                   "reasoning": "…", "error": null}],
///       "checks": [{"name": "status", "line": 12, "passed": true, "message": "…"}]  // line 0: implicit check;
///                                         // scored checks add "scores": {"precision": 1, "recall": 0.5, "f1": 0.67, "threshold": 0.6}
///     }
///   ]
/// }
/// ```
public enum JSONReport {
    /// The report value for `outcomes`, in their order.
    public static func value(_ outcomes: [ScenarioOutcome]) -> JSONValue {
        let passed = outcomes.count(where: \.passed)
        let summary: JSONValue = [
            "total": .integer(outcomes.count), "passed": .integer(passed), "failed": .integer(outcomes.count - passed),
            "crashes": .integer(outcomes.reduce(0) { $0 + $1.crashes }),
            "faultsInjected": .integer(outcomes.reduce(0) { $0 + $1.faultsInjected }),
            "virtualDurationMs": .integer(Int(outcomes.reduce(0) { $0 + $1.virtualDuration.milliseconds })),
        ]
        return ["summary": summary, "scenarios": .array(outcomes.map(scenario))]
    }

    /// One scenario's entry.
    public static func scenario(_ outcome: ScenarioOutcome) -> JSONValue {
        let failure: JSONValue = outcome.result?.failure.map { ["code": .string($0.code), "message": .string($0.message)] } ?? .null
        return [
            "file": .string(outcome.scenario.file), "name": .string(outcome.scenario.name),
            "passed": .bool(outcome.passed), "status": .string(outcome.reportStatus),
            "output": outcome.result?.output.map(JSONValue.string) ?? .null, "failure": failure,
            "error": outcome.error.map(JSONValue.string) ?? .null,
            "steps": .integer(outcome.reportSteps), "crashes": .integer(outcome.crashes),
            "virtualDurationMs": .integer(Int(outcome.virtualDuration.milliseconds)),
            "faultsInjected": .integer(outcome.faultsInjected), "traceEvents": .integer(outcome.trace.count),
            "tokens": [
                "agents": .integer(outcome.record.totalUsage.agents.totalTokens),
                "summarizer": .integer(outcome.record.totalUsage.summarizers.totalTokens),
            ],
            "costs": outcome.record.costs.jsonValue,
            "judges": .array(outcome.record.judgeVerdicts.map { verdict in
                [
                    "id": .string(verdict.id), "rubric": .string(verdict.rubric), "model": .string(verdict.model),
                    "pass": verdict.passed.map(JSONValue.bool) ?? .null, "score": verdict.score.map(JSONValue.number) ?? .null,
                    "reasoning": .string(verdict.reasoning), "error": verdict.error.map { .string($0.description) } ?? .null,
                ]
            }),
            "checks": .array(outcome.checks.map { check in
                var entry: [String: JSONValue] = [
                    "name": .string(check.name), "line": .integer(check.line), "passed": .bool(check.passed),
                    "message": .string(check.message),
                ]
                if !check.scores.isEmpty { entry["scores"] = .object(check.scores.mapValues(JSONValue.number)) }
                return .object(entry)
            }),
        ]
    }
}
