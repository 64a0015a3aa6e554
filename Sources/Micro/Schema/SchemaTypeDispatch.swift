import Foundation

// Type-level dispatch for schema derivation: standard types answer "what is my schema / my element type /
// a placeholder instance" from their metatype alone, so derivation never decodes dummy elements and
// recursive element types are handled by the deriver's stack.

/// A leaf type with a fixed schema and a placeholder value.
protocol SchemaPrimitive {
    static var primitiveSchema: JSONSchema { get }
    static var schemaPlaceholder: Self { get }
}

/// `Optional`: the wrapped type; `nil` as placeholder.
protocol SchemaOptionalType {
    static var wrappedSchemaType: any Decodable.Type { get }
    static var schemaNone: Self { get }
}

/// `Array`, `ContiguousArray`, `Set`: the element type; empty as placeholder.
protocol SchemaSequenceType {
    static var elementSchemaType: any Decodable.Type { get }
    static var hasUniqueElements: Bool { get }
    static var schemaEmpty: Self { get }
}

/// `Dictionary`: key and value types; empty as placeholder.
protocol SchemaDictionaryType {
    static var keySchemaType: any Decodable.Type { get }
    static var valueSchemaType: any Decodable.Type { get }
    static var schemaEmpty: Self { get }
}

extension Optional: SchemaOptionalType where Wrapped: Decodable {
    static var wrappedSchemaType: any Decodable.Type { Wrapped.self }
    static var schemaNone: Self { nil }
}

extension Array: SchemaSequenceType where Element: Decodable {
    static var elementSchemaType: any Decodable.Type { Element.self }
    static var hasUniqueElements: Bool { false }
    static var schemaEmpty: Self { [] }
}

extension ContiguousArray: SchemaSequenceType where Element: Decodable {
    static var elementSchemaType: any Decodable.Type { Element.self }
    static var hasUniqueElements: Bool { false }
    static var schemaEmpty: Self { [] }
}

extension Set: SchemaSequenceType where Element: Decodable {
    static var elementSchemaType: any Decodable.Type { Element.self }
    static var hasUniqueElements: Bool { true }
    static var schemaEmpty: Self { [] }
}

extension Dictionary: SchemaDictionaryType where Key: Decodable, Value: Decodable {
    static var keySchemaType: any Decodable.Type { Key.self }
    static var valueSchemaType: any Decodable.Type { Value.self }
    static var schemaEmpty: Self { [:] }
}

extension Bool: SchemaPrimitive {
    static var primitiveSchema: JSONSchema { .boolean }
    static var schemaPlaceholder: Bool { false }
}

extension String: SchemaPrimitive {
    static var primitiveSchema: JSONSchema { .string }
    static var schemaPlaceholder: String { "" }
}

extension Double: SchemaPrimitive {
    static var primitiveSchema: JSONSchema { .number }
    static var schemaPlaceholder: Double { 0 }
}

extension Float: SchemaPrimitive {
    static var primitiveSchema: JSONSchema { .number }
    static var schemaPlaceholder: Float { 0 }
}

extension Decimal: SchemaPrimitive {
    static var primitiveSchema: JSONSchema { .number }
    static var schemaPlaceholder: Decimal { 0 }
}

/// Integers: `integer`; sized ones bounded, unsigned ones with `minimum: 0`.
protocol SchemaInteger: SchemaPrimitive, FixedWidthInteger {}

extension SchemaInteger {
    static var primitiveSchema: JSONSchema {
        var schema = JSONSchema.integer
        if !Self.isSigned { schema.minimum = 0 }
        if Self.bitWidth <= 32 {
            schema.minimum = Double(Self.min)
            schema.maximum = Double(Self.max)
        }
        return schema
    }

    static var schemaPlaceholder: Self { 0 }
}

extension Int: SchemaInteger {}
extension Int8: SchemaInteger {}
extension Int16: SchemaInteger {}
extension Int32: SchemaInteger {}
extension Int64: SchemaInteger {}
extension Int128: SchemaInteger {}
extension UInt: SchemaInteger {}
extension UInt8: SchemaInteger {}
extension UInt16: SchemaInteger {}
extension UInt32: SchemaInteger {}
extension UInt64: SchemaInteger {}
extension UInt128: SchemaInteger {}

extension Date: SchemaPrimitive {
    static var primitiveSchema: JSONSchema { .string(format: "date-time") }
    static var schemaPlaceholder: Date { Date(timeIntervalSince1970: 0) }
}

extension URL: SchemaPrimitive {
    static var primitiveSchema: JSONSchema { .string(format: "uri") }
    static var schemaPlaceholder: URL { URL(string: "https://example.com")! }
}

extension UUID: SchemaPrimitive {
    static var primitiveSchema: JSONSchema { .string(format: "uuid") }
    static var schemaPlaceholder: UUID { UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)) }
}

extension Data: SchemaPrimitive {
    static var primitiveSchema: JSONSchema {
        var schema = JSONSchema.string
        schema.contentEncoding = "base64"
        return schema
    }
    static var schemaPlaceholder: Data { Data() }
}

extension JSONValue: SchemaPrimitive {
    /// Any JSON value: `{}`.
    static var primitiveSchema: JSONSchema { .any }
    static var schemaPlaceholder: JSONValue { .null }
}
