/// One dispatched Server-Sent Event.
public struct SSEEvent: Sendable, Hashable {
    /// The `event` field, `"message"` when the event named none.
    public var type: String
    /// The `data` lines joined with `\n`.
    public var data: String
    /// The last event ID seen so far in the stream (the `id` field persists across events), if any.
    public var id: String?
    /// The reconnection time (milliseconds) the stream's latest valid `retry` field set, if any.
    public var retry: Int?

    public init(type: String = "message", data: String, id: String? = nil, retry: Int? = nil) {
        self.type = type
        self.data = data
        self.id = id
        self.retry = retry
    }
}

/// A stream sent an event (SSE) or a line (NDJSON) larger than its reader accepts: a typed error instead of
/// memory that grows without bound.
public struct StreamLimitError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was too large: `an SSE event`, `an NDJSON line`.
    public var what: String
    public var limit: Int
    public var description: String { "\(what) is larger than \(limit) bytes" }

    public init(_ what: String, limit: Int) {
        self.what = what
        self.limit = limit
    }
}

/// An incremental Server-Sent Events parser (WHATWG HTML "event stream interpretation").
///
/// Feed byte chunks as they arrive with ``parse(_:_:)``; chunk boundaries may fall anywhere, also inside a
/// CR LF pair or a UTF-8 sequence. Lines end with LF, CR LF or CR; a leading byte order mark is skipped;
/// lines starting with `:` are comments; a blank line dispatches the event (an event without `data` lines is
/// dropped, as the spec says). Complete lines are read in place from the chunk; only a line split across
/// chunks is copied. At the end of the stream call ``finish()`` to discard an event with no blank line after
/// it, as browsers do, or ``finish(_:)`` to dispatch it, as the providers' official SDKs do. An event (or a
/// line) larger than ``maximumEventSize`` throws ``StreamLimitError``.
public struct SSEParser: Sendable {
    /// The default cap on one event's data (or one line): 16 MiB.
    public static let defaultMaximumEventSize = 16 << 20
    /// The largest event data, or line, accepted.
    public let maximumEventSize: Int
    private var partial: [UInt8] = []
    private var afterCR = false
    private var atStart = true
    private var data: [UInt8] = []
    private var hasData = false
    private var eventType: [UInt8] = []
    /// The last dispatched event type, reused while events keep the same type.
    private var lastType: (bytes: [UInt8], string: String) = ([], "message")
    private var lastEventID: String?
    private var retry: Int?

    public init(maximumEventSize: Int = SSEParser.defaultMaximumEventSize) {
        self.maximumEventSize = max(1, maximumEventSize)
    }

    /// Parses `chunk`, calling `dispatch` for every complete event, in order.
    public mutating func parse<C: Collection<UInt8>>(_ chunk: C, _ dispatch: (SSEEvent) throws -> Void) throws {
        if let done = try chunk.withContiguousStorageIfAvailable({ try parse(buffer: $0, dispatch) }) {
            return done
        }
        try Array(chunk).withUnsafeBufferPointer { try parse(buffer: $0, dispatch) }
    }

    /// Ends the stream as the providers' SDKs do: an unterminated last line is read as a line, and an event
    /// still pending (no blank line after it) is dispatched.
    public mutating func finish(_ dispatch: (SSEEvent) throws -> Void) throws {
        if !partial.isEmpty {
            let last = partial
            partial.removeAll()
            try last.withUnsafeBufferPointer { try line($0, dispatch) }
        }
        try dispatchEvent(dispatch)
        afterCR = false
    }

    /// Ends the stream. Returns `true` if an unterminated line or an undispatched event was discarded.
    @discardableResult
    public mutating func finish() -> Bool {
        let leftover = !partial.isEmpty || hasData || !eventType.isEmpty
        partial.removeAll()
        data.removeAll()
        hasData = false
        eventType.removeAll()
        afterCR = false
        return leftover
    }

    private mutating func parse(buffer: UnsafeBufferPointer<UInt8>, _ dispatch: (SSEEvent) throws -> Void) throws {
        var index = 0
        let count = buffer.count
        if count == 0 { return }
        if afterCR {
            afterCR = false
            if count > 0 && buffer[0] == 0x0A { index = 1 }
        }
        var lineStart = index
        while index < count {
            index = Self.skipToLineEnd(buffer, from: index)
            guard index < count else { break }
            let byte = buffer[index]
            if byte != 0x0A && byte != 0x0D {
                index += 1
                continue
            }
            if partial.isEmpty {
                try line(UnsafeBufferPointer(rebasing: buffer[lineStart..<index]), dispatch)
            } else {
                partial.append(contentsOf: buffer[lineStart..<index])
                let whole = partial
                partial.removeAll(keepingCapacity: true)
                try whole.withUnsafeBufferPointer { try line($0, dispatch) }
            }
            index += 1
            if byte == 0x0D {
                if index == count {
                    afterCR = true
                } else if buffer[index] == 0x0A {
                    index += 1
                }
            }
            lineStart = index
        }
        if lineStart < count {
            partial.append(contentsOf: buffer[lineStart..<count])
            // A line holds its field name too (`data: `): 16 bytes of room beyond the event cap (saturating, so
            // that `Int.max`, no limit, does not overflow).
            let lineLimit = maximumEventSize.addingReportingOverflow(16).overflow ? Int.max : maximumEventSize + 16
            if partial.count > lineLimit { throw StreamLimitError("an SSE line", limit: lineLimit) }
        }
    }

    /// The index of the first word (eight bytes) from `index` that may hold a CR or LF, skipping whole words
    /// that hold neither; at most the last seven bytes are left for the byte-by-byte loop.
    @inline(__always)
    private static func skipToLineEnd(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = buffer.baseAddress else { return start }
        var index = start
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while index &+ 8 <= buffer.count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            let lf = word ^ (ones &* 0x0A)
            let cr = word ^ (ones &* 0x0D)
            // A zero byte in `lf` or `cr` is an LF or a CR in `word`.
            if ((lf &- ones) & ~lf | (cr &- ones) & ~cr) & highs != 0 { break }
            index &+= 8
        }
        return index
    }

    private mutating func line(_ raw: UnsafeBufferPointer<UInt8>, _ dispatch: (SSEEvent) throws -> Void) throws {
        var line = raw
        if atStart {
            atStart = false
            if line.count >= 3 && line[0] == 0xEF && line[1] == 0xBB && line[2] == 0xBF {
                line = UnsafeBufferPointer(rebasing: line[3...])
            }
        }
        if line.isEmpty {
            try dispatchEvent(dispatch)
            return
        }
        if line[0] == UInt8(ascii: ":") { return }
        var colon = 0
        while colon < line.count && line[colon] != UInt8(ascii: ":") { colon += 1 }
        let name = UnsafeBufferPointer(rebasing: line[0..<colon])
        var valueStart = colon
        if colon < line.count {
            valueStart += 1
            if valueStart < line.count && line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        }
        let value = UnsafeBufferPointer(rebasing: line[valueStart...])
        switch name.count {
        case 4 where Self.is(name, "data"):
            if hasData { data.append(0x0A) }
            data.append(contentsOf: value)
            hasData = true
            if data.count > maximumEventSize { throw StreamLimitError("an SSE event", limit: maximumEventSize) }
        case 5 where Self.is(name, "event"):
            eventType.removeAll(keepingCapacity: true)
            eventType.append(contentsOf: value)
        case 2 where Self.is(name, "id"):
            if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
        case 5 where Self.is(name, "retry"):
            if !value.isEmpty, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let ms = Int(String(decoding: value, as: UTF8.self)) {
                retry = ms
            }
        default:
            break
        }
    }

    /// Whether `name` is the field name `field` (same length already checked).
    @inline(__always)
    private static func `is`(_ name: UnsafeBufferPointer<UInt8>, _ field: StaticString) -> Bool {
        let bytes = field.utf8Start
        for i in 0..<name.count where name[i] != bytes[i] { return false }
        return true
    }

    private mutating func dispatchEvent(_ dispatch: (SSEEvent) throws -> Void) throws {
        defer {
            data.removeAll(keepingCapacity: true)
            eventType.removeAll(keepingCapacity: true)
            hasData = false
        }
        guard hasData else { return }
        if !eventType.isEmpty && eventType != lastType.bytes {
            lastType = (eventType, String(decoding: eventType, as: UTF8.self))
        }
        let event = SSEEvent(
            type: eventType.isEmpty ? "message" : lastType.string,
            data: String(decoding: data, as: UTF8.self), id: lastEventID, retry: retry)
        try dispatch(event)
    }
}
