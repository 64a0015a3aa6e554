import Micro

/// Appends canonical JSON (the format of `JSONValue.canonicalBytes()`) to a byte buffer.
struct CanonicalJSONWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    mutating func raw(_ literal: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    mutating func integer(_ value: Int) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        if magnitude < 10 { return bytes.append(UInt8(ascii: "0") + UInt8(magnitude)) }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for the 20 digits of UInt64.max
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            while magnitude > 0 {
                count += 1
                buffer[24 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[(24 - count)...]))
        }
    }

    mutating func integer(_ value: Int64) { integer(Int(value)) }

    /// Canonical JSON of `value`, as `JSONValue.canonicalBytes()` writes it.
    mutating func json(_ value: JSONValue) {
        switch value {
        case .null: raw("null")
        case .bool(let b): b ? raw("true") : raw("false")
        case .integer(let i): integer(i)
        case .number(let d): if d.isFinite { bytes.append(contentsOf: d.description.utf8) } else { raw("null") }
        case .string(let s): string(s)
        case .array(let elements): array(elements) { $0.json($1) }
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            if members.count == 1, let (key, member) = members.first {
                string(key)
                bytes.append(UInt8(ascii: ":"))
                json(member)
            } else if members.count > 1 {
                for (k, (key, member)) in members.sorted(by: { Self.utf8Precedes($0.key, $1.key) }).enumerated() {
                    if k > 0 { bytes.append(UInt8(ascii: ",")) }
                    string(key)
                    bytes.append(UInt8(ascii: ":"))
                    json(member)
                }
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Whether `a` sorts before `b` in UTF-8 byte order (which is code point order).
    static func utf8Precedes(_ a: String, _ b: String) -> Bool {
        let fast = a.utf8.withContiguousStorageIfAvailable { pa in
            b.utf8.withContiguousStorageIfAvailable { pb in
                for k in 0..<min(pa.count, pb.count) where pa[k] != pb[k] { return pa[k] < pb[k] }
                return pa.count < pb.count
            }
        }
        return (fast ?? nil) ?? a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    mutating func array<Element>(_ elements: [Element], _ write: (inout Self, Element) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (k, element) in elements.enumerated() {
            if k > 0 { bytes.append(UInt8(ascii: ",")) }
            write(&self, element)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// An object of integers, keys in UTF-8 byte order.
    mutating func counts(_ counts: [String: Int]) {
        bytes.append(UInt8(ascii: "{"))
        let sorted = counts.count < 2 ? Array(counts) : counts.sorted { Self.utf8Precedes($0.key, $1.key) }
        for (k, (key, count)) in sorted.enumerated() {
            if k > 0 { bytes.append(UInt8(ascii: ",")) }
            string(key)
            bytes.append(UInt8(ascii: ":"))
            integer(count)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    mutating func append(_ json: [UInt8]) { bytes.append(contentsOf: json) }

    mutating func message(_ message: Message) {
        raw("{\"parts\":"); array(message.parts) { w, part in
            switch part {
            case .text(let text):
                w.raw("{\"text\":"); w.string(text); w.raw(",\"type\":\"text\"}")
            case .toolCall(let call):
                w.raw("{\"toolCall\":"); w.toolCall(call); w.raw(",\"type\":\"tool_call\"}")
            case .toolResult(let result):
                w.raw("{\"toolResult\":"); w.toolResult(result); w.raw(",\"type\":\"tool_result\"}")
            }
        }
        raw(",\"role\":"); string(message.role.rawValue)
        raw("}")
    }

    mutating func toolCall(_ call: ToolCall) {
        raw("{\"arguments\":"); json(call.arguments)
        raw(",\"id\":"); string(call.id)
        raw(",\"name\":"); string(call.name)
        raw("}")
    }

    mutating func toolResult(_ result: ToolResultPart) {
        raw("{\"callID\":"); string(result.callID)
        raw(",\"content\":"); json(result.content)
        raw(result.isError ? ",\"isError\":true}" : ",\"isError\":false}")
    }

    /// A quoted string, escaping only `"`, `\` and control characters.
    mutating func string(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        if string.utf8.withContiguousStorageIfAvailable({ escaped($0) }) == nil {
            var copy = string
            copy.withUTF8 { escaped($0) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func escaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        for i in utf8.indices {
            let b = utf8[i]
            guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
            if runStart < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
            runStart = i + 1
            switch b {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0x08: raw("\\b")
            case 0x0C: raw("\\f")
            default:
                raw("\\u00")
                bytes.append(Self.hexDigit(b >> 4))
                bytes.append(Self.hexDigit(b & 0xF))
            }
        }
        if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
