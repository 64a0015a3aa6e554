import FuzzSupport
import MicroProviders

/// The SSE parser on arbitrary streams. The first input byte picks a chunk size; the events must not depend on
/// where chunks end (one chunk vs. many, both with `finish(_:)` dispatching the last event), and a parser with a
/// tiny event limit (or `Int.max`, no limit) may throw `StreamLimitError` but never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let selector = input.takeByte()
    let chunkSize = Int(selector % 64) + 1
    let stream = input.bytes

    func events(_ pieces: [[UInt8]], maximum: Int = SSEParser.defaultMaximumEventSize) throws -> [SSEEvent] {
        var parser = SSEParser(maximumEventSize: maximum)
        var events: [SSEEvent] = []
        for piece in pieces { try parser.parse(piece) { events.append($0) } }
        try parser.finish { events.append($0) }
        return events
    }

    let whole: [SSEEvent]
    let chunked: [SSEEvent]
    do {
        whole = try events([Array(stream)])
        chunked = try events(chunks(stream, size: chunkSize))
    } catch {
        fatalError("no limit was reached, yet the parser threw \(error)")
    }
    invariant(whole == chunked, "events depend on chunk boundaries (size \(chunkSize)): \(whole) vs \(chunked)")

    // Whole events, the `finish()` that drops an unterminated one: a prefix of the events above.
    var parser = SSEParser()
    var dispatched: [SSEEvent] = []
    for piece in chunks(stream, size: chunkSize) { try? parser.parse(piece) { dispatched.append($0) } }
    parser.finish()
    invariant(dispatched.count <= whole.count && Array(whole.prefix(dispatched.count)) == dispatched, "finish() changed earlier events")

    // A small limit, or none at all (`Int.max`): errors are fine, traps are not.
    _ = try? events(chunks(stream, size: chunkSize), maximum: selector >= 128 ? Int.max : Int(selector % 17))
    return 0
}
