import Micro

/// A line of newline-delimited JSON that is not valid JSON.
public struct NDJSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The 1-based line number in the stream.
    public var line: Int
    /// The parser's complaint, with its position in the line.
    public var underlying: JSONParseError
    /// The start of the offending line (at most 200 bytes).
    public var excerpt: String

    public var description: String { "NDJSON line \(line): \(underlying) in \"\(excerpt)\"" }
}

/// Reads newline-delimited JSON (one value per line, as Ollama streams) from byte chunks split anywhere.
///
/// Lines end with LF (a CR before it is dropped); blank lines are skipped. At the end of the stream call
/// ``finish(_:)`` to parse a last line that has no newline. A line larger than ``maximumLineSize`` throws
/// ``StreamLimitError``.
public struct NDJSONReader: Sendable {
    private var partial: [UInt8] = []
    private var lineNumber = 0
    /// The largest line accepted (default 16 MiB).
    public let maximumLineSize: Int

    public init(maximumLineSize: Int = SSEParser.defaultMaximumEventSize) {
        self.maximumLineSize = max(1, maximumLineSize)
    }

    /// Parses the complete lines in `chunk`, calling `emit` with each value in order.
    public mutating func read<C: Collection<UInt8>>(_ chunk: C, _ emit: (JSONValue) throws -> Void) throws {
        var start = chunk.startIndex
        var index = start
        while index != chunk.endIndex {
            if chunk[index] == 0x0A {
                if partial.count + chunk.distance(from: start, to: index) > maximumLineSize {
                    throw StreamLimitError("an NDJSON line", limit: maximumLineSize)
                }
                if partial.isEmpty {
                    try parseLine(chunk[start..<index], emit)
                } else {
                    partial.append(contentsOf: chunk[start..<index])
                    let whole = partial
                    partial.removeAll(keepingCapacity: true)
                    try parseLine(whole[...], emit)
                }
                start = chunk.index(after: index)
            }
            index = chunk.index(after: index)
        }
        partial.append(contentsOf: chunk[start...])
        if partial.count > maximumLineSize { throw StreamLimitError("an NDJSON line", limit: maximumLineSize) }
    }

    /// Parses a final line without a newline, if any.
    public mutating func finish(_ emit: (JSONValue) throws -> Void) throws {
        guard !partial.isEmpty else { return }
        let whole = partial
        partial.removeAll()
        try parseLine(whole[...], emit)
    }

    private mutating func parseLine<S: Collection<UInt8>>(_ raw: S, _ emit: (JSONValue) throws -> Void) throws {
        lineNumber += 1
        var bytes = Array(raw)
        if bytes.last == 0x0D { bytes.removeLast() }
        guard bytes.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            throw NDJSONError(
                line: lineNumber, underlying: error, excerpt: String(decoding: bytes.prefix(200), as: UTF8.self))
        }
        try emit(value)
    }
}
