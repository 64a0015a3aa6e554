/// A failure of ``CompactMemory``: a ``Code`` (extensible), a message, and the token arithmetic behind it.
public struct MemoryError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Even the smallest request memory can build (system, tools, summary and the last turn, plus the
        /// reserved output) does not fit the model's context window.
        public static let contextOverflow = Code(rawValue: "context_overflow")
    }

    public var code: Code
    public var message: String
    /// Tokens the smallest request needs, reserved output included (estimate).
    public var requiredTokens: Int?
    /// Tokens the model's context window holds.
    public var availableTokens: Int?

    public init(_ code: Code, _ message: String, requiredTokens: Int? = nil, availableTokens: Int? = nil) {
        self.code = code
        self.message = message
        self.requiredTokens = requiredTokens
        self.availableTokens = availableTokens
    }

    /// By how many tokens the request is too large.
    public var excessTokens: Int? {
        guard let requiredTokens, let availableTokens else { return nil }
        return requiredTokens - availableTokens
    }

    public var description: String { "\(code): \(message)" }
}
