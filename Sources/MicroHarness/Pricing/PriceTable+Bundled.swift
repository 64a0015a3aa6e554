extension PriceTable {
    /// The date the bundled prices were compiled, also each bundled price's ``RunRecord/Price/source``.
    public static let bundledDate = "2026-12-02"

    /// List prices of common models, in USD per million tokens: standard (not batch) rates, text input,
    /// prompts under each provider's long-context threshold, cache reads as `cached` (cache writes are billed
    /// as input).
    ///
    /// Sources, as read on 2026-12-02 (compiled offline from those pages, not fetched by the build; prices
    /// change, so check them before relying on a figure, and override with a scenario's `prices:` block or
    /// `micro test --prices FILE`):
    /// - Anthropic: https://platform.claude.com/docs/en/about-claude/pricing (and each model's page);
    /// - OpenAI: https://platform.openai.com/docs/pricing;
    /// - Google Gemini API: https://ai.google.dev/gemini-api/docs/pricing (paid tier, prompts ≤ 200k tokens).
    ///
    /// Models of the OpenAI-compatible providers (Groq, Mistral, Together, …) and Ollama are not listed: their
    /// costs are unknown unless a table gives them.
    public static let bundled: PriceTable = {
        let source = "bundled \(bundledDate)"
        func price(_ input: Double, _ output: Double, cached: Double?) -> RunRecord.Price {
            RunRecord.Price(input: input, output: output, cached: cached, source: source)
        }
        return PriceTable([
            // Anthropic
            "anthropic/claude-opus-5": price(5, 25, cached: 0.50),
            "anthropic/claude-sonnet-5": price(2, 10, cached: 0.20),
            "anthropic/claude-opus-4-5": price(5, 25, cached: 0.50),
            "anthropic/claude-opus-4-1": price(15, 75, cached: 1.50),
            "anthropic/claude-opus-4": price(15, 75, cached: 1.50),
            "anthropic/claude-sonnet-4-5": price(3, 15, cached: 0.30),
            "anthropic/claude-sonnet-4": price(3, 15, cached: 0.30),
            "anthropic/claude-haiku-4-5": price(1, 5, cached: 0.10),
            "anthropic/claude-3-5-haiku": price(0.80, 4, cached: 0.08),
            // OpenAI
            "openai/gpt-5": price(1.25, 10, cached: 0.125),
            "openai/gpt-5-mini": price(0.25, 2, cached: 0.025),
            "openai/gpt-5-nano": price(0.05, 0.40, cached: 0.005),
            "openai/gpt-4.1": price(2, 8, cached: 0.50),
            "openai/gpt-4.1-mini": price(0.40, 1.60, cached: 0.10),
            "openai/gpt-4.1-nano": price(0.10, 0.40, cached: 0.025),
            "openai/gpt-4o": price(2.50, 10, cached: 1.25),
            "openai/gpt-4o-mini": price(0.15, 0.60, cached: 0.075),
            "openai/o3": price(2, 8, cached: 0.50),
            "openai/o4-mini": price(1.10, 4.40, cached: 0.275),
            // Google Gemini API
            "gemini/gemini-2.5-pro": price(1.25, 10, cached: 0.125),
            "gemini/gemini-2.5-flash": price(0.30, 2.50, cached: 0.03),
            "gemini/gemini-2.5-flash-lite": price(0.10, 0.40, cached: 0.01),
            "gemini/gemini-2.0-flash": price(0.10, 0.40, cached: 0.025),
        ])
    }()
}
