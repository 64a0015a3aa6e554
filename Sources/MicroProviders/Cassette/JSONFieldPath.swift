import Micro

/// A dotted path to a JSON field that replay matching ignores, e.g. `stream_options` or `metadata.user_id`.
/// A `*` segment stands for every member of an object or every element of an array.
public struct JSONFieldPath: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var segments: [String]

    public init(_ path: String) {
        var text = Substring(path)
        if text.hasPrefix("$.") { text = text.dropFirst(2) }
        segments = text.split(separator: ".").map(String.init)
    }

    public init(stringLiteral value: String) { self.init(value) }

    public var description: String { segments.joined(separator: ".") }

    /// Removes the field(s) at this path from `value`.
    func remove(from value: inout JSONValue) {
        Self.remove(segments[...], from: &value)
    }

    private static func remove(_ segments: ArraySlice<String>, from value: inout JSONValue) {
        guard let first = segments.first else { return }
        let rest = segments.dropFirst()
        switch value {
        case .object(var object):
            let keys = first == "*" ? Array(object.keys) : (object[first] == nil ? [] : [first])
            if keys.isEmpty { return }
            for key in keys {
                if rest.isEmpty {
                    object[key] = nil
                } else if var member = object[key] {
                    remove(rest, from: &member)
                    object[key] = member
                }
            }
            value = .object(object)
        case .array(var array):
            let indices: [Int]
            if first == "*" {
                indices = Array(array.indices)
            } else if let index = Int(first), array.indices.contains(index) {
                indices = [index]
            } else {
                return
            }
            if rest.isEmpty {
                for i in indices.reversed() { array.remove(at: i) }
            } else {
                for i in indices { remove(rest, from: &array[i]) }
            }
            value = .array(array)
        default:
            return
        }
    }

    /// `.key`, or `["key"]` when the key is not a plain identifier.
    static func segment(_ key: String) -> String {
        let plain = !key.isEmpty && key.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2D
        }
        return plain ? ".\(key)" : "[\(JSONValue.string(key).canonicalString())]"
    }
}
