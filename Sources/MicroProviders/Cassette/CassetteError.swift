/// A cassette that cannot be read or written, or a request it cannot answer.
///
/// Load errors name the file and the JSON path of what is wrong (`$.interactions[2].response.status`);
/// parse errors also carry the line and column.
public struct CassetteError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }
        /// The file does not exist.
        public static let fileNotFound = Code(rawValue: "file_not_found")
        /// Reading or writing the file failed.
        public static let io = Code(rawValue: "io")
        /// The file is not valid JSON (see `line`, `column`).
        public static let malformedJSON = Code(rawValue: "malformed_json")
        /// `version` is not one this build reads.
        public static let unsupportedVersion = Code(rawValue: "unsupported_version")
        /// A required member is absent.
        public static let missingField = Code(rawValue: "missing_field")
        /// A member has the wrong type or an invalid value.
        public static let invalidValue = Code(rawValue: "invalid_value")
        /// A base64 string does not decode.
        public static let badBase64 = Code(rawValue: "bad_base64")
        /// No recorded interaction matches the request (or every match was already replayed).
        public static let noMatch = Code(rawValue: "no_match")
        /// Some recorded interactions were never replayed.
        public static let unusedInteractions = Code(rawValue: "unused_interactions")
    }

    public var code: Code
    public var message: String
    /// The cassette file, when known.
    public var file: String?
    /// The JSON path of the offending value, e.g. `$.interactions[0].request.body`.
    public var jsonPath: String?
    /// 1-based position of a JSON syntax error.
    public var line: Int?
    public var column: Int?

    public init(_ code: Code, _ message: String, file: String? = nil, jsonPath: String? = nil, line: Int? = nil, column: Int? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.jsonPath = jsonPath
        self.line = line
        self.column = column
    }

    /// `file:line:column: path: code: message`, leaving out what is unknown.
    public var description: String {
        var location = file ?? ""
        if let line { location += ":\(line)" + (column.map { ":\($0)" } ?? "") }
        var parts: [String] = []
        if !location.isEmpty { parts.append(location) }
        if let jsonPath { parts.append(jsonPath) }
        parts.append("\(code): \(message)")
        return parts.joined(separator: ": ")
    }
}
