import Foundation
import Micro

extension TraceDiff {
    /// The diff as one JSON value (`micro diff --json`); write it with `canonicalString()` or `prettyString()`
    /// (both sort keys).
    ///
    /// Shape: `{"identical", "a": {"file", "format"}, "b": {…}, "onlyInA": [names], "onlyInB": [names],
    /// "runs": [{"name", "identical", "comparedSteps", "firstDivergence": {"operation", "aIndex", "bIndex", "a",
    /// "b"} | null, "counts": {"same", "changed", "added", "dropped"}, "steps": [{"operation", "a", "b",
    /// "argumentChanges", "detailChanges", "metricChanges"}], "toolCalls": [{"tool", "aIndex", "bIndex",
    /// "argumentChanges": [{"path", "old", "new"}]}], "metrics": [{"aIndex", "bIndex", "kind", "changes":
    /// [{"name", "old", "new"}]}], "sideEffects": {"added", "dropped", "changed"} | null, "facts": [{"path",
    /// "old", "new"}]}]}`. A step is `{"index", "kind", "agent", "name", "runStep", "sequence", "arguments",
    /// "detail", "summary", "inputTokens", "outputTokens", "costUSD", "latencyMs"}` (absent fields unknown).
    public var json: JSONValue {
        [
            "identical": .bool(identical),
            "a": ["file": .string(aFile), "format": .string(aFormat.rawValue)],
            "b": ["file": .string(bFile), "format": .string(bFormat.rawValue)],
            "onlyInA": .array(onlyInA.map(JSONValue.string)), "onlyInB": .array(onlyInB.map(JSONValue.string)),
            "runs": .array(runs.map(\.json)),
        ]
    }
}

extension TraceDiff.RunDiff {
    public var json: JSONValue {
        let counts: JSONValue = [
            "same": .integer(entries.count { $0.operation == .same }), "changed": .integer(changed.count),
            "added": .integer(added.count), "dropped": .integer(dropped.count),
        ]
        return [
            "name": .string(name), "identical": .bool(identical), "comparedSteps": .bool(comparedSteps),
            "firstDivergence": firstDivergence.map { divergence -> JSONValue in
                [
                    "operation": .string(divergence.operation.rawValue), "aIndex": .integer(divergence.aIndex),
                    "bIndex": .integer(divergence.bIndex), "a": divergence.a?.json ?? .null, "b": divergence.b?.json ?? .null,
                ]
            } ?? .null,
            "counts": counts,
            "steps": .array(entries.map(\.json)),
            "toolCalls": .array(toolCallChanges.map { entry -> JSONValue in
                [
                    "tool": .string(entry.a?.name ?? ""), "aIndex": .integer(entry.a?.index ?? 0), "bIndex": .integer(entry.b?.index ?? 0),
                    "argumentChanges": .array(entry.argumentChanges.map(\.json)),
                ]
            }),
            "metrics": .array(metricChanges.map { entry -> JSONValue in
                [
                    "kind": .string(entry.a?.kind ?? ""), "aIndex": .integer(entry.a?.index ?? 0), "bIndex": .integer(entry.b?.index ?? 0),
                    "changes": .array(entry.metricChanges.map(\.json)),
                ]
            }),
            "sideEffects": sideEffects.map(\.json) ?? .null,
            "facts": .array(facts.map(\.json)),
        ]
    }
}

extension TraceDiff.Entry {
    public var json: JSONValue {
        [
            "operation": .string(operation.rawValue), "a": a?.json ?? .null, "b": b?.json ?? .null,
            "argumentChanges": .array(argumentChanges.map(\.json)), "detailChanges": .array(detailChanges.map(\.json)),
            "metricChanges": .array(metricChanges.map(\.json)),
        ]
    }
}

extension TraceDiff.MetricChange {
    public var json: JSONValue { ["name": .string(name), "old": .number(old), "new": .number(new)] }

    /// `latencyMs 0 → 250`, `costUSD 0.000120 → 0.000150`.
    public var text: String {
        func format(_ value: Double) -> String {
            name == "costUSD" ? "$" + String(format: "%.6f", value) : Bounds.format(value)
        }
        return "\(name) \(format(old)) → \(format(new))"
    }
}

extension TraceDiff.SideEffectChanges {
    public var json: JSONValue {
        func effect(_ effect: SideEffect) -> JSONValue {
            [
                "kind": .string(effect.kind), "key": .string(effect.key), "occurrence": .integer(effect.occurrence),
                "payload": effect.payload,
            ]
        }
        return [
            "added": .array(added.map(effect)), "dropped": .array(dropped.map(effect)),
            "changed": .array(changed.map { change -> JSONValue in
                [
                    "kind": .string(change.old.kind), "key": .string(change.old.key), "occurrence": .integer(change.old.occurrence),
                    "changes": .array(change.changes.map(\.json)),
                ]
            }),
        ]
    }
}
