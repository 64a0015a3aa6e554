/// Splits a byte stream into newline-delimited lines (a trailing CR is dropped, empty lines skipped), refusing
/// lines longer than a limit.
struct LineSplitter: Sendable {
    enum Line: Equatable {
        case line([UInt8])
        /// A line passed the limit; its bytes up to the next newline are dropped.
        case tooLong
    }

    let limit: Int
    private var buffer: [UInt8] = []
    private var discarding = false

    init(limit: Int) { self.limit = limit }

    /// The lines completed by `chunk`, in order.
    mutating func feed(_ chunk: some Collection<UInt8>) -> [Line] {
        var lines: [Line] = []
        for byte in chunk {
            if byte == 0x0A {
                if discarding {
                    discarding = false
                } else {
                    if buffer.last == 0x0D { buffer.removeLast() }
                    if !buffer.isEmpty { lines.append(.line(buffer)) }
                }
                buffer.removeAll(keepingCapacity: true)
            } else if !discarding {
                buffer.append(byte)
                if buffer.count > limit {
                    buffer.removeAll()
                    discarding = true
                    lines.append(.tooLong)
                }
            }
        }
        return lines
    }

    /// The unterminated last line, if any.
    mutating func finish() -> [UInt8]? {
        defer { buffer.removeAll() }
        if buffer.last == 0x0D { buffer.removeLast() }
        return discarding || buffer.isEmpty ? nil : buffer
    }
}
