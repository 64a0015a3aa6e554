import Micro

/// The size of one model request as its provider received it, measured by the world when the request was
/// sent (not by memory): the bytes of the body the adapter encoded (or, for a model with no wire, of its
/// neutral request as canonical JSON), the tokens a provider's rule makes of them (``TokenizerRule``), and
/// the context window the request had to fit.
public struct RequestMeasure: Sendable, Hashable, Codable {
    public var runID: String
    public var agent: String
    /// The run's model call the request belongs to (1 for the first); nil for a summarizer's request.
    public var step: Int?
    /// Whether the agent's memory summarizer sent it.
    public var summarizer: Bool
    /// `wire` (the request body the adapter encoded) or `neutral` (the neutral request as canonical JSON).
    public var source: String
    /// The tokenizer rule's name (``TokenizerRule/name``).
    public var rule: String
    public var bytes: Int
    /// Estimated tokens of the request, by ``rule``.
    public var tokens: Int
    /// The model's context window, in tokens.
    public var contextWindow: Int

    public init(
        runID: String, agent: String, step: Int?, summarizer: Bool = false, source: String, rule: String, bytes: Int,
        tokens: Int, contextWindow: Int
    ) {
        self.runID = runID
        self.agent = agent
        self.step = step
        self.summarizer = summarizer
        self.source = source
        self.rule = rule
        self.bytes = bytes
        self.tokens = tokens
        self.contextWindow = contextWindow
    }

    /// `step 3 of run r (planner)` or `the summarizer's request of run r (planner)`.
    public var label: String {
        let who = summarizer ? "the summarizer's request" : "step \(step.map(String.init) ?? "?")"
        return "\(who) of run \(runID) (\(agent))"
    }

    /// `7312 bytes ≈ 2090 tokens (anthropic rule) of a 1600-token window`.
    public var sizeText: String {
        "\(bytes) \(source) bytes ≈ \(tokens) tokens (\(rule) rule) of a \(contextWindow)-token window"
    }
}
