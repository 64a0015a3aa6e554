/// Appends JSON text to a byte buffer; see ``JSONValue/canonicalBytes()`` for the format. Public so that
/// hand-written encoders of hot types (checkpoints) produce exactly the same canonical bytes.
public struct JSONWriter {
    public var bytes: [UInt8] = []

    public init(capacity: Int = 64) { bytes.reserveCapacity(capacity) }

    /// Compact output with object keys sorted by UTF-8 bytes.
    public mutating func writeCanonical(_ value: JSONValue) {
        switch value {
        case .null: append("null")
        case .bool(let b): append(b ? "true" : "false")
        case .integer(let i): writeInteger(i)
        case .number(let d): writeDouble(d)
        case .string(let s): writeString(s)
        case .array(let array):
            bytes.append(UInt8(ascii: "["))
            for (k, element) in array.enumerated() {
                if k > 0 { bytes.append(UInt8(ascii: ",")) }
                writeCanonical(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            if object.count == 1, let (key, member) = object.first {
                writeString(key)
                bytes.append(UInt8(ascii: ":"))
                writeCanonical(member)
            } else if object.count > 1 {
                for (k, (key, member)) in Self.sortedMembers(object).enumerated() {
                    if k > 0 { bytes.append(UInt8(ascii: ",")) }
                    writeString(key)
                    bytes.append(UInt8(ascii: ":"))
                    writeCanonical(member)
                }
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Sorted keys, two-space indentation, `"key": value`.
    mutating func writePretty(_ value: JSONValue, indent: Int = 0) {
        switch value {
        case .array(let array) where !array.isEmpty:
            bytes.append(UInt8(ascii: "["))
            for (k, element) in array.enumerated() {
                if k > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(indent: indent + 1)
                writePretty(element, indent: indent + 1)
            }
            newline(indent: indent)
            bytes.append(UInt8(ascii: "]"))
        case .object(let object) where !object.isEmpty:
            bytes.append(UInt8(ascii: "{"))
            for (k, (key, member)) in Self.sortedMembers(object).enumerated() {
                if k > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(indent: indent + 1)
                writeString(key)
                append(": ")
                writePretty(member, indent: indent + 1)
            }
            newline(indent: indent)
            bytes.append(UInt8(ascii: "}"))
        default:
            writeCanonical(value)
        }
    }

    private mutating func newline(indent: Int) {
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * indent))
    }

    private mutating func append(_ literal: StaticString) { writeRaw(literal) }

    /// Appends `literal` as it is (it must be valid JSON text in context).
    public mutating func writeRaw(_ literal: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Appends bytes that already are JSON text.
    public mutating func writeBytes(_ json: [UInt8]) { bytes.append(contentsOf: json) }

    public mutating func writeInteger(_ value: Int64) { writeInteger(Int(value)) }

    public mutating func writeInteger(_ value: Int) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        if magnitude < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude))
            return
        }
        var digitCount = 1
        var rest = magnitude
        while rest >= 10 {
            rest /= 10
            digitCount += 1
        }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digitCount))
        var position = start + digitCount - 1
        while magnitude > 0 {
            bytes[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            position -= 1
        }
    }

    /// Shortest round-trip digits (Swift's `description`); integral values keep `.0`; non-finite is `null`.
    public mutating func writeDouble(_ value: Double) {
        guard value.isFinite else { return append("null") }
        bytes.append(contentsOf: value.description.utf8)
    }

    /// A quoted string, escaping only `"`, `\` and control characters.
    public mutating func writeString(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            var runStart = 0
            for i in utf8.indices {
                let b = utf8[i]
                guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
                if runStart < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
                runStart = i + 1
                switch b {
                case UInt8(ascii: "\""): append("\\\"")
                case UInt8(ascii: "\\"): append("\\\\")
                case 0x0A: append("\\n")
                case 0x0D: append("\\r")
                case 0x09: append("\\t")
                case 0x08: append("\\b")
                case 0x0C: append("\\f")
                default:
                    append("\\u00")
                    bytes.append(Self.hexDigit(b >> 4))
                    bytes.append(Self.hexDigit(b & 0xF))
                }
            }
            if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    /// The members of `object` in ascending UTF-8 byte order of their keys (which is code point order).
    static func sortedMembers(_ object: [String: JSONValue]) -> [(key: String, value: JSONValue)] {
        object.sorted { utf8Precedes($0.key, $1.key) }
    }

    /// Whether `a` sorts before `b` in UTF-8 byte order (which is code point order), as canonical keys do.
    public static func utf8Precedes(_ a: String, _ b: String) -> Bool {
        let fast = a.utf8.withContiguousStorageIfAvailable { pa in
            b.utf8.withContiguousStorageIfAvailable { pb in
                for k in 0..<min(pa.count, pb.count) where pa[k] != pb[k] { return pa[k] < pb[k] }
                return pa.count < pb.count
            }
        }
        return (fast ?? nil) ?? a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
