import Micro

/// Where two JSON values differ, as JSON paths (`$.city`, `$.legs[1].date`, `$['odd key']`) with the value on
/// each side; a side without the path has nil. Objects are compared key by key (sorted), arrays index by
/// index; an integer equals a number of the same value.
public enum JSONDiff {
    /// One difference: the path and its value on each side (nil where the path is absent).
    public struct Change: Sendable, Hashable {
        public var path: String
        public var old: JSONValue?
        public var new: JSONValue?

        public init(path: String, old: JSONValue?, new: JSONValue?) {
            self.path = path
            self.old = old
            self.new = new
        }

        /// `$.nights: 2 → 3`, `$.note: (absent) → "x"`.
        public var text: String {
            "\(path): \(old.map { $0.canonicalString() } ?? "(absent)") → \(new.map { $0.canonicalString() } ?? "(absent)")"
        }

        public var json: JSONValue {
            var object: [String: JSONValue] = ["path": .string(path)]
            if let old { object["old"] = old }
            if let new { object["new"] = new }
            return .object(object)
        }
    }

    /// The differences between `old` and `new`, in path order, starting at `path`.
    public static func changes(_ old: JSONValue?, _ new: JSONValue?, path: String = "$") -> [Change] {
        switch (old, new) {
        case (nil, nil): return []
        case (.object(let a)?, .object(let b)?):
            return Set(a.keys).union(b.keys).sorted().flatMap { key in changes(a[key], b[key], path: member(path, key)) }
        case (.array(let a)?, .array(let b)?):
            return (0..<max(a.count, b.count)).flatMap { index in
                let old: JSONValue? = a.indices.contains(index) ? a[index] : JSONValue?.none
                let new: JSONValue? = b.indices.contains(index) ? b[index] : JSONValue?.none
                return changes(old, new, path: "\(path)[\(index)]")
            }
        case (let a?, let b?):
            return equal(a, b) ? [] : [Change(path: path, old: a, new: b)]
        default:
            return [Change(path: path, old: old, new: new)]
        }
    }

    /// Whether two values are equal, an integer and a number of the same value included.
    public static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.integer(let x), .number(let y)), (.number(let y), .integer(let x)): return Double(x) == y
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { equal(value, $0) } ?? false }
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        default: return a == b
        }
    }

    /// `path.key`, or `path['key']` when the key is not a plain identifier.
    static func member(_ path: String, _ key: String) -> String {
        let plain = !key.isEmpty && key.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_"
        }
        return plain ? "\(path).\(key)" : "\(path)['\(key.replacingOccurrences(of: "'", with: "\\'"))']"
    }
}
