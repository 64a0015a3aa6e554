import Micro

/// How many tokens a provider's tokenizer makes of a request, estimated from the request's size: the
/// provider family's documented characters-per-token figure applied to UTF-8 bytes, rounded up. It needs
/// no tokenizer, and it is independent of the estimate memory plans with (``TokenEstimator``), so that a
/// harness can check what was actually sent against a context window.
///
/// The rules (bytes count as characters, which errs towards more tokens for non-ASCII text):
/// - `anthropic`: 3.5 characters per token (Anthropic's guidance for Claude models);
/// - `gemini`: 4 characters per token (Google's "a token is about four characters");
/// - `openai` and the OpenAI-compatible providers: 4 characters per token (OpenAI's rule of thumb for
///   its BPE tokenizers);
/// - `ollama` (Llama-family and similar BPE tokenizers): 4 characters per token;
/// - ``neutral`` (a model with no wire, sized as canonical JSON): 4 characters per token.
public struct TokenizerRule: Sendable, Hashable, CustomStringConvertible {
    /// The rule's name (the provider family).
    public var name: String
    /// UTF-8 bytes per token.
    public var bytesPerToken: Double

    public init(name: String, bytesPerToken: Double) {
        precondition(bytesPerToken > 0, "bytesPerToken must be positive")
        self.name = name
        self.bytesPerToken = bytesPerToken
    }

    /// Estimated tokens of `bytes` bytes, rounded up.
    public func tokens(bytes: Int) -> Int { Int((Double(bytes) / bytesPerToken).rounded(.up)) }

    public var description: String { "\(name) rule, \(Self.format(bytesPerToken)) bytes per token" }

    public static let anthropic = TokenizerRule(name: "anthropic", bytesPerToken: 3.5)
    public static let gemini = TokenizerRule(name: "gemini", bytesPerToken: 4)
    public static let openAI = TokenizerRule(name: "openai", bytesPerToken: 4)
    public static let ollama = TokenizerRule(name: "ollama", bytesPerToken: 4)
    /// For a model without a wire format (scripted turns, a catalogue backend): its neutral request as
    /// canonical JSON.
    public static let neutral = TokenizerRule(name: "neutral", bytesPerToken: 4)

    /// The rule of a provider of ``ProviderCatalog`` (`anthropic`, `gemini`, `ollama`, or an
    /// OpenAI-compatible one); ``neutral`` for a name it does not know.
    public static func provider(_ name: String) -> TokenizerRule {
        switch name {
        case "anthropic": .anthropic
        case "gemini": .gemini
        case "ollama": .ollama
        default: ProviderCatalog.entry(name) != nil ? .openAI : .neutral
        }
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
