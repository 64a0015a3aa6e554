import Micro
import MicroAgent

/// One-line descriptions of trace events, for report listings and tooltips.
enum TraceEventText {
    /// What `event` says, in a line: the tool and its arguments, the model's answer, the fault, and so on.
    static func summary(_ event: TraceEvent) -> String {
        let data = event.data
        func text(_ key: String) -> String? {
            guard let value = data[key], !value.isNull else { return nil }
            return value.stringValue ?? value.canonicalString()
        }
        let parts: [String?]
        switch event.kind {
        case .runStarted: parts = [text("input").map { "input: \($0)" }, text("parent").map { "parent \($0)" }]
        case .modelRequest:
            parts = [text("model"), text("messageCount").map { "\($0) messages" }, text("estimatedTokens").map { "~\($0) tokens" },
                     text("attempt").map { "attempt \($0)" }]
        case .modelResponse:
            let content = data["message"].map(messageText) ?? ""
            parts = [text("stopReason"), content.isEmpty ? nil : content]
        case .modelError: parts = [text("code"), text("status").map { "HTTP \($0)" }, text("message"), text("retryAfterMs").map { "retry after \($0) ms" }]
        case .modelRetry: parts = [text("attempt").map { "attempt \($0)" }, text("delayMs").map { "after \($0) ms" }]
        case .toolCall: parts = [text("tool"), data["arguments"]?.canonicalString(), text("attempt").map { "attempt \($0)" }]
        case .toolResult:
            parts = [text("tool"), data["isError"]?.boolValue == true ? "error" : nil, data["content"].map(contentText)]
        case .guardrail: parts = [text("tool"), text("reason")]
        case .approvalRequested:
            parts = [text("tool"), data["arguments"]?.canonicalString(), text("rule").map { "rule \($0)" }, text("problem")]
        case .approvalAnswered:
            parts = [
                text("tool"), data["approved"]?.boolValue == true ? "approved" : "denied",
                data["edited"]?.boolValue == true ? "edited: \(data["arguments"]?.canonicalString() ?? "")" : nil, text("reason"),
            ]
        case .toolDenied: parts = [text("tool"), "denied by policy", text("rule").map { "rule \($0)" }]
        case .deadlineExceeded:
            let deadline = data["deadline"]
            parts = [
                deadline?["kind"]?.stringValue.map { "\($0) deadline" }, deadline?["limitMs"]?.intValue.map { "of \($0) ms" },
                deadline?["subject"]?.stringValue,
            ]
        case .delegation: parts = [text("to").map { "to \($0)" }, text("childRunID"), text("task")]
        case .delegationResult: parts = [text("to").map { "from \($0)" }, text("output"), text("failure").map { "failed: \($0)" }]
        case .checkpoint: parts = [text("juncture"), text("sequence").map { "#\($0)" }]
        case .resumed: parts = [text("fromJuncture").map { "from \($0)" }, text("input").map { "input: \($0)" }]
        case .forked:
            parts = [text("parent").map { "fork of \($0)" }, text("sequence").map { "at checkpoint \($0)" }, text("juncture"),
                     text("edit").map { "edit: \($0)" }]
        case .paused: parts = [text("prompt")]
        case .completed: parts = [text("output")]
        case .failed: parts = [text("code"), text("message")]
        case .faultInjected: parts = [text("target"), text("fault") ?? text("kind"), text("tool"), text("topic")]
        case .crashed: parts = [text("juncture").map { "at \($0)" }]
        case .compaction:
            parts = [
                data["evicted"].map { "evicted #\($0["from"]?.intValue ?? 0)–#\(($0["to"]?.intValue ?? 0) - 1)" },
                text("tokensBefore").flatMap { before in text("tokensAfter").map { "~\(before) → ~\($0) tokens" } },
                text("method").map { "summary: \($0)" },
                event.summarizerUsage.map { "summarizer \($0.inputTokens) in + \($0.outputTokens) out tokens" },
            ]
        case .judgeVerdict:
            let verdict = JudgeVerdict(event: event)
            parts = [text("id"), text("model"), verdict?.summary]
        default: parts = [data.objectValue?.isEmpty == true ? nil : data.canonicalString()]
        }
        return ReportText.short(parts.compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " · "), 160)
    }

    /// The text and tool calls of a message value, as the trace stores it.
    private static func messageText(_ message: JSONValue) -> String {
        guard let parts = message["parts"]?.arrayValue else { return "" }
        return parts.compactMap { part -> String? in
            if let text = part["text"]?.stringValue { return text }
            if let call = part["toolCall"], let name = call["name"]?.stringValue {
                return "→ \(name)(\(call["arguments"]?.canonicalString() ?? ""))"
            }
            return nil
        }.joined(separator: " ")
    }

    private static func contentText(_ content: JSONValue) -> String {
        content.stringValue ?? content.canonicalString()
    }
}
