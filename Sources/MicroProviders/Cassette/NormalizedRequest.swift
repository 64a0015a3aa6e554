import Micro

/// A request reduced to what replay matches on: method, path, sorted query without secret parameters,
/// and the body (canonical JSON without ignored fields, or raw bytes). Computed once per recorded request.
struct NormalizedRequest: Sendable {
    enum Body: Sendable, Hashable {
        case json(JSONValue)
        case bytes([UInt8])
    }

    /// The hash key for `.body` matching.
    struct Key: Sendable, Hashable {
        var head: String
        var body: [UInt8]

        func hash(into hasher: inout Hasher) {
            hasher.combine(head)
            hasher.combine(body.count)
            body.withUnsafeBytes { hasher.combine(bytes: $0) }  // one pass, not one call per byte
        }
    }

    var method: String
    var path: String
    var query: [String]
    var body: Body

    /// `METHOD /path`: the key for `.path` matching.
    var pathKey: String { "\(method) \(path)" }
    var head: String { query.isEmpty ? pathKey : "\(pathKey)?\(query.joined(separator: "&"))" }
    var key: Key {
        switch body {
        case .json(let value): Key(head: head, body: value.canonicalBytes())
        case .bytes(let bytes): Key(head: head, body: bytes)
        }
    }

    init(method: String, url: String, body: [UInt8], ignoring ignored: [JSONFieldPath], redactor: Redactor) {
        self.init(method: method, url: url, body: Cassette.Body(bytes: body), ignoring: ignored, redactor: redactor)
    }

    /// From a body as stored in a cassette (a recorded JSON body is used as is, not written and re-parsed).
    init(method: String, url: String, body: Cassette.Body, ignoring ignored: [JSONFieldPath], redactor: Redactor) {
        (self.method, path, query) = Self.head(method: method, url: url, redactor: redactor)
        let body = if case .json = body { body } else { Cassette.Body(bytes: body.bytes) }
        if case .json(var value) = body {
            for field in ignored { field.remove(from: &value) }
            self.body = .json(value)
        } else {
            self.body = .bytes(body.bytes)
        }
    }

    /// The normalized method, path and sorted query (secret parameters left out) of a request.
    static func head(method: String, url: String, redactor: Redactor) -> (method: String, path: String, query: [String]) {
        var rest = Substring(url)
        if let hash = rest.utf8.firstIndex(of: UInt8(ascii: "#")) { rest = rest[..<hash] }
        if let scheme = Self.afterScheme(rest) {
            rest = rest[scheme...]
            rest = rest.utf8.firstIndex(of: UInt8(ascii: "/")).map { rest[$0...] } ?? rest[rest.endIndex...]
        }
        var query: [String] = []
        if let question = rest.utf8.firstIndex(of: UInt8(ascii: "?")) {
            query = rest[rest.index(after: question)...].split(separator: "&").compactMap { item in
                let name = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]
                return redactor.isSecretParameter(String(name)) ? nil : String(item)
            }.sorted()
            rest = rest[..<question]
        }
        return (method.uppercased(), rest.isEmpty ? "/" : String(rest), query)
    }

    /// The index just after the first `://` in `url`, if any.
    private static func afterScheme(_ url: Substring) -> Substring.Index? {
        let utf8 = url.utf8
        var i = utf8.startIndex
        while let colon = utf8[i...].firstIndex(of: UInt8(ascii: ":")) {
            let first = utf8.index(after: colon)
            guard first < utf8.endIndex else { return nil }
            let second = utf8.index(after: first)
            if second < utf8.endIndex, utf8[first] == UInt8(ascii: "/"), utf8[second] == UInt8(ascii: "/") {
                return utf8.index(after: second)
            }
            i = first
        }
        return nil
    }

    /// The `.body` matching key of a request whose head is `head` and whose body bytes are already
    /// canonical JSON (or not JSON at all): equal to ``key`` for such a request, without parsing the body.
    static func key(head: (method: String, path: String, query: [String]), canonicalBody: [UInt8]) -> Key {
        let pathKey = "\(head.method) \(head.path)"
        return Key(head: head.query.isEmpty ? pathKey : "\(pathKey)?\(head.query.joined(separator: "&"))", body: canonicalBody)
    }

    /// 0...1: how alike two requests are (method, path, query, then body structure).
    func similarity(to other: NormalizedRequest) -> Double {
        var score = 0.0
        if method == other.method { score += 0.1 }
        if path == other.path { score += 0.3 }
        let a = Set(query), b = Set(other.query)
        score += 0.1 * (a.union(b).isEmpty ? 1 : Double(a.intersection(b).count) / Double(a.union(b).count))
        switch (body, other.body) {
        case (.json(let x), .json(let y)): score += 0.5 * Self.similarity(x, y)
        case (.bytes(let x), .bytes(let y)): score += x == y ? 0.5 : 0
        default: break
        }
        return score
    }

    private static func similarity(_ a: JSONValue, _ b: JSONValue) -> Double {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            let keys = Set(x.keys).union(y.keys)
            if keys.isEmpty { return 1 }
            var sum = 0.0
            for key in keys { if let u = x[key], let v = y[key] { sum += similarity(u, v) } }
            return sum / Double(keys.count)
        case (.array(let x), .array(let y)):
            let n = max(x.count, y.count)
            if n == 0 { return 1 }
            var sum = 0.0
            for i in 0..<min(x.count, y.count) { sum += similarity(x[i], y[i]) }
            return sum / Double(n)
        default:
            return a == b ? 1 : 0
        }
    }

    /// The first place where `request` differs from this (recorded) one, e.g.
    /// `body $.messages[1].content: recorded "hi", request "hello"`; nil when they match.
    func firstDifference(to request: NormalizedRequest) -> String? {
        if method != request.method { return "method: recorded \(method), request \(request.method)" }
        if path != request.path { return "path: recorded \(path), request \(request.path)" }
        if query != request.query {
            return "query: recorded \"\(query.joined(separator: "&"))\", request \"\(request.query.joined(separator: "&"))\""
        }
        switch (body, request.body) {
        case (.json(let x), .json(let y)):
            guard let (path, u, v) = Self.firstDifference(x, y, path: "$") else { return nil }
            return "body \(path): recorded \(Self.show(u)), request \(Self.show(v))"
        case (.bytes(let x), .bytes(let y)):
            if x == y { return nil }
            let at = zip(x, y).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(x.count, y.count)
            return "body byte \(at): recorded \(x.count) bytes \(Self.show(x, from: at)), request \(y.count) bytes \(Self.show(y, from: at))"
        case (.json, .bytes):
            return "body: recorded JSON, request is not JSON"
        case (.bytes, .json):
            return "body: recorded is not JSON, request JSON"
        }
    }

    private static func firstDifference(_ a: JSONValue, _ b: JSONValue, path: String) -> (String, JSONValue?, JSONValue?)? {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            for key in Set(x.keys).union(y.keys).sorted() {
                let sub = path + JSONFieldPath.segment(key)
                switch (x[key], y[key]) {
                case (let u?, let v?): if let d = firstDifference(u, v, path: sub) { return d }
                case (let u, let v): return (sub, u, v)
                }
            }
            return nil
        case (.array(let x), .array(let y)):
            for i in 0..<max(x.count, y.count) {
                let sub = "\(path)[\(i)]"
                guard i < x.count, i < y.count else { return (sub, x[safe: i], y[safe: i]) }
                if let d = firstDifference(x[i], y[i], path: sub) { return d }
            }
            return nil
        default:
            return a == b ? nil : (path, a, b)
        }
    }

    private static func show(_ value: JSONValue?) -> String {
        guard let value else { return "(absent)" }
        let text = value.canonicalString()
        return text.count > 120 ? String(text.prefix(117)) + "..." : text
    }

    private static func show(_ bytes: [UInt8], from index: Int) -> String {
        let slice = bytes[min(index, bytes.count)..<min(index + 40, bytes.count)]
        return "\"" + String(decoding: slice, as: UTF8.self) + "\""
    }
}

extension Array {
    fileprivate subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
