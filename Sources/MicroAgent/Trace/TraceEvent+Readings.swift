import Micro

/// Typed readings of the data the runtime writes into events, so readers never spell data keys.
extension TraceEvent {
    /// A `tool_call` event's tool and arguments.
    public var toolCall: (name: String, arguments: JSONValue)? {
        guard kind == .toolCall else { return nil }
        return (data["tool"]?.stringValue ?? "", data["arguments"] ?? .null)
    }

    /// A `model_response` event's token usage.
    public var usage: Usage? {
        guard kind == .modelResponse else { return nil }
        return Usage(json: data["usage"] ?? .null)
    }

    /// A `compaction` event's summarizer usage, when a summarizer model was asked.
    public var summarizerUsage: Usage? {
        guard kind == .compaction, let usage = data["summarization"]?["response"]?["usage"] else { return nil }
        return Usage(json: usage)
    }

    /// A `model_request` event's estimated size in tokens.
    public var estimatedTokens: Int? {
        guard kind == .modelRequest else { return nil }
        return data["estimatedTokens"]?.intValue
    }

    /// A `delegation` event's target agent and depth.
    public var delegation: (to: String, depth: Int)? {
        guard kind == .delegation else { return nil }
        return (data["to"]?.stringValue ?? "", data["depth"]?.intValue ?? 0)
    }

    /// A `fault_injected` event's target and kind.
    public var injectedFault: (target: String, kind: String)? {
        guard kind == .faultInjected else { return nil }
        return (data["target"]?.stringValue ?? "", data["kind"]?.stringValue ?? "")
    }

    /// An `approval_requested` event's call and tool.
    public var approvalRequest: (callID: String, tool: String)? {
        guard kind == .approvalRequested else { return nil }
        return (data["callID"]?.stringValue ?? "", data["tool"]?.stringValue ?? "")
    }

    /// An `approval_answered` event's call, tool and decision.
    public var approvalAnswer: (callID: String, tool: String, approved: Bool, edited: Bool)? {
        guard kind == .approvalAnswered else { return nil }
        return (
            data["callID"]?.stringValue ?? "", data["tool"]?.stringValue ?? "", data["approved"]?.boolValue ?? false,
            data["edited"]?.boolValue ?? false
        )
    }

    /// A `tool_denied` event's tool.
    public var deniedTool: String? {
        guard kind == .toolDenied else { return nil }
        return data["tool"]?.stringValue ?? ""
    }

    /// Whether a `resumed` event continues after a crash (rather than answering a question).
    public var isResumeAfterCrash: Bool { kind == .resumed && data["input"] == .null }
}
