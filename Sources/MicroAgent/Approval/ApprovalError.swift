/// An answer to an approval question that cannot be used: it follows none of the forms ``ApprovalAnswer``
/// understands, or its edited arguments do not match the tool's schema. The run asks again.
public struct ApprovalError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }
        /// The answer is none of approve, deny [reason], or a JSON object of the documented shape.
        public static let unparsableAnswer = Code(rawValue: "unparsable_answer")
        /// The edited arguments do not match the tool's input schema.
        public static let invalidArguments = Code(rawValue: "invalid_arguments")
    }

    public var code: Code
    public var message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { "\(code): \(message)" }
}
