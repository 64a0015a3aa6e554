import Micro

/// A streamed event's JSON payload, read in place: adapters look up the few fields they need by path
/// without building a dictionary per object.
///
/// Scanning records where each member and element is (a flat list of nodes); plain ASCII strings without
/// escapes stay as byte ranges until asked for, other scalars (numbers, literals, strings with escapes or
/// non-ASCII bytes) go through ``JSONValue``'s strict parser. Anything else unusual (a key with escapes or
/// non-ASCII bytes, deep nesting, any syntax error) falls back to parsing the whole payload with the strict
/// parser, so the accepted input and the values read are exactly those of `JSONValue(parsing:)`, and
/// malformed input reports its error. Duplicate keys: the last one wins, as there.
struct EventJSON {
    /// One step of a lookup path: an object key (a literal: compared as bytes, no string built) or an array
    /// position.
    enum Step: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
        case key(StaticString)
        case index(Int)
        init(stringLiteral value: StaticString) { self = .key(value) }
        init(integerLiteral value: Int) { self = .index(value) }
    }

    private enum Kind {
        case object
        case array
        /// An ASCII string without escapes: the bytes between the quotes are `range`.
        case plain
        case scalar(JSONValue)
    }

    private struct Node {
        var kind: Kind
        var parent: Int
        /// An object member's key bytes (without quotes); nil for array elements and the root.
        var key: Range<Int>?
        /// A plain string's bytes.
        var range: Range<Int>
        /// The index after this node's last descendant.
        var end: Int
    }

    private enum Storage {
        /// The text (contiguous UTF-8, as scanned) and its nodes.
        case tape(String, [Node])
        case value(JSONValue)
    }

    private let storage: Storage

    /// Reads `text`; throws the strict parser's error when it is not JSON.
    init(parsing text: String) throws(JSONParseError) {
        let nodes = text.utf8.withContiguousStorageIfAvailable { buffer -> [Node]? in
            var scanner = Scanner(bytes: buffer)
            return scanner.scanDocument() ? scanner.nodes : nil
        }
        if let nodes = nodes ?? nil {
            storage = .tape(text, nodes)
        } else {
            storage = .value(try JSONValue(parsing: text))
        }
    }

    /// A lookup path of up to four steps (a fixed-size value: no array per lookup).
    struct Path {
        var steps: (Step?, Step?, Step?, Step?)

        subscript(position: Int) -> Step? {
            switch position {
            case 0: steps.0
            case 1: steps.1
            case 2: steps.2
            case 3: steps.3
            default: nil
            }
        }
    }

    /// The whole payload as a ``JSONValue``.
    var root: JSONValue { value(Path(steps: (nil, nil, nil, nil))) ?? .null }

    /// The value at the path built as a ``JSONValue``, or nil when absent.
    func value(_ a: Step, _ b: Step? = nil, _ c: Step? = nil, _ d: Step? = nil) -> JSONValue? {
        value(Path(steps: (a, b, c, d)))
    }

    /// The string at the path, or nil when absent or not a string.
    func string(_ a: Step, _ b: Step? = nil, _ c: Step? = nil, _ d: Step? = nil) -> String? {
        let path = Path(steps: (a, b, c, d))
        switch storage {
        case .value(let root): return Self.walk(root, path)?.stringValue
        case .tape(let text, let nodes):
            return Self.read(text) { bytes in
                guard let node = Self.find(path, bytes, nodes) else { return nil }
                switch nodes[node].kind {
                case .plain: return String(decoding: UnsafeBufferPointer(rebasing: bytes[nodes[node].range]), as: UTF8.self)
                case .scalar(let value): return value.stringValue
                case .object, .array: return nil
                }
            }
        }
    }

    /// The integer at the path (as ``JSONValue/intValue`` reads it), or nil.
    func int(_ a: Step, _ b: Step? = nil, _ c: Step? = nil, _ d: Step? = nil) -> Int? {
        let path = Path(steps: (a, b, c, d))
        switch storage {
        case .value(let root): return Self.walk(root, path)?.intValue
        case .tape(let text, let nodes):
            return Self.read(text) { bytes in
                guard let node = Self.find(path, bytes, nodes), case .scalar(let value) = nodes[node].kind else { return nil }
                return value.intValue
            }
        }
    }

    /// Whether something (`null` included) is at the path.
    func contains(_ a: Step, _ b: Step? = nil, _ c: Step? = nil, _ d: Step? = nil) -> Bool {
        let path = Path(steps: (a, b, c, d))
        switch storage {
        case .value(let root): return Self.walk(root, path) != nil
        case .tape(let text, let nodes): return Self.read(text) { Self.find(path, $0, nodes) } != nil
        }
    }

    private func value(_ path: Path) -> JSONValue? {
        switch storage {
        case .value(let root): return Self.walk(root, path)
        case .tape(let text, let nodes):
            return Self.read(text) { bytes in Self.find(path, bytes, nodes).map { Self.build($0, bytes, nodes) } }
        }
    }

    /// Runs `body` on the scanned text's bytes (contiguous, as scanning found them).
    private static func read<T>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> T?) -> T? {
        text.utf8.withContiguousStorageIfAvailable(body) ?? nil
    }

    private static func walk(_ root: JSONValue, _ path: Path) -> JSONValue? {
        var value = root
        var position = 0
        while let step = path[position] {
            switch step {
            case .key(let key): guard let next = value[key.description] else { return nil }; value = next
            case .index(let index): guard let next = value[index] else { return nil }; value = next
            }
            position += 1
        }
        return value
    }

    /// The node at `path` from the root (node 0).
    private static func find(_ path: Path, _ bytes: UnsafeBufferPointer<UInt8>, _ nodes: [Node]) -> Int? {
        var current = 0
        var position = 0
        while let step = path[position] {
            var found: Int?
            var child = current + 1
            switch (step, nodes[current].kind) {
            case (.key(let key), .object):
                while child < nodes[current].end {
                    if let range = nodes[child].key, Self.equal(bytes, range, key) { found = child }
                    child = nodes[child].end
                }
            case (.index(let index), .array):
                var element = 0
                while child < nodes[current].end {
                    if element == index {
                        found = child
                        break
                    }
                    element += 1
                    child = nodes[child].end
                }
            default:
                return nil
            }
            guard let found else { return nil }
            current = found
            position += 1
        }
        return current
    }

    private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ key: StaticString) -> Bool {
        key.withUTF8Buffer { key in
            guard range.count == key.count else { return false }
            var i = 0
            while i < key.count, bytes[range.lowerBound &+ i] == key[i] { i &+= 1 }
            return i == key.count
        }
    }

    private static func build(_ node: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ nodes: [Node]) -> JSONValue {
        switch nodes[node].kind {
        case .plain: return .string(String(decoding: UnsafeBufferPointer(rebasing: bytes[nodes[node].range]), as: UTF8.self))
        case .scalar(let value): return value
        case .array:
            var elements: [JSONValue] = []
            var child = node + 1
            while child < nodes[node].end {
                elements.append(build(child, bytes, nodes))
                child = nodes[child].end
            }
            return .array(elements)
        case .object:
            var members: [String: JSONValue] = [:]
            var child = node + 1
            while child < nodes[node].end {
                if let key = nodes[child].key {
                    members[String(decoding: UnsafeBufferPointer(rebasing: bytes[key]), as: UTF8.self)] = build(child, bytes, nodes)
                }
                child = nodes[child].end
            }
            return .object(members)
        }
    }

    /// Builds the node list; any `false` means "let the strict parser read it".
    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var nodes: [Node] = []
        var index = 0
        var depth = 0

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
            nodes.reserveCapacity(16)
        }

        mutating func scanDocument() -> Bool {
            skipWhitespace()
            guard scanValue(parent: -1, key: nil) else { return false }
            skipWhitespace()
            return index == bytes.count
        }

        private mutating func skipWhitespace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
                index += 1
            }
        }

        private mutating func scanValue(parent: Int, key: Range<Int>?) -> Bool {
            guard index < bytes.count else { return false }
            switch bytes[index] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                return scanContainer(parent: parent, key: key)
            case UInt8(ascii: "\""):
                let start = index
                guard let (content, plain) = scanString() else { return false }
                if plain {
                    nodes.append(Node(kind: .plain, parent: parent, key: key, range: content, end: nodes.count + 1))
                    return true
                }
                return scalar(start..<index, parent: parent, key: key)
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "-"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                let start = index
                while index < bytes.count, Self.isScalarByte(bytes[index]) { index += 1 }
                return scalar(start..<index, parent: parent, key: key)
            default:
                return false
            }
        }

        /// A number or literal (or a string needing unescaping): parsed by the strict parser, except small
        /// plain integers (`0`, `-12`, up to 18 digits, no leading zero), read here.
        private mutating func scalar(_ token: Range<Int>, parent: Int, key: Range<Int>?) -> Bool {
            if let integer = Self.smallInteger(UnsafeBufferPointer(rebasing: bytes[token])) {
                nodes.append(Node(kind: .scalar(.integer(integer)), parent: parent, key: key, range: token, end: nodes.count + 1))
                return true
            }
            guard let value = try? JSONValue(parsing: UnsafeBufferPointer(rebasing: bytes[token])) else { return false }
            nodes.append(Node(kind: .scalar(value), parent: parent, key: key, range: token, end: nodes.count + 1))
            return true
        }

        private mutating func scanContainer(parent: Int, key: Range<Int>?) -> Bool {
            let isObject = bytes[index] == UInt8(ascii: "{")
            let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
            depth += 1
            guard depth <= 64 else { return false }
            let me = nodes.count
            nodes.append(Node(kind: isObject ? .object : .array, parent: parent, key: key, range: 0..<0, end: 0))
            index += 1
            skipWhitespace()
            if index < bytes.count, bytes[index] == close {
                index += 1
            } else {
                while true {
                    var memberKey: Range<Int>?
                    if isObject {
                        guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let (content, plain) = scanString(), plain
                        else { return false }
                        memberKey = content
                        skipWhitespace()
                        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
                        index += 1
                        skipWhitespace()
                    }
                    guard scanValue(parent: me, key: memberKey) else { return false }
                    skipWhitespace()
                    guard index < bytes.count else { return false }
                    if bytes[index] == close {
                        index += 1
                        break
                    }
                    guard bytes[index] == UInt8(ascii: ",") else { return false }
                    index += 1
                    skipWhitespace()
                }
            }
            nodes[me].end = nodes.count
            depth -= 1
            return true
        }

        /// Scans a string at its opening quote: the range between the quotes, and whether it is plain
        /// (ASCII, no escapes). Nil for a control character or no closing quote.
        private mutating func scanString() -> (Range<Int>, Bool)? {
            let start = index + 1
            var i = start
            var plain = true
            while i < bytes.count {
                let byte = bytes[i]
                if byte == UInt8(ascii: "\"") {
                    index = i + 1
                    return (start..<i, plain)
                }
                if byte < 0x20 { return nil }
                if byte == UInt8(ascii: "\\") {
                    plain = false
                    i += 2
                    continue
                }
                if byte >= 0x80 { plain = false }
                i += 1
            }
            return nil
        }

        private static func smallInteger(_ token: UnsafeBufferPointer<UInt8>) -> Int? {
            var i = 0
            let negative = !token.isEmpty && token[0] == UInt8(ascii: "-")
            if negative { i = 1 }
            let digits = token.count - i
            guard digits >= 1, digits <= 18, digits == 1 || token[i] != UInt8(ascii: "0") else { return nil }
            var value = 0
            while i < token.count {
                let digit = token[i] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value &* 10 &+ Int(digit)
                i += 1
            }
            return negative ? -value : value
        }

        private static func isScalarByte(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"),
                UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "E"):
                true
            default: false
            }
        }
    }
}
