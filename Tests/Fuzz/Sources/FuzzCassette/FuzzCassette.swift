import FuzzSupport
import Micro
import MicroProviders

/// Cassette files (`Cassette(bytes:)`) on arbitrary bytes: a `CassetteError` or a cassette whose file form is a
/// fixed point — `encoded()` reads back, encodes to the same bytes, and replays the same body bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let cassette = try? Cassette(bytes: bytes, file: "fuzz.json") else { return 0 }
    let file = cassette.encoded()
    let reread: Cassette
    do { reread = try Cassette(bytes: file) } catch { fatalError("an encoded cassette does not read back: \(error)") }
    invariant(reread.encoded() == file, "a cassette's file form is not stable")
    invariant(reread.interactions.count == cassette.interactions.count, "interactions lost")
    for (a, b) in zip(cassette.interactions, reread.interactions) {
        invariant(a.request.body?.bytes == b.request.body?.bytes, "request body bytes changed")
        invariant(
            a.response?.chunks.flatMap(\.data.bytes) == b.response?.chunks.flatMap(\.data.bytes), "response body bytes changed")
        invariant(a.request.headers == b.request.headers && a.request.url == b.request.url, "request changed")
    }
    return 0
}
