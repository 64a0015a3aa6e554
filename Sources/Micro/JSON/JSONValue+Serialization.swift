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
