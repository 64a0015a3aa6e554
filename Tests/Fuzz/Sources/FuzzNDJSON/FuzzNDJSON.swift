import FuzzSupport
import Micro
import MicroProviders

/// The NDJSON reader on arbitrary streams. The first input byte picks a chunk size; values and errors (with
/// their line numbers) must not depend on where chunks end, and every value round-trips through canonical JSON.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let selector = input.takeByte()
    let chunkSize = Int(selector % 64) + 1
    let stream = input.bytes

    func read(_ pieces: [[UInt8]], maximum: Int = SSEParser.defaultMaximumEventSize) -> ([JSONValue], String?) {
        var reader = NDJSONReader(maximumLineSize: maximum)
        var values: [JSONValue] = []
        do {
            for piece in pieces { try reader.read(piece) { values.append($0) } }
            try reader.finish { values.append($0) }
            return (values, nil)
        } catch {
            return (values, "\(error)")
        }
    }

    let whole = read([Array(stream)])
    let chunked = read(chunks(stream, size: chunkSize))
    invariant(whole.0 == chunked.0 && whole.1 == chunked.1, "results depend on chunk boundaries (size \(chunkSize)): \(whole) vs \(chunked)")
    for value in whole.0 {
        invariant((try? JSONValue(parsing: value.canonicalBytes())) == value, "a line's value does not round-trip: \(value)")
    }
    // A small limit, or none at all (`Int.max`): errors are fine, traps are not.
    _ = read(chunks(stream, size: chunkSize), maximum: selector >= 128 ? Int.max : Int(selector % 17))
    return 0
}
