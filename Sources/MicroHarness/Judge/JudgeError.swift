/// Why a judge gave no usable verdict: its model failed, or its answer was not the JSON verdict asked for.
public struct JudgeError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The answer holds no JSON object.
        public static let unparseable = Code(rawValue: "unparseable")
        /// The JSON object has neither `pass` nor `score`.
        public static let missingField = Code(rawValue: "missing_field")
        /// A field has the wrong type (`pass` not a boolean, `score` not a number, …).
        public static let invalidField = Code(rawValue: "invalid_field")
        /// The judge's model call failed (a scripted failure, a cassette miss, a provider error).
        public static let modelFailed = Code(rawValue: "model_failed")
    }

    public var code: Code
    /// What was wrong, naming the field when one is.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
