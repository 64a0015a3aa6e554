#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension JSONValue: CustomStringConvertible {
    /// The canonical JSON text, see ``canonicalString()``.
    public var description: String { canonicalString() }
}

extension JSONValue {
    /// Canonical JSON as UTF-8 bytes: deterministic, so equal values give equal bytes.
    ///
    /// - No whitespace.
    /// - Object keys sorted in ascending order of their UTF-8 bytes (the same as Unicode code point order;
    ///   note this differs from RFC 8785's UTF-16 order for keys mixing astral and U+E000–U+FFFF characters).
    /// - Strings escape only `"`, `\` and control characters (`\n` `\r` `\t` `\b` `\f`, others as `\u00xx`);
    ///   `/` and non-ASCII are written as is.
    /// - ``integer(_:)`` in decimal; ``number(_:)`` as the shortest text that reads back as the same `Double`,
    ///   keeping a fraction or exponent (`2.0`, `1e-07`) so that parsing yields ``number(_:)`` again;
    ///   non-finite doubles as `null`.
    ///
    /// `JSONValue(parsing: v.canonicalBytes()) == v` for every value without non-finite doubles.
    public func canonicalBytes() -> [UInt8] {
        var writer = JSONWriter()
        writer.writeCanonical(self)
        return writer.bytes
    }

    /// ``canonicalBytes()`` as a `String`.
    public func canonicalString() -> String {
        String(decoding: canonicalBytes(), as: UTF8.self)
    }

    /// ``canonicalBytes()`` as `Data`.
    public func canonicalData() -> Data {
        Data(canonicalBytes())
    }

    /// Human-readable JSON: sorted keys as in ``canonicalBytes()``, two-space indentation, `"key": value`.
    public func prettyString() -> String {
        var writer = JSONWriter(capacity: 256)
        writer.writePretty(self)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}

extension JSONValue {
    /// The length in bytes of ``canonicalBytes()``, computed without writing it (string escapes are not
    /// counted, so it can fall short by the escapes' extra bytes). For size estimates on hot paths.
    public var approximateCanonicalByteCount: Int {
        switch self {
        case .null: 4
        case .bool(let b): b ? 4 : 5
        case .integer(let i): i == 0 ? 1 : (i < 0 ? 1 : 0) + Self.digits(i.magnitude)
        case .number(let d): d.isFinite ? d.description.utf8.count : 4
        case .string(let s): s.utf8.count + 2
        case .array(let a): a.reduce(max(2, a.count + 1)) { $0 + $1.approximateCanonicalByteCount }
        case .object(let o): o.reduce(max(2, 2 * o.count + 1)) { $0 + $1.key.utf8.count + 2 + $1.value.approximateCanonicalByteCount }
        }
    }

    private static func digits(_ value: UInt) -> Int {
        var count = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            count += 1
        }
        return count
    }
}
