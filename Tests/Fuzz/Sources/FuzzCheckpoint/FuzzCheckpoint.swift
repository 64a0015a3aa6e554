import FuzzSupport
import Micro
import MicroAgent

/// Checkpoint decoding as checkpointers do it (`SQLiteCheckpointer`: JSON bytes → `JSONValue` →
/// `JSONValueDecoder` → `RunState`), on arbitrary bytes. A state that decodes must come back unchanged from both
/// of its encodings, and the hand-written `canonicalJSON()` (and `RunStateEncoder`) must equal the `Codable`
/// encoding byte for byte. A whole `Checkpoint` and a `Juncture` text are decoded too.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    // The juncture column is text.
    if let juncture = Juncture(String(decoding: bytes, as: UTF8.self)) {
        invariant(Juncture(juncture.description) == juncture, "juncture \(juncture) does not round-trip")
    }
    guard let json = try? JSONValue(parsing: bytes) else { return 0 }
    if let checkpoint = try? JSONValueDecoder().decode(Checkpoint.self, from: json) {
        let encoded: JSONValue
        do { encoded = try JSONValueEncoder().encode(checkpoint) } catch { fatalError("a decoded checkpoint does not encode: \(error)") }
        invariant((try? JSONValueDecoder().decode(Checkpoint.self, from: encoded)) == checkpoint, "checkpoint does not round-trip")
    }
    guard let state = try? JSONValueDecoder().decode(RunState.self, from: json) else { return 0 }
    let canonical = state.canonicalJSON()
    let viaCodable: JSONValue
    do { viaCodable = try JSONValueEncoder().encode(state) } catch { fatalError("a decoded state does not encode: \(error)") }
    invariant(
        viaCodable.canonicalBytes() == canonical,
        "canonicalJSON() differs from the Codable encoding:\n\(String(decoding: canonical, as: UTF8.self))\n\(viaCodable)")
    invariant(RunStateEncoder().encode(state) == canonical, "RunStateEncoder differs from canonicalJSON()")
    let reparsed: JSONValue
    do { reparsed = try JSONValue(parsing: canonical) } catch { fatalError("canonicalJSON() does not parse: \(error)") }
    let decoded: RunState
    do { decoded = try JSONValueDecoder().decode(RunState.self, from: reparsed) } catch {
        fatalError("canonicalJSON() does not decode: \(error)")
    }
    invariant(decoded == state, "a run state does not round-trip through canonicalJSON()")
    return 0
}
