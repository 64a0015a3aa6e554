import Foundation

/// A ``JSONSchema`` compiled for validation. `schema.validate(value)` uses one implicitly (compiled on first
/// use and cached on the schema value); keep a `SchemaValidator` where you want that cost paid up front.
///
/// Every keyword ``JSONSchema`` holds is checked, `format` (`date-time`, `date`, `time`, `uri`, `uuid`, `email`)
/// and `contentEncoding: base64` included; `$ref` resolves against the root schema (`#`, `#/$defs/…`,
/// `#/definitions/…`). An integral `.number` such as `2.0` satisfies `"type": "integer"`, and `1` equals `1.0`
/// for `enum`, `const` and `uniqueItems`. Validation builds no strings unless a violation occurs.
public struct SchemaValidator: Sendable {
    let program: SchemaProgram

    public init(_ schema: JSONSchema) {
        program = schema.validationCache.program(for: schema)
    }

    /// All the ways `value` fails the schema, in schema order; empty when it is valid.
    public func validate(_ value: JSONValue) -> [SchemaViolation] {
        var run = Run(nodes: program.nodes, stopAtFirst: false)
        _ = run.check(value, 0)
        return run.violations
    }

    /// Whether `value` is valid; stops at the first violation and builds no message.
    public func isValid(_ value: JSONValue) -> Bool {
        var run = Run(nodes: program.nodes, stopAtFirst: true)
        return run.check(value, 0)
    }
}

extension JSONSchema {
    /// All the ways `value` fails this schema, each with its path (`$.passengers[1].name`); empty when valid.
    public func validate(_ value: JSONValue) -> [SchemaViolation] {
        SchemaValidator(self).validate(value)
    }

    /// Whether `value` satisfies this schema.
    public func isValid(_ value: JSONValue) -> Bool {
        SchemaValidator(self).isValid(value)
    }
}

extension SchemaValidator {
    /// One validation pass. In `stopAtFirst` mode (also used to try `anyOf`/`oneOf`/`not` branches) it
    /// returns at the first failure without building a message.
    struct Run {
        typealias Node = SchemaProgram.Node

        let nodes: [Node]
        var stopAtFirst: Bool
        var path: [SchemaPath.Component] = []
        var violations: [SchemaViolation] = []
        var depth = 0

        init(nodes: [Node], stopAtFirst: Bool) {
            self.nodes = nodes
            self.stopAtFirst = stopAtFirst
        }

        /// Records a violation at the current path; returns whether to go on checking.
        private mutating func report(_ message: @autoclosure () -> String) -> Bool {
            if stopAtFirst { return false }
            violations.append(SchemaViolation(path: SchemaPath.render(path), message: message()))
            return true
        }

        /// Checks `value` against node `index` (whose path is ``path``).
        mutating func check(_ value: JSONValue, _ index: Int) -> Bool {
            let node = nodes[index]
            guard depth < 256 else {
                _ = report("schema nesting deeper than 256 levels (a $ref cycle?)")
                return false
            }
            depth += 1
            defer { depth -= 1 }
            var valid = true

            if let reference = node.reference {
                switch reference {
                case .node(let target):
                    if !check(value, target) {
                        valid = false
                        if stopAtFirst { return false }
                    }
                case .unresolved(let ref):
                    valid = false
                    guard report("unresolvable $ref \(Self.quoted(ref)) in the schema") else { return false }
                }
            }
            if !node.types.isEmpty, !node.types.accepts(value) {
                _ = report("expected \(node.types.names), got \(Self.describe(value))")
                return false
            }
            if let values = node.enumValues, !values.contains(where: { Self.equal($0, value) }) {
                valid = false
                guard report("expected \(Self.oneOf(values)), got \(Self.brief(value))") else { return false }
            }
            if let constant = node.const, !Self.equal(constant, value) {
                valid = false
                guard report("expected \(Self.brief(constant)), got \(Self.brief(value))") else { return false }
            }

            let kindValid: Bool
            switch value {
            case .string(let s) where node.checksStrings: kindValid = checkString(s, node)
            case .integer(let i) where node.checksNumbers: kindValid = checkNumber(Double(i), value, node)
            case .number(let d) where node.checksNumbers: kindValid = checkNumber(d, value, node)
            case .array(let elements) where node.checksArrays: kindValid = checkArray(elements, node)
            case .object(let members) where node.checksObjects: kindValid = checkObject(members, node)
            default: kindValid = true
            }
            if !kindValid {
                valid = false
                if stopAtFirst { return false }
            }

            if !node.allOf.isEmpty || !node.anyOf.isEmpty || !node.oneOf.isEmpty || node.not != nil {
                if !checkComposition(value, node) { valid = false }
            }
            return valid
        }

        // MARK: Kinds

        private mutating func checkString(_ s: String, _ node: Node) -> Bool {
            var valid = true
            if node.minLength != nil || node.maxLength != nil {
                let length = s.unicodeScalars.count
                if let min = node.minLength, length < min {
                    valid = false
                    guard report("must be at least \(Self.count(min, "character")), got \(length)") else { return false }
                }
                if let max = node.maxLength, length > max {
                    valid = false
                    guard report("must be at most \(Self.count(max, "character")), got \(length)") else { return false }
                }
            }
            if let pattern = node.pattern {
                if let regex = pattern.regex {
                    let range = NSRange(location: 0, length: s.utf16.count)
                    if regex.firstMatch(in: s, options: [], range: range) == nil {
                        valid = false
                        guard report("must match pattern \(Self.quoted(pattern.source)), got \(Self.brief(.string(s)))")
                        else { return false }
                    }
                } else {
                    valid = false
                    guard report("the schema's pattern \(Self.quoted(pattern.source)) is not a valid regular expression")
                    else { return false }
                }
            }
            if let format = node.format, !format.accepts(s) {
                valid = false
                guard report("must be \(format.expectation), got \(Self.brief(.string(s)))") else { return false }
            }
            if node.base64, !SchemaFormat.isBase64(s) {
                valid = false
                guard report("must be base64-encoded (standard alphabet, padded)") else { return false }
            }
            return valid
        }

        private mutating func checkNumber(_ d: Double, _ value: JSONValue, _ node: Node) -> Bool {
            var valid = true
            func bound(_ limit: Double) -> String { SchemaJSONText.text(SchemaJSONText.number(limit)) }
            if let min = node.minimum, d < min {
                valid = false
                guard report("must be >= \(bound(min)), got \(Self.brief(value))") else { return false }
            }
            if let min = node.exclusiveMinimum, d <= min {
                valid = false
                guard report("must be > \(bound(min)), got \(Self.brief(value))") else { return false }
            }
            if let max = node.maximum, d > max {
                valid = false
                guard report("must be <= \(bound(max)), got \(Self.brief(value))") else { return false }
            }
            if let max = node.exclusiveMaximum, d >= max {
                valid = false
                guard report("must be < \(bound(max)), got \(Self.brief(value))") else { return false }
            }
            return valid
        }

        private mutating func checkArray(_ elements: [JSONValue], _ node: Node) -> Bool {
            var valid = true
            if let min = node.minItems, elements.count < min {
                valid = false
                guard report("must have at least \(Self.count(min, "item")), got \(elements.count)") else { return false }
            }
            if let max = node.maxItems, elements.count > max {
                valid = false
                guard report("must have at most \(Self.count(max, "item")), got \(elements.count)") else { return false }
            }
            if node.uniqueItems, let (i, j) = Self.firstDuplicate(elements) {
                valid = false
                guard report("items must be unique, but [\(i)] and [\(j)] are equal") else { return false }
            }
            if let items = node.items {
                for (i, element) in elements.enumerated() {
                    path.append(.index(i))
                    let ok = check(element, items)
                    path.removeLast()
                    if !ok {
                        valid = false
                        if stopAtFirst { return false }
                    }
                }
            }
            return valid
        }

        private mutating func checkObject(_ members: [String: JSONValue], _ node: Node) -> Bool {
            var valid = true
            var declaredPresent = 0
            for property in node.properties {
                if let member = members[property.name] {
                    declaredPresent += 1
                    path.append(.key(property.name))
                    let ok = check(member, property.node)
                    path.removeLast()
                    if !ok {
                        valid = false
                        if stopAtFirst { return false }
                    }
                } else if property.required {
                    valid = false
                    guard report("missing required property \(Self.quoted(property.name))") else { return false }
                }
            }
            for name in node.extraRequired where members[name] == nil {
                valid = false
                guard report("missing required property \(Self.quoted(name))") else { return false }
            }

            if let namesNode = node.propertyNames {
                for name in members.keys.sorted() {
                    var inner = Run(nodes: nodes, stopAtFirst: stopAtFirst)
                    inner.path = path + [.key(name)]
                    inner.depth = depth
                    if !inner.check(.string(name), namesNode) {
                        valid = false
                        if stopAtFirst { return false }
                        for violation in inner.violations {
                            violations.append(
                                SchemaViolation(path: violation.path, message: "invalid property name: \(violation.message)")
                            )
                        }
                    }
                }
            }

            if case .any = node.additional { return valid }
            guard declaredPresent < members.count else { return valid }  // every member is declared
            var undeclared: [String] = []
            for name in members.keys where !node.properties.contains(where: { $0.name == name }) {
                undeclared.append(name)
            }
            undeclared.sort()
            for name in undeclared {
                path.append(.key(name))
                let ok: Bool
                switch node.additional {
                case .node(let schema): ok = check(members[name]!, schema)
                default: ok = report("unexpected property (additionalProperties is false)")
                }
                path.removeLast()
                if !ok {
                    valid = false
                    if stopAtFirst { return false }
                }
            }
            return valid
        }

        // MARK: Composition

        private mutating func checkComposition(_ value: JSONValue, _ node: Node) -> Bool {
            var valid = true
            for branch in node.allOf where !check(value, branch) {
                valid = false
                if stopAtFirst { return false }
            }
            if !node.anyOf.isEmpty, matches(value, node.anyOf, upTo: 1) == 0 {
                valid = false
                guard explainNoMatch(value, node.anyOf, keyword: "anyOf") else { return false }
            }
            if !node.oneOf.isEmpty {
                switch matches(value, node.oneOf, upTo: 2) {
                case 1: break
                case 0:
                    valid = false
                    guard explainNoMatch(value, node.oneOf, keyword: "oneOf") else { return false }
                default:
                    valid = false
                    guard report("must match exactly one schema in oneOf, but matches several") else { return false }
                }
            }
            if let not = node.not, matches(value, [not], upTo: 1) == 1 {
                valid = false
                guard report("must not match the schema in \"not\"") else { return false }
            }
            return valid
        }

        /// How many of `branches` `value` matches, counting no further than `limit`.
        private mutating func matches(_ value: JSONValue, _ branches: [Int], upTo limit: Int) -> Int {
            let saved = stopAtFirst
            stopAtFirst = true
            defer { stopAtFirst = saved }
            var count = 0
            for branch in branches where check(value, branch) {
                count += 1
                if count == limit { break }
            }
            return count
        }

        /// Reports why no branch matched: the one branch of the value's type explains itself; otherwise a summary.
        private mutating func explainNoMatch(_ value: JSONValue, _ branches: [Int], keyword: String) -> Bool {
            if stopAtFirst { return false }
            let masks = branches.map(typeMask)
            let candidates = branches.indices.filter { masks[$0].isEmpty || masks[$0].accepts(value) }
            if candidates.count == 1 {
                _ = check(value, branches[candidates[0]])
                return true
            }
            if candidates.isEmpty {
                let union = masks.reduce(SchemaProgram.TypeMask()) { $0.union($1) }
                return report("expected \(union.names), got \(Self.describe(value))")
            }
            return report("does not match any of the \(branches.count) schemas in \(keyword)")
        }

        /// The `type` of node `index`, following `$ref`s; empty when unconstrained.
        private func typeMask(_ index: Int) -> SchemaProgram.TypeMask {
            var node = nodes[index]
            for _ in 0..<16 {
                if !node.types.isEmpty { return node.types }
                guard case .node(let target) = node.reference else { break }
                node = nodes[target]
            }
            return node.types
        }

        // MARK: Helpers

        /// JSON equality: `1 == 1.0`, objects compare unordered.
        static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
            switch (a, b) {
            case (.integer(let i), .number(let d)), (.number(let d), .integer(let i)): Double(i) == d
            case (.array(let x), .array(let y)): x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
            case (.object(let x), .object(let y)):
                x.count == y.count && x.allSatisfy { key, value in y[key].map { equal(value, $0) } ?? false }
            default: a == b
            }
        }

        private static func firstDuplicate(_ elements: [JSONValue]) -> (Int, Int)? {
            guard elements.count > 1 else { return nil }
            for i in elements.indices {
                for j in (i + 1)..<elements.count where equal(elements[i], elements[j]) { return (i, j) }
            }
            return nil
        }

        /// `string "two"`, `integer 3`, `null`, `array`, `object`: a value with its JSON type.
        static func describe(_ value: JSONValue) -> String {
            switch value {
            case .null: "null"
            case .array, .object: value.typeName
            default: "\(value.typeName) \(SchemaJSONText.brief(value))"
            }
        }

        static func brief(_ value: JSONValue) -> String { SchemaJSONText.brief(value) }

        static func quoted(_ s: String) -> String { SchemaJSONText.text(.string(s)) }

        private static func oneOf(_ values: [JSONValue]) -> String {
            if values.count == 1 { return brief(values[0]) }
            let shown = values.prefix(12).map(brief).joined(separator: ", ")
            return "one of " + shown + (values.count > 12 ? ", …" : "")
        }

        private static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
    }
}

