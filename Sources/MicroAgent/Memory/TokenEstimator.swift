import Micro

/// Estimates how many tokens a request will take, so memory can stay within a model's context window
/// without calling a tokenizer.
///
/// The standard estimate is documented and deliberately conservative: one token per 4 UTF-8 bytes of text
/// (rounded up), plus 4 tokens of framing per message and per part, plus the JSON of every tool spec and
/// tool argument or result counted as text. Real tokenizers give about 3.5 to 4.5 bytes per token on
/// English and JSON, so the estimate errs towards compacting early rather than overflowing. Adapters may
/// plug in a model-specific estimate through ``init(bytesPerToken:overheadPerMessage:)`` or a closure.
public struct TokenEstimator: Sendable {
    private let countText: @Sendable (String) -> Int
    private let overheadPerMessage: Int
    /// Set for byte-based estimators: JSON is then sized without being written out.
    private let bytesPerToken: Int?

    /// An estimator that counts `bytesPerToken` UTF-8 bytes as one token.
    public init(bytesPerToken: Int = 4, overheadPerMessage: Int = 4) {
        precondition(bytesPerToken > 0, "bytesPerToken must be positive")
        self.countText = { ($0.utf8.count + bytesPerToken - 1) / bytesPerToken }
        self.overheadPerMessage = overheadPerMessage
        self.bytesPerToken = bytesPerToken
    }

    /// An estimator with a custom text counter (for example a real tokenizer).
    public init(overheadPerMessage: Int = 4, countText: @escaping @Sendable (String) -> Int) {
        self.countText = countText
        self.overheadPerMessage = overheadPerMessage
        self.bytesPerToken = nil
    }

    /// Tokens of `value` as canonical JSON text.
    public func count(_ value: JSONValue) -> Int {
        guard let bytesPerToken else { return count(value.canonicalString()) }
        return (value.approximateCanonicalByteCount + bytesPerToken - 1) / bytesPerToken
    }

    public static let standard = TokenEstimator()

    public func count(_ text: String) -> Int { countText(text) }

    public func count(_ message: Message) -> Int {
        message.parts.reduce(overheadPerMessage) { total, part in
            total + overheadPerMessage
                + {
                    switch part {
                    case .text(let text): count(text)
                    case .reasoning(let reasoning):
                        count(reasoning.text) + count(reasoning.signature ?? "") + count(reasoning.redactedData ?? "")
                    case .toolCall(let call): count(call.name) + count(call.arguments) + count(call.id)
                    case .toolResult(let result): count(result.content) + count(result.callID)
                    }
                }()
        }
    }

    public func count(_ messages: [Message]) -> Int { messages.reduce(0) { $0 + count($1) } }

    /// Tokens of the whole request: system text, messages and tool specs (not the reserved output).
    public func count(_ request: ModelRequest) -> Int {
        count(request.system ?? "") + count(request.messages)
            + request.tools.reduce(0) { $0 + overheadPerMessage + count($1.canonicalJSON) }
    }
}
