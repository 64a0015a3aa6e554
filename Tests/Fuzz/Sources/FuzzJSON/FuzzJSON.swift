import FuzzSupport
import Micro

/// The JSON parser (`JSONValue(parsing:)`) on arbitrary bytes: it either throws a `JSONParseError` whose position
/// lies inside the input, or gives a value for which the canonical writer round-trips:
/// `parse(canonical(v)) == v`, `canonical(parse(canonical(v))) == canonical(v)`, and the pretty form parses back
/// to the same value too. The `String` entry point agrees with the bytes one on valid UTF-8.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let value: JSONValue
    do {
        value = try JSONValue(parsing: bytes)
    } catch {
        invariant(error.offset >= 0 && error.offset <= size, "error offset \(error.offset) outside 0...\(size)")
        invariant(error.line >= 1 && error.column >= 1, "error position \(error.line):\(error.column)")
        if let text = String(validating: bytes, as: UTF8.self) {
            invariant((try? JSONValue(parsing: text)) == nil, "the String entry point accepts what the bytes one rejects")
        }
        return 0
    }
    let canonical = value.canonicalBytes()
    let reparsed: JSONValue
    do {
        reparsed = try JSONValue(parsing: canonical)
    } catch {
        fatalError("canonical bytes do not parse: \(error) in \(String(decoding: canonical, as: UTF8.self))")
    }
    invariant(reparsed == value, "parse(canonical(v)) != v for \(String(decoding: canonical, as: UTF8.self))")
    invariant(reparsed.canonicalBytes() == canonical, "canonical form is not stable")
    invariant((try? JSONValue(parsing: value.prettyString())) == value, "pretty form does not parse back")
    invariant(String(decoding: bytes, as: UTF8.self) == String(validating: bytes, as: UTF8.self), "accepted invalid UTF-8")
    invariant((try? JSONValue(parsing: String(decoding: bytes, as: UTF8.self))) == value, "String and bytes entry points differ")
    invariant((try? JSONValueDecoder().decode(JSONValue.self, from: value)) == value, "JSONValueDecoder changes a JSONValue")
    return 0
}
