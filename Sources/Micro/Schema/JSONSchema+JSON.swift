extension JSONSchema {
    /// Why a JSON value is not a schema this model can hold.
    public struct ParseError: Error, Hashable, CustomStringConvertible {
        /// Where in the schema document, e.g. `$.properties.city.type`.
        public var path: String
        public var message: String

        public init(path: String, message: String) {
            self.path = path
            self.message = message
        }

        public var description: String { "invalid JSON Schema at \(path): \(message)" }
    }

    /// The schema as a JSON value, with the standard keyword names (`$ref`, `$defs`, …). Integral bounds are
    /// written as integers. Objects in a ``JSONValue`` are unordered: use ``serialized(pretty:)`` to keep
    /// property order.
    public var jsonValue: JSONValue { orderedJSON.jsonValue }

    /// The schema as JSON text with keywords in a conventional order and ``properties``/``defs`` in
    /// declaration order (LLMs read the fields in the order written).
    public func serialized(pretty: Bool = false) -> String {
        var out = ""
        orderedJSON.write(into: &out, pretty: pretty, indent: 0)
        return out
    }

    /// Parses a schema. Booleans are schemas too: `true` is `{}` and `false` is `{"not": {}}`.
    ///
    /// Keywords the model holds must have the right JSON type (else ``ParseError``); unknown keywords are kept
    /// in ``unknownKeywords``. `properties` and `$defs` come out sorted by name, since a ``JSONValue`` object
    /// has no order. `definitions` (draft 7) stays in ``unknownKeywords``; validation still resolves
    /// `#/definitions/Name` references against it.
    public init(_ json: JSONValue) throws(ParseError) {
        try self.init(parsing: json, path: "$")
    }

    private init(parsing json: JSONValue, path: String) throws(ParseError) {
        self.init()
        switch json {
        case .bool(true): return
        case .bool(false):
            not = JSONSchema()
            return
        case .object(let members):
            for key in members.keys.sorted() {
                try parse(keyword: key, value: members[key]!, path: path)
            }
        default:
            throw ParseError(path: path, message: "expected an object or a boolean, got \(json.typeName)")
        }
    }

    private mutating func parse(keyword: String, value: JSONValue, path: String) throws(ParseError) {
        let at = path + SchemaPath.member(keyword)
        func fail(_ expected: String) -> ParseError {
            ParseError(path: at, message: "expected \(expected), got \(value.typeName)")
        }
        func string() throws(ParseError) -> String {
            guard case .string(let s) = value else { throw fail("a string") }
            return s
        }
        func count() throws(ParseError) -> Int {
            guard let n = value.intValue, n >= 0 else { throw fail("a non-negative integer") }
            return n
        }
        func number() throws(ParseError) -> Double {
            guard let d = value.doubleValue else { throw fail("a number") }
            return d
        }
        func schema(_ json: JSONValue, _ path: String) throws(ParseError) -> JSONSchema {
            try JSONSchema(parsing: json, path: path)
        }
        func schemas() throws(ParseError) -> [JSONSchema] {
            guard case .array(let elements) = value else { throw fail("an array of schemas") }
            var result: [JSONSchema] = []
            for (i, element) in elements.enumerated() { result.append(try schema(element, at + "[\(i)]")) }
            return result
        }
        func named() throws(ParseError) -> [NamedSchema] {
            guard case .object(let members) = value else { throw fail("an object of schemas") }
            var result: [NamedSchema] = []
            for name in members.keys.sorted() {
                result.append(NamedSchema(name, try schema(members[name]!, at + SchemaPath.member(name))))
            }
            return result
        }

        switch keyword {
        case "type":
            switch value {
            case .string(let name):
                guard let t = InstanceType(rawValue: name) else { throw ParseError(path: at, message: "unknown type \"\(name)\"") }
                type = [t]
            case .array(let names):
                var types: [InstanceType] = []
                for name in names {
                    guard case .string(let n) = name, let t = InstanceType(rawValue: n) else {
                        throw ParseError(path: at, message: "unknown type \(SchemaJSONText.brief(name))")
                    }
                    types.append(t)
                }
                type = types
            default: throw fail("a string or an array of strings")
            }
        case "title": title = try string()
        case "description": description = try string()
        case "default": self.default = value
        case "examples":
            guard case .array(let values) = value else { throw fail("an array") }
            examples = values
        case "enum":
            guard case .array(let values) = value else { throw fail("an array") }
            self.enum = values
        case "const": const = value
        case "properties": properties = try named()
        case "required":
            guard case .array(let names) = value else { throw fail("an array of strings") }
            var result: [String] = []
            for name in names {
                guard case .string(let s) = name else { throw fail("an array of strings") }
                result.append(s)
            }
            required = result
        case "additionalProperties":
            switch value {
            case .bool(let allowed): additionalProperties = allowed ? .allowed : .forbidden
            default: additionalProperties = .schema(try schema(value, at))
            }
        case "propertyNames": propertyNames = try schema(value, at)
        case "items": items = try schema(value, at)
        case "minItems": minItems = try count()
        case "maxItems": maxItems = try count()
        case "uniqueItems":
            guard case .bool(let b) = value else { throw fail("a boolean") }
            uniqueItems = b
        case "minLength": minLength = try count()
        case "maxLength": maxLength = try count()
        case "pattern": pattern = try string()
        case "format": format = try string()
        case "contentEncoding": contentEncoding = try string()
        case "minimum": minimum = try number()
        case "maximum": maximum = try number()
        case "exclusiveMinimum": exclusiveMinimum = try number()
        case "exclusiveMaximum": exclusiveMaximum = try number()
        case "anyOf": anyOf = try schemas()
        case "oneOf": oneOf = try schemas()
        case "allOf": allOf = try schemas()
        case "not": not = try schema(value, at)
        case "$ref": ref = try string()
        case "$defs": defs = try named()
        default: unknownKeywords[keyword] = value
        }
    }

    /// The schema as ordered JSON: the single source of ``jsonValue`` and ``serialized(pretty:)``.
    var orderedJSON: SchemaJSONText {
        var members: [(String, SchemaJSONText)] = []
        func add(_ key: String, _ value: JSONValue?) {
            if let value { members.append((key, .value(value))) }
        }
        func add(_ key: String, _ number: Double?) {
            if let number { members.append((key, .value(SchemaJSONText.number(number)))) }
        }
        func add(_ key: String, _ count: Int?) {
            if let count { members.append((key, .value(.integer(count)))) }
        }
        func add(_ key: String, _ schema: JSONSchema?) {
            if let schema { members.append((key, schema.orderedJSON)) }
        }
        func add(_ key: String, _ schemas: [JSONSchema]?) {
            if let schemas { members.append((key, .array(schemas.map(\.orderedJSON)))) }
        }
        func add(_ key: String, _ named: [NamedSchema]?) {
            if let named { members.append((key, .object(named.map { ($0.name, $0.schema.orderedJSON) }))) }
        }

        add("$ref", ref.map(JSONValue.string))
        add("title", title.map(JSONValue.string))
        add("description", description.map(JSONValue.string))
        switch type.count {
        case 0: break
        case 1: add("type", .string(type[0].rawValue))
        default: add("type", .array(type.map { .string($0.rawValue) }))
        }
        add("enum", self.enum.map(JSONValue.array))
        add("const", const)
        add("format", format.map(JSONValue.string))
        add("contentEncoding", contentEncoding.map(JSONValue.string))
        add("minimum", minimum)
        add("exclusiveMinimum", exclusiveMinimum)
        add("maximum", maximum)
        add("exclusiveMaximum", exclusiveMaximum)
        add("minLength", minLength)
        add("maxLength", maxLength)
        add("pattern", pattern.map(JSONValue.string))
        add("items", items)
        add("minItems", minItems)
        add("maxItems", maxItems)
        add("uniqueItems", uniqueItems.map(JSONValue.bool))
        add("properties", properties)
        add("required", required.map { .array($0.map(JSONValue.string)) })
        switch additionalProperties {
        case nil: break
        case .allowed: add("additionalProperties", JSONValue.bool(true))
        case .forbidden: add("additionalProperties", JSONValue.bool(false))
        case .schema(let schema): add("additionalProperties", schema)
        }
        add("propertyNames", propertyNames)
        add("anyOf", anyOf)
        add("oneOf", oneOf)
        add("allOf", allOf)
        add("not", not)
        add("default", self.default)
        add("examples", examples.map(JSONValue.array))
        for key in unknownKeywords.keys.sorted() { add(key, unknownKeywords[key]) }
        add("$defs", defs)
        return .object(members)
    }
}
