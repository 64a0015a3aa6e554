import Foundation
import Micro
import MicroAgent

/// Checks a scenario's expectations, and the implicit ones, against the Trace and the world's stores.
struct ExpectationChecker {
    let world: World
    let outcome: ScenarioOutcome
    typealias Check = ScenarioOutcome.Check

    var events: [TraceEvent] { outcome.trace }
    var runID: String { world.scenario.run.runID }

    func checks() async -> [Check] {
        var checks: [Check] = []
        for spec in world.scenario.expectations {
            let (passed, message) = await check(spec.expectation)
            checks.append(Check(name: spec.expectation.name, line: spec.line, passed: passed, message: message))
        }
        return checks + (await implicitChecks())
    }

    // MARK: Implicit checks

    private func implicitChecks() async -> [Check] {
        var checks: [Check] = []
        if let error = outcome.error {
            checks.append(Check(name: "run", line: 0, passed: false, message: "the run threw: \(error)"))
        }
        let declaresEnd = world.scenario.expectations.contains {
            switch $0.expectation {
            case .status, .error: true
            default: false
            }
        }
        if !declaresEnd, let result = outcome.result, result.status != .completed {
            let why = result.failure.map { ": \($0)" } ?? result.inputRequest.map { ": asks \"\($0.prompt)\" and no input is left" } ?? ""
            checks.append(Check(
                name: "status", line: 0, passed: false,
                message: "the run ended \(result.status.rawValue)\(why) (expect status or error when that is intended)"))
        }
        for fault in world.injector.unfired {
            checks.append(Check(
                name: "fault_fired", line: fault.line, passed: false,
                message: "the fault \(fault.label) never fired, so its path was not exercised (mark it optional if that is fine)"))
        }
        do {
            for gap in try await world.checkpointGaps() {
                checks.append(Check(name: "checkpoints", line: 0, passed: false, message: "a gap in the checkpoints of run \(gap)"))
            }
        } catch {
            checks.append(Check(name: "checkpoints", line: 0, passed: false, message: "reading checkpoints failed: \(error)"))
        }
        if outcome.crashes == 0 {
            for unused in world.unusedRecordings {
                checks.append(Check(name: "recordings", line: 0, passed: false, message: "recorded interactions never replayed: \(unused)"))
            }
        }
        return checks
    }

    // MARK: Expectations

    private func check(_ expectation: Expectation) async -> (Bool, String) {
        let result = outcome.result
        switch expectation {
        case .status(let status):
            let actual = result?.status.rawValue ?? "none (the run threw)"
            return (result?.status == status, "status \(actual), expected \(status.rawValue)" + failureSuffix)

        case .output(let match):
            guard let output = result?.output else { return (false, "the run has no output" + failureSuffix) }
            switch match {
            case .equals(let text): return (output == text, "output \(quoted(output)), expected \(quoted(text))")
            case .contains(let text): return (output.contains(text), "output \(quoted(output)), expected it to contain \(quoted(text))")
            case .matches(let pattern):
                let found = output.range(of: pattern, options: .regularExpression) != nil
                return (found, "output \(quoted(output)), expected it to match /\(pattern)/")
            case .json(let path, let expected):
                guard let value = try? JSONValue(parsing: output) else { return (false, "output is not JSON: \(quoted(output))") }
                let actual = JSONPath.value(at: path, in: value)
                return (actual == expected, "\(path) is \(actual?.canonicalString() ?? "missing"), expected \(expected.canonicalString())")
            }

        case .toolCalled(let name, let arguments, let exact, let count):
            let calls = toolCalls.filter { $0.name == name }
            let matching = calls.filter { call in
                guard let arguments else { return true }
                return exact ? call.arguments == arguments : JSONMatch.contains(call.arguments, arguments)
            }
            var message = "\(name) called \(matching.count) time(s)"
            if arguments != nil { message += " with arguments \(exact ? "equal to" : "containing") \(arguments!.canonicalString())" }
            message += ", expected \(count)"
            if matching.count != calls.count || (calls.isEmpty && !toolCalls.isEmpty) {
                message += "; calls made: " + toolCalls.map { "\($0.name)(\($0.arguments.canonicalString()))" }.joined(separator: ", ")
            }
            return (count.contains(Double(matching.count)), message)

        case .toolSequence(let names, let ordered):
            let made = toolCalls.map(\.name)
            let passed: Bool
            if ordered {
                var remaining = names[...]
                for name in made where name == remaining.first { remaining.removeFirst() }
                passed = remaining.isEmpty
            } else {
                passed = names.allSatisfy(made.contains)
            }
            return (passed, "tools called: [\(made.joined(separator: ", "))], expected \(ordered ? "in order" : "in any order"): [\(names.joined(separator: ", "))]")

        case .steps(let bounds):
            let steps = result?.steps ?? 0
            return (bounds.contains(Double(steps)), "\(steps) model call(s), expected \(bounds)")

        case .tokens(let bounds):
            let tokens = usageByAgent.values.reduce(0) { $0 + $1.totalTokens }
            return (bounds.contains(Double(tokens)), "\(tokens) tokens, expected \(bounds)")

        case .cost(let bounds):
            var cost = 0.0
            for (agent, usage) in usageByAgent {
                guard let spec = world.scenario.agent(agent) else { continue }
                cost += Double(usage.inputTokens) * spec.model.inputPrice / 1e6 + Double(usage.outputTokens) * spec.model.outputPrice / 1e6
            }
            return (bounds.contains(cost), "cost $\(String(format: "%.6f", cost)), expected \(bounds)")

        case .checkpoints(let bounds):
            let count = events.filter { $0.kind == .checkpoint && $0.runID == runID }.count
            return (bounds.contains(Double(count)), "\(count) checkpoint(s) committed by run \(runID), expected \(bounds)")

        case .resumedFromStep(let step):
            let resumes = events.filter { $0.kind == .resumed && $0.runID == runID && $0.data["input"] == .null }
            let steps = resumes.map(\.step)
            return (steps.contains(step), "resumed after a crash from step(s) \(steps), expected step \(step)")

        case .compactions(let bounds):
            let count = events.filter { $0.kind == .compaction }.count
            return (bounds.contains(Double(count)), "\(count) compaction(s), expected \(bounds)")

        case .withinContextWindow:
            let windows = world.contextWindows
            let over = events.filter { event in
                guard event.kind == .modelRequest, let window = windows[event.agent],
                    let estimated = event.data["estimatedTokens"]?.intValue
                else { return false }
                return estimated > window
            }
            let largest = events.filter { $0.kind == .modelRequest }.compactMap { $0.data["estimatedTokens"]?.intValue }.max() ?? 0
            return (
                over.isEmpty,
                over.isEmpty
                    ? "every request fits its context window (largest: \(largest) estimated tokens)"
                    : "\(over.count) request(s) exceed the context window, first at trace #\(over[0].sequence)"
            )

        case .delegated(let agent, let depth):
            let delegations = events.filter { $0.kind == .delegation }
            let found = delegations.contains { event in
                event.data["to"]?.stringValue == agent && (depth.map { event.data["depth"]?.intValue == $0 } ?? true)
            }
            let made = delegations.map { "\($0.data["to"]?.stringValue ?? "?") at depth \($0.data["depth"]?.intValue ?? 0)" }
            return (found, "delegations: [\(made.joined(separator: ", "))], expected \(agent)\(depth.map { " at depth \($0)" } ?? "")")

        case .noDuplicateSideEffects:
            do {
                let duplicates = try await world.ledger.duplicates()
                let text = duplicates.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
                return (duplicates.isEmpty, duplicates.isEmpty ? "every side effect happened once" : "duplicated side effects: \(text)")
            } catch {
                return (false, "reading the ledger failed: \(error)")
            }

        case .faultInjected(let target, let kind, let count):
            let fired = events.filter { event in
                event.kind == .faultInjected && (target.map { event.data["target"]?.stringValue == $0.rawValue } ?? true)
                    && (kind.map { event.data["kind"]?.stringValue == $0 } ?? true)
            }
            let what = [target?.rawValue, kind].compactMap { $0 }.joined(separator: " ")
            return (count.contains(Double(fired.count)), "\(fired.count) \(what.isEmpty ? "" : what + " ")fault(s) injected, expected \(count)")

        case .error(let code, let message):
            guard let failure = result?.failure, result?.status == .failed else {
                return (false, "the run did not fail (status \(result?.status.rawValue ?? "none")), expected error \(code)")
            }
            let passed = failure.code == code && (message.map { failure.message.contains($0) } ?? true)
            return (passed, "failed with \(failure.code): \(failure.message); expected \(code)\(message.map { " containing \(quoted($0))" } ?? "")")

        case .goldenTrace(let path):
            let file = world.scenario.resolve(path)
            guard let golden = try? String(contentsOfFile: file, encoding: .utf8) else {
                return (false, "golden trace \(file) is missing; write it with micro test --update-golden")
            }
            if golden == outcome.traceText { return (true, "the trace equals \(path)") }
            let expected = golden.split(separator: "\n", omittingEmptySubsequences: false)
            let actual = outcome.traceText.split(separator: "\n", omittingEmptySubsequences: false)
            let line = zip(expected, actual).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? min(expected.count, actual.count)
            let want = line < expected.count ? String(expected[line]) : "(end)"
            let got = line < actual.count ? String(actual[line]) : "(end)"
            return (false, "the trace differs from \(path) at line \(line + 1):\n  expected: \(want)\n  actual:   \(got)")
        }
    }

    // MARK: Trace readings

    private var toolCalls: [(name: String, arguments: JSONValue)] {
        events.filter { $0.kind == .toolCall }.map { ($0.data["tool"]?.stringValue ?? "", $0.data["arguments"] ?? .null) }
    }

    private var usageByAgent: [String: Usage] {
        events.filter { $0.kind == .modelResponse }.reduce(into: [:]) { totals, event in
            let usage = Usage(
                inputTokens: event.data["usage"]?["inputTokens"]?.intValue ?? 0,
                outputTokens: event.data["usage"]?["outputTokens"]?.intValue ?? 0)
            totals[event.agent] = (totals[event.agent] ?? Usage()) + usage
        }
    }

    private var failureSuffix: String {
        if let failure = outcome.result?.failure { return " (\(failure))" }
        if let error = outcome.error { return " (threw: \(error))" }
        return ""
    }

    private func quoted(_ text: String) -> String {
        let short = text.count > 200 ? String(text.prefix(200)) + "…" : text
        return "\"\(short)\""
    }
}

/// A minimal JSONPath: `$`, `.key`, `['key']` and `[index]`.
enum JSONPath {
    static func value(at path: String, in root: JSONValue) -> JSONValue? {
        var current: JSONValue? = root
        var rest = Substring(path)
        if rest.hasPrefix("$") { rest = rest.dropFirst() }
        while !rest.isEmpty, let value = current {
            if rest.hasPrefix(".") {
                rest = rest.dropFirst()
                let end = rest.firstIndex { $0 == "." || $0 == "[" } ?? rest.endIndex
                current = value[String(rest[..<end])]
                rest = rest[end...]
            } else if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]") else { return nil }
                let inner = rest[rest.index(after: rest.startIndex)..<close]
                if let index = Int(inner) {
                    current = value[index]
                } else {
                    current = value[String(inner.trimmingCharacters(in: CharacterSet(charactersIn: "'\"")))]
                }
                rest = rest[rest.index(after: close)...]
            } else {
                return nil
            }
        }
        return current
    }
}
