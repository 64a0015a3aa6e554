/// Why a JSON text could not be parsed, and where.
///
/// `line` and `column` are 1-based; lines are separated by LF (so CR LF works too) and the column counts
/// Unicode scalars from the start of the line. `offset` is the 0-based byte offset into the UTF-8 input.
public struct JSONParseError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The 1-based line of the offending byte.
    public var line: Int
    /// The 1-based column (in Unicode scalars) of the offending byte.
    public var column: Int
    /// The 0-based byte offset of the offending byte in the UTF-8 input.
    public var offset: Int
    /// What went wrong, e.g. `expected ',' or '}' after object member`.
    public var message: String

    public init(line: Int, column: Int, offset: Int, message: String) {
        self.line = line
        self.column = column
        self.offset = offset
        self.message = message
    }

    /// `line L, column C: message`.
    public var description: String { "line \(line), column \(column): \(message)" }
}

extension JSONParseError {
    /// An error at byte `offset` of `bytes`, with its line and column computed from the bytes before it.
    init(at offset: Int, in bytes: UnsafeBufferPointer<UInt8>, _ message: String) {
        var line = 1
        var column = 1
        for i in 0..<min(offset, bytes.count) {
            let b = bytes[i]
            if b == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {  // not a UTF-8 continuation byte
                column += 1
            }
        }
        self.init(line: line, column: column, offset: offset, message: message)
    }
}
