import Micro

/// What ``CompactMemory/prepare(state:system:tools:info:options:runID:archive:aggressive:)`` returns: the messages
/// to send, the memory to checkpoint, and what happened on the way.
public struct MemoryPreparation: Sendable, Hashable {
    /// The messages to send: summary and recalled context first (as a user message, or merged into the
    /// first user message), then the verbatim messages.
    public var messages: [Message]
    /// The updated memory to checkpoint (never holds recalled context).
    public var state: MemoryState
    /// What this call compacted, or nil if it did not.
    public var compaction: CompactionReport?
    /// Absolute indices of the archived messages recalled into ``messages``, oldest first.
    public var recalled: [Int]
    /// Estimated input tokens of the request (system, messages, tools), without the reserved output.
    public var estimatedTokens: Int
    /// The input-token budget this call aimed for (the hard limit is the context window less the output).
    public var budget: Int

    public init(
        messages: [Message], state: MemoryState, compaction: CompactionReport?, recalled: [Int],
        estimatedTokens: Int, budget: Int
    ) {
        self.messages = messages
        self.state = state
        self.compaction = compaction
        self.recalled = recalled
        self.estimatedTokens = estimatedTokens
        self.budget = budget
    }
}

/// One compaction: which messages were evicted, how the request shrank, and how the new summary was made.
public struct CompactionReport: Sendable, Hashable {
    /// How the summary was written.
    public enum Method: String, Sendable, Hashable, Codable {
        /// By the summarizer model (``CompactionReport/summarizationRequest`` and `Response` are set).
        case model
        /// By the extractive fallback (no summarizer, or it answered with no text).
        case extractive
    }

    /// Absolute indices of the evicted (and archived) messages.
    public var evicted: Range<Int>
    /// Estimated input tokens of the request before compaction.
    public var tokensBefore: Int
    /// Estimated input tokens after compaction (before any recalled context is added).
    public var tokensAfter: Int
    /// The input-token budget aimed for.
    public var budget: Int
    /// Whether this was an aggressive compaction (after a provider's context-length error).
    public var aggressive: Bool
    /// The new rolling summary.
    public var summary: String
    public var method: Method
    /// The request sent to the summarizer, if one was asked.
    public var summarizationRequest: ModelRequest?
    /// The summarizer's answer, if one was asked.
    public var summarizationResponse: ModelResponse?
    /// Indices whose archive record this compaction wrote (already archived ones are not rewritten).
    public var archived: [Int]

    public init(
        evicted: Range<Int>, tokensBefore: Int, tokensAfter: Int, budget: Int, aggressive: Bool, summary: String,
        method: Method, summarizationRequest: ModelRequest? = nil, summarizationResponse: ModelResponse? = nil,
        archived: [Int] = []
    ) {
        self.evicted = evicted
        self.tokensBefore = tokensBefore
        self.tokensAfter = tokensAfter
        self.budget = budget
        self.aggressive = aggressive
        self.summary = summary
        self.method = method
        self.summarizationRequest = summarizationRequest
        self.summarizationResponse = summarizationResponse
        self.archived = archived
    }
}

extension CompactionReport {
    /// The report as JSON for the trace: the summarization request (model, system, messages, maxTokens)
    /// and response are included in full, so recordings and assertions can see them.
    public var jsonValue: JSONValue {
        var summarization: JSONValue = .null
        if let request = summarizationRequest {
            summarization = [
                "request": [
                    "model": .string(request.model), "system": request.system.map(JSONValue.string) ?? .null,
                    "messages": (try? JSONValueEncoder().encode(request.messages)) ?? .null,
                    "maxTokens": request.options.maxTokens.map(JSONValue.integer) ?? .null,
                ],
                "response": summarizationResponse.flatMap { try? JSONValueEncoder().encode($0) } ?? .null,
            ]
        }
        return [
            "evicted": ["from": .integer(evicted.lowerBound), "to": .integer(evicted.upperBound)],
            "tokensBefore": .integer(tokensBefore), "tokensAfter": .integer(tokensAfter), "budget": .integer(budget),
            "aggressive": .bool(aggressive), "summary": .string(summary), "method": .string(method.rawValue),
            "summarization": summarization, "archived": .array(archived.map(JSONValue.integer)),
        ]
    }
}
