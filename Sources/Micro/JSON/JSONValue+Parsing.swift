extension JSONValue {
    /// The deepest nesting of arrays and objects that parsing accepts; deeper input is an error.
    public static let maximumParsingDepth = 512

    /// Parses a complete JSON text (RFC 8259, strict).
    ///
    /// Integers that fit in `Int` become ``integer(_:)``; numbers with a fraction or an exponent, and integers
    /// too large for `Int`, become ``number(_:)``. Duplicate object keys: the last one wins. Rejected: leading
    /// zeros, `NaN`/`Infinity`, numbers beyond `Double`'s range, trailing commas, unescaped control characters
    /// and lone surrogates in strings, invalid UTF-8, a byte order mark, anything after the value, and nesting
    /// deeper than ``maximumParsingDepth``.
    public init(parsing text: String) throws(JSONParseError) {
        var text = text
        self = try text.withUTF8 { JSONParser.parse($0) }.get()
    }

    /// Parses a complete JSON text from UTF-8 bytes (`[UInt8]`, `Data`, `UnsafeRawBufferPointer`, …);
    /// contiguous storage is read in place. Same rules as parsing a `String`.
    public init(parsing bytes: some Collection<UInt8>) throws(JSONParseError) {
        let result =
            bytes.withContiguousStorageIfAvailable { JSONParser.parse($0) }
            ?? Array(bytes).withUnsafeBufferPointer { JSONParser.parse($0) }
        self = try result.get()
    }
}
