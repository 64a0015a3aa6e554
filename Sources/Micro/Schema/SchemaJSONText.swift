/// Ordered JSON for writing schemas (keyword and property order kept), plus the small JSON writer that
/// schema messages and serialization use. Self-contained on purpose: the schema code does not depend on the
/// module's JSON parser/serializer.
indirect enum SchemaJSONText: Sendable {
    case value(JSONValue)
    case array([SchemaJSONText])
    case object([(String, SchemaJSONText)])

    /// The unordered ``JSONValue`` form.
    var jsonValue: JSONValue {
        switch self {
        case .value(let value): value
        case .array(let elements): .array(elements.map(\.jsonValue))
        case .object(let members):
            .object(Dictionary(members.map { ($0.0, $0.1.jsonValue) }, uniquingKeysWith: { _, last in last }))
        }
    }

    /// A bound or count as JSON: integral values within ±2^53 become `.integer`.
    static func number(_ value: Double) -> JSONValue {
        if value.rounded() == value, abs(value) < 9.007_199_254_740_992e15 { return .integer(Int(value)) }
        return .number(value)
    }

    func write(into out: inout String, pretty: Bool, indent: Int) {
        switch self {
        case .value(let value):
            Self.write(value, into: &out, pretty: pretty, indent: indent)
        case .array(let elements):
            Self.writeContainer(elements, open: "[", close: "]", into: &out, pretty: pretty, indent: indent) {
                element, out in element.write(into: &out, pretty: pretty, indent: indent + 1)
            }
        case .object(let members):
            Self.writeContainer(members, open: "{", close: "}", into: &out, pretty: pretty, indent: indent) {
                member, out in
                Self.writeString(member.0, into: &out)
                out += pretty ? ": " : ":"
                member.1.write(into: &out, pretty: pretty, indent: indent + 1)
            }
        }
    }

    /// Writes `value` as JSON text; object keys sorted, so the output is deterministic.
    static func write(_ value: JSONValue, into out: inout String, pretty: Bool = false, indent: Int = 0) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .integer(let i): out += String(i)
        case .number(let d): out += d.isFinite ? "\(d)" : "null"
        case .string(let s): writeString(s, into: &out)
        case .array(let elements):
            writeContainer(elements, open: "[", close: "]", into: &out, pretty: pretty, indent: indent) {
                element, out in write(element, into: &out, pretty: pretty, indent: indent + 1)
            }
        case .object(let members):
            let sorted = members.sorted { $0.key < $1.key }
            writeContainer(sorted, open: "{", close: "}", into: &out, pretty: pretty, indent: indent) {
                member, out in
                writeString(member.key, into: &out)
                out += pretty ? ": " : ":"
                write(member.value, into: &out, pretty: pretty, indent: indent + 1)
            }
        }
    }

    /// `value` as compact JSON text.
    static func text(_ value: JSONValue) -> String {
        var out = ""
        write(value, into: &out)
        return out
    }

    /// A short rendering for messages: scalars in full (long strings cut), containers by kind and size.
    static func brief(_ value: JSONValue) -> String {
        switch value {
        case .string(let s) where s.count > 60: text(.string(String(s.prefix(57)) + "..."))
        case .array(let a): a.isEmpty ? "[]" : "an array of \(a.count)"
        case .object(let o): o.isEmpty ? "{}" : "an object"
        default: text(value)
        }
    }

    private static func writeContainer<Element>(
        _ elements: [Element], open: String, close: String, into out: inout String, pretty: Bool, indent: Int,
        _ writeElement: (Element, inout String) -> Void
    ) {
        out += open
        guard !elements.isEmpty else { return out += close }
        for (i, element) in elements.enumerated() {
            if i > 0 { out += "," }
            if pretty { out += "\n" + String(repeating: "  ", count: indent + 1) }
            writeElement(element, &out)
        }
        if pretty { out += "\n" + String(repeating: "  ", count: indent) }
        out += close
    }

    static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
