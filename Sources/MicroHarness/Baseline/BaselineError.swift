/// A baseline file (or a tolerance) that cannot be used: what is wrong, in which file and field.
public struct BaselineError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The file cannot be read.
        public static let unreadable = Code(rawValue: "unreadable")
        /// The file is not JSON.
        public static let invalidJSON = Code(rawValue: "invalid_json")
        /// A version this Micro does not read.
        public static let unsupportedVersion = Code(rawValue: "unsupported_version")
        /// A required field is missing.
        public static let missingField = Code(rawValue: "missing_field")
        /// A field has the wrong type or an impossible value.
        public static let invalidField = Code(rawValue: "invalid_field")
        /// A `--tolerance` that is not `N%` or `METRIC=N%`.
        public static let invalidTolerance = Code(rawValue: "invalid_tolerance")
    }

    public var code: Code
    /// The baseline file; empty for a tolerance.
    public var file: String
    /// The field's JSON path (`scenarios["crash and resume"].tokens.input`); empty for the whole file.
    public var field: String
    public var message: String

    public init(_ code: Code, file: String, field: String = "", _ message: String) {
        self.code = code
        self.file = file
        self.field = field
        self.message = message
    }

    public var description: String {
        [file, field, message].filter { !$0.isEmpty }.joined(separator: ": ")
    }
}
