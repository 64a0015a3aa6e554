/// Why ``JSONSchema/derive(from:)`` could not derive a schema: which type, where in the type tree, and what
/// to do about it.
public struct SchemaDerivationError: Error, CustomStringConvertible {
    /// The kind of failure; new codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String

        public init(_ rawValue: String) { self.rawValue = rawValue }

        /// A raw-value enum is not `CaseIterable`, so its cases cannot be listed.
        public static let notCaseIterable = Code("notCaseIterable")
        /// A `CaseIterable` enum has no case.
        public static let emptyEnum = Code("emptyEnum")
        /// The type's `init(from:)` threw on the placeholder values introspection feeds it.
        public static let decodingFailed = Code("decodingFailed")
        /// Introspection needed an instance of the type to go on and could not build one.
        public static let placeholderUnavailable = Code("placeholderUnavailable")
        /// A dictionary's key type is not `String`, `Int` or `CodingKeyRepresentable`.
        public static let unsupportedDictionaryKey = Code("unsupportedDictionaryKey")
        /// `SchemaDescribing.fieldDescriptions` names a member the schema does not have.
        public static let unknownFieldDescription = Code("unknownFieldDescription")

        public var description: String { rawValue }
    }

    public var code: Code
    /// The type that failed, as `String(describing:)` prints it.
    public var typeName: String
    /// Where the type sits below the derived root: `$`, `$.trip.legs[*].from`, `$.scores.*` (dictionary values).
    public var codingPath: String
    /// What went wrong and how to fix it.
    public var message: String
    /// The error the type's own code threw, if any.
    public var underlyingError: (any Error)?

    public init(code: Code, typeName: String, codingPath: String, message: String, underlyingError: (any Error)? = nil) {
        self.code = code
        self.typeName = typeName
        self.codingPath = codingPath
        self.message = message
        self.underlyingError = underlyingError
    }

    public var description: String {
        "cannot derive a JSON Schema for \(typeName) at \(codingPath): \(message)"
    }
}
