/// A JSON Schema: the draft 2020-12 subset that LLM tool APIs accept. It describes tool arguments and results
/// to models and validates the values they send back (``validate(_:)``).
///
/// Every keyword is an optional stored property; `nil` (or an empty ``type``) means the keyword is absent, so
/// `JSONSchema()` is the empty schema `{}`, which accepts any value. ``properties`` and ``defs`` keep their
/// declaration order: ``serialized(pretty:)`` writes them in that order (``jsonValue`` is an unordered
/// ``JSONValue``). Keywords the model does not know are kept in ``unknownKeywords``: they survive
/// ``init(_:)`` → ``jsonValue`` but take no part in validation.
///
/// Build schemas with the static constructors (`.object(properties:required:)`, `.string(description:)`, …),
/// parse them with ``init(_:)``, or derive them from a `Decodable` type with ``derive(from:)``.
public struct JSONSchema: Sendable, Hashable {
    /// A JSON instance type, spelled as the `type` keyword spells it.
    public enum InstanceType: String, Sendable, Hashable, CaseIterable {
        case null, boolean, integer, number, string, array, object
    }

    /// One named subschema of ``JSONSchema/properties`` or ``JSONSchema/defs``.
    public struct NamedSchema: Sendable, Hashable {
        public var name: String
        public var schema: JSONSchema

        public init(_ name: String, _ schema: JSONSchema) {
            self.name = name
            self.schema = schema
        }
    }

    /// The `additionalProperties` keyword: whether members not named in `properties` are allowed, and if so
    /// which schema they must match.
    public indirect enum AdditionalProperties: Sendable, Hashable {
        /// `true`: any undeclared member is allowed.
        case allowed
        /// `false`: no undeclared member is allowed.
        case forbidden
        /// Undeclared members must match this schema.
        case schema(JSONSchema)
    }

    // MARK: Keywords

    /// `type`: allowed instance types; empty means any type, several mean a union (e.g. `["string", "null"]`).
    public var type: [InstanceType] { didSet { invalidate() } }
    /// `title`.
    public var title: String? { didSet { invalidate() } }
    /// `description`.
    public var description: String? { didSet { invalidate() } }
    /// `default` (an annotation; not used by validation).
    public var `default`: JSONValue? { didSet { invalidate() } }
    /// `examples` (an annotation; not used by validation).
    public var examples: [JSONValue]? { didSet { invalidate() } }
    /// `enum`: the value must equal one of these.
    public var `enum`: [JSONValue]? { didSet { invalidate() } }
    /// `const`: the value must equal this one (`.some(.null)` is `"const": null`).
    public var const: JSONValue? { didSet { invalidate() } }

    /// `properties`, in declaration order.
    public var properties: [NamedSchema]? { didSet { invalidate() } }
    /// `required`: member names that must be present.
    public var required: [String]? { didSet { invalidate() } }
    /// `additionalProperties`.
    public var additionalProperties: AdditionalProperties? { didSet { invalidate() } }
    /// `propertyNames`: a schema every member name (as a string) must match.
    public var propertyNames: JSONSchema? {
        get { _propertyNames?.value }
        set { _propertyNames = newValue.map(SchemaIndirect.init); invalidate() }
    }

    /// `items`: the schema of every array element.
    public var items: JSONSchema? {
        get { _items?.value }
        set { _items = newValue.map(SchemaIndirect.init); invalidate() }
    }
    /// `minItems`.
    public var minItems: Int? { didSet { invalidate() } }
    /// `maxItems`.
    public var maxItems: Int? { didSet { invalidate() } }
    /// `uniqueItems`.
    public var uniqueItems: Bool? { didSet { invalidate() } }

    /// `minLength`, in Unicode scalars.
    public var minLength: Int? { didSet { invalidate() } }
    /// `maxLength`, in Unicode scalars.
    public var maxLength: Int? { didSet { invalidate() } }
    /// `pattern`: a regular expression the string must contain a match of (unanchored, as JSON Schema says).
    public var pattern: String? { didSet { invalidate() } }
    /// `format`: `date-time`, `date`, `time`, `uri`, `uuid` and `email` are checked; others are annotations.
    public var format: String? { didSet { invalidate() } }
    /// `contentEncoding`: `base64` is checked; others are annotations.
    public var contentEncoding: String? { didSet { invalidate() } }

    /// `minimum`.
    public var minimum: Double? { didSet { invalidate() } }
    /// `maximum`.
    public var maximum: Double? { didSet { invalidate() } }
    /// `exclusiveMinimum` (a number, as in draft 2020-12).
    public var exclusiveMinimum: Double? { didSet { invalidate() } }
    /// `exclusiveMaximum` (a number, as in draft 2020-12).
    public var exclusiveMaximum: Double? { didSet { invalidate() } }

    /// `anyOf`: the value must match at least one of these.
    public var anyOf: [JSONSchema]? { didSet { invalidate() } }
    /// `oneOf`: the value must match exactly one of these.
    public var oneOf: [JSONSchema]? { didSet { invalidate() } }
    /// `allOf`: the value must match all of these.
    public var allOf: [JSONSchema]? { didSet { invalidate() } }
    /// `not`: the value must not match this schema.
    public var not: JSONSchema? {
        get { _not?.value }
        set { _not = newValue.map(SchemaIndirect.init); invalidate() }
    }

    /// `$ref`: `"#"` (the root) or `"#/$defs/Name"`, resolved against the root schema being validated.
    public var ref: String? { didSet { invalidate() } }
    /// `$defs`, in declaration order.
    public var defs: [NamedSchema]? { didSet { invalidate() } }

    /// Keywords this model does not know (`$schema`, `$id`, vendor extensions…), kept for round trips and
    /// ignored by validation.
    public var unknownKeywords: [String: JSONValue] { didSet { invalidate() } }

    private var _propertyNames: SchemaIndirect<JSONSchema>?
    private var _items: SchemaIndirect<JSONSchema>?
    private var _not: SchemaIndirect<JSONSchema>?
    /// The compiled validator for this exact value; equal for all schemas (it takes no part in `==`).
    var validationCache = SchemaValidationCache()

    /// A schema with the given `type` and `description` and no other keyword; `JSONSchema()` accepts any value.
    public init(type: [InstanceType] = [], description: String? = nil) {
        self.type = type
        self.description = description
        self.unknownKeywords = [:]
    }

    /// Drops the compiled validator after a change (only allocates if one had been built).
    private mutating func invalidate() {
        if validationCache.isPopulated { validationCache = SchemaValidationCache() }
    }
}

// MARK: - Convenience constructors

extension JSONSchema {
    /// `{}`: any value.
    public static var any: JSONSchema { JSONSchema() }
    /// `{"type": "null"}`.
    public static var null: JSONSchema { JSONSchema(type: [.null]) }
    /// `{"type": "boolean"}`.
    public static var boolean: JSONSchema { .boolean() }
    /// `{"type": "string"}`.
    public static var string: JSONSchema { .string() }
    /// `{"type": "integer"}`.
    public static var integer: JSONSchema { .integer() }
    /// `{"type": "number"}`.
    public static var number: JSONSchema { .number() }

    /// A boolean.
    public static func boolean(description: String? = nil) -> JSONSchema {
        JSONSchema(type: [.boolean], description: description)
    }

    /// A string, optionally with a `format` (`date-time`, `uri`, `uuid`…), length bounds and a `pattern`.
    public static func string(
        description: String? = nil, format: String? = nil, minLength: Int? = nil, maxLength: Int? = nil,
        pattern: String? = nil
    ) -> JSONSchema {
        var schema = JSONSchema(type: [.string], description: description)
        schema.format = format
        schema.minLength = minLength
        schema.maxLength = maxLength
        schema.pattern = pattern
        return schema
    }

    /// An integer within optional inclusive bounds.
    public static func integer(description: String? = nil, minimum: Int? = nil, maximum: Int? = nil) -> JSONSchema {
        var schema = JSONSchema(type: [.integer], description: description)
        schema.minimum = minimum.map(Double.init)
        schema.maximum = maximum.map(Double.init)
        return schema
    }

    /// A number within optional inclusive bounds.
    public static func number(description: String? = nil, minimum: Double? = nil, maximum: Double? = nil) -> JSONSchema {
        var schema = JSONSchema(type: [.number], description: description)
        schema.minimum = minimum
        schema.maximum = maximum
        return schema
    }

    /// An array whose elements all match `items`.
    public static func array(
        of items: JSONSchema, description: String? = nil, minItems: Int? = nil, maxItems: Int? = nil,
        uniqueItems: Bool = false
    ) -> JSONSchema {
        var schema = JSONSchema(type: [.array], description: description)
        schema.items = items
        schema.minItems = minItems
        schema.maxItems = maxItems
        schema.uniqueItems = uniqueItems ? true : nil
        return schema
    }

    /// An object with `properties` in the given order. Closed by default (`additionalProperties: false`),
    /// as tool APIs expect; pass `additionalProperties: nil` to leave the keyword out.
    public static func object(
        properties: KeyValuePairs<String, JSONSchema> = [:], required: [String] = [],
        additionalProperties: AdditionalProperties? = .forbidden, description: String? = nil
    ) -> JSONSchema {
        var schema = JSONSchema(type: [.object], description: description)
        schema.properties = properties.map { NamedSchema($0.key, $0.value) }
        schema.required = required.isEmpty ? nil : required
        schema.additionalProperties = additionalProperties
        return schema
    }

    /// An object used as a map: any member names, every value matching `values`.
    public static func dictionary(of values: JSONSchema, description: String? = nil) -> JSONSchema {
        var schema = JSONSchema(type: [.object], description: description)
        schema.additionalProperties = .schema(values)
        return schema
    }

    /// One of the given values; `type` is set when they all share one (`string` or `integer`…).
    public static func enumeration(_ values: [JSONValue], description: String? = nil) -> JSONSchema {
        var schema = JSONSchema(type: [], description: description)
        schema.enum = values
        let types = Set(values.map(\.typeName))
        if types.count == 1, let name = types.first, let type = InstanceType(rawValue: name) { schema.type = [type] }
        return schema
    }

    /// Exactly `value`.
    public static func constant(_ value: JSONValue, description: String? = nil) -> JSONSchema {
        var schema = JSONSchema(type: [], description: description)
        schema.const = value
        return schema
    }

    /// At least one of `schemas`.
    public static func anyOf(_ schemas: [JSONSchema], description: String? = nil) -> JSONSchema {
        var schema = JSONSchema(type: [], description: description)
        schema.anyOf = schemas
        return schema
    }

    /// Exactly one of `schemas`.
    public static func oneOf(_ schemas: [JSONSchema], description: String? = nil) -> JSONSchema {
        var schema = JSONSchema(type: [], description: description)
        schema.oneOf = schemas
        return schema
    }

    /// A reference, `"#"` or `"#/$defs/Name"`.
    public static func ref(_ reference: String) -> JSONSchema {
        var schema = JSONSchema()
        schema.ref = reference
        return schema
    }

    /// This schema, also accepting `null`: adds `"null"` to `type` (and to `enum`), or wraps the schema as
    /// `anyOf: [self, {"type": "null"}]` when it has no `type` (a `$ref`, a composition, a `const`).
    /// The empty schema and schemas already accepting null are returned unchanged.
    public func orNull() -> JSONSchema {
        if type.isEmpty {
            if isAny { return self }
            if let anyOf, ref == nil, const == nil, self.enum == nil, allOf == nil, oneOf == nil, not == nil {
                if anyOf.contains(where: { $0.type == [.null] }) { return self }
                var copy = self
                copy.anyOf = anyOf + [.null]
                return copy
            }
            var inner = self
            inner.description = nil
            inner.title = nil
            var wrapper = JSONSchema.anyOf([inner, .null], description: description)
            wrapper.title = title
            return wrapper
        }
        if type.contains(.null) { return self }
        var copy = self
        copy.type.append(.null)
        if var values = copy.enum, !values.contains(.null) {
            values.append(.null)
            copy.enum = values
        }
        if let value = copy.const {
            copy.const = nil
            copy.enum = [value, .null]
        }
        return copy
    }

    /// This schema with `description` replaced.
    public func withDescription(_ description: String?) -> JSONSchema {
        var copy = self
        copy.description = description
        return copy
    }

    /// The schema of the property `name`, if ``properties`` declares it.
    public subscript(property name: String) -> JSONSchema? {
        properties?.first(where: { $0.name == name })?.schema
    }

    /// Whether this is the empty schema `{}` (ignoring annotations): it accepts every value.
    public var isAny: Bool {
        var bare = self
        bare.title = nil
        bare.description = nil
        bare.default = nil
        bare.examples = nil
        bare.unknownKeywords = [:]
        return bare == JSONSchema()
    }
}

/// Boxes a recursive stored property so ``JSONSchema`` stays a finite-sized value type.
indirect enum SchemaIndirect<Value> {
    case value(Value)

    init(_ value: Value) { self = .value(value) }

    var value: Value {
        switch self { case .value(let value): value }
    }
}

extension SchemaIndirect: Sendable where Value: Sendable {}
extension SchemaIndirect: Equatable where Value: Equatable {}
extension SchemaIndirect: Hashable where Value: Hashable {}
