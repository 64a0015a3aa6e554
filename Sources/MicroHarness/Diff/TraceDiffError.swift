/// An input of `micro diff` that cannot be compared: which file, and what was expected of it.
public struct TraceDiffError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The file could not be read.
        public static let unreadable = Code(rawValue: "unreadable")
        /// The file holds nothing.
        public static let empty = Code(rawValue: "empty")
        /// The file is JSON (or JSON lines) of no shape the diff knows.
        public static let unknownFormat = Code(rawValue: "unknown_format")
        /// The file has a known shape but content that does not fit it (a bad trace line, a record of another version).
        public static let invalid = Code(rawValue: "invalid")
    }

    public var code: Code
    public var file: String
    public var message: String

    public init(_ code: Code, file: String, _ message: String) {
        self.code = code
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }

    /// What `micro diff` reads, for messages.
    public static let expected =
        "a Trace (JSON lines, micro run --trace), a run record (micro run --save-record, micro test --save-records), "
        + "scenario results (micro test --json, micro check --json), a checkpoint (micro runs show --json), "
        + "a run list (micro runs list --json) or a run summary (micro run --summary)"
}
