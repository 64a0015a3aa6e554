import Micro

/// One step of a run as ``TraceDiff`` compares it: a model call (request with its response or error), a
/// tool call (call with its result), or another event of the Trace (a delegation, a pause, the end, a fault,
/// a crash, …). Checkpoints are not steps: they follow from the steps around them.
public struct DiffStep: Sendable, Hashable {
    /// Position in its side's steps, from 1.
    public var index: Int
    /// `model_call`, `tool_call`, or the Trace event kind.
    public var kind: String
    public var agent: String
    /// The tool, the delegated agent, the failure code…; empty when none.
    public var name: String
    /// The run's step (model calls made) when it happened, as the Trace numbers it.
    public var runStep: Int
    /// The sequence of its first Trace event; nil when it did not come from a Trace.
    public var sequence: Int?
    /// A tool call's arguments.
    public var arguments: JSONValue?
    /// What else it carries, compared as content: a tool's result, a model's answer, an event's data.
    public var detail: JSONValue
    /// Tokens of a model call, when known.
    public var inputTokens: Int?
    public var outputTokens: Int?
    /// A model call's request size in tokens, as the runtime estimated it.
    public var requestTokens: Int?
    /// Cost in USD of a model call, when the record has the agent's prices.
    public var costUSD: Double?
    /// Virtual milliseconds from a call to its answer, when both are in the Trace.
    public var latencyMs: Int?

    public init(
        index: Int = 0, kind: String, agent: String, name: String = "", runStep: Int = 0, sequence: Int? = nil,
        arguments: JSONValue? = nil, detail: JSONValue = .object([:])
    ) {
        self.index = index
        self.kind = kind
        self.agent = agent
        self.name = name
        self.runStep = runStep
        self.sequence = sequence
        self.arguments = arguments
        self.detail = detail
    }

    /// What alignment compares: the kind, the agent and the name (not arguments or content, so a call made
    /// with other arguments is the same step, changed).
    public var key: String { "\(kind)\u{0}\(agent)\u{0}\(name)" }

    /// Whether the two steps did the same thing (key, arguments and content).
    public func sameContent(as other: DiffStep) -> Bool {
        key == other.key && JSONDiff.changes(arguments, other.arguments).isEmpty && JSONDiff.changes(detail, other.detail).isEmpty
    }

    /// `tool_call travel_hotels_book {"nights":2} (booker, step 2)`, in a line.
    public var summary: String {
        var text = kind
        if !name.isEmpty { text += " \(name)" }
        if let arguments { text += " \(arguments.canonicalString())" }
        if kind == "model_call" {
            let said = Self.modelText(detail)
            if !said.isEmpty { text += " \(said)" }
        }
        return ReportText.short(text + " (\(agent.isEmpty ? "—" : agent), step \(runStep))", 200)
    }

    /// The text and tool calls a model answered with, or its error code.
    static func modelText(_ detail: JSONValue) -> String {
        if let code = detail["error"]?["code"]?.stringValue { return "error \(code)" }
        let parts = detail["response"]?["message"]?["parts"]?.arrayValue ?? []
        return parts.compactMap { part -> String? in
            if let text = part["text"]?.stringValue { return "\"\(text)\"" }
            if let name = part["toolCall"]?["name"]?.stringValue { return "→ \(name)" }
            return nil
        }.joined(separator: " ")
    }

    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "index": .integer(index), "kind": .string(kind), "agent": .string(agent), "name": .string(name),
            "runStep": .integer(runStep), "detail": detail, "summary": .string(summary),
        ]
        if let sequence { object["sequence"] = .integer(sequence) }
        if let arguments { object["arguments"] = arguments }
        if let inputTokens { object["inputTokens"] = .integer(inputTokens) }
        if let outputTokens { object["outputTokens"] = .integer(outputTokens) }
        if let requestTokens { object["requestTokens"] = .integer(requestTokens) }
        if let costUSD { object["costUSD"] = .number(costUSD) }
        if let latencyMs { object["latencyMs"] = .integer(latencyMs) }
        return .object(object)
    }
}
