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
        self.method = method.uppercased()
        var rest = Substring(url)
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        if let scheme = rest.range(of: "://") {
            rest = rest[scheme.upperBound...]
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? rest[rest.endIndex...]
        }
        var query: [String] = []
        if let question = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: question)...].split(separator: "&").compactMap { item in
                let name = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]
                return redactor.isSecretParameter(String(name)) ? nil : String(item)
            }.sorted()
            rest = rest[..<question]
        }
        path = rest.isEmpty ? "/" : String(rest)
        self.query = query
        let body = Cassette.Body(bytes: body)
        if case .json(var value) = body {
            for field in ignored { field.remove(from: &value) }
            self.body = .json(value)
        } else {
            self.body = .bytes(body.bytes)
        }
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
