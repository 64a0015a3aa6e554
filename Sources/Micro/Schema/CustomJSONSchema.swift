/// A type that states its own schema, used as-is by ``JSONSchema/derive(from:)``: the escape hatch for a
/// custom `init(from:)` that introspection cannot follow (it branches on the data, validates it, or decodes
/// something other than what it stores).
///
/// When such a type is a required field of a derived type, derivation also needs one instance of it to
/// carry on: it runs `init(from:)` on placeholder values, and if that throws, decodes the schema's `default`
/// or first decodable `examples` value with Foundation's `JSONDecoder`. Give one of those when the
/// placeholder run fails.
public protocol CustomJSONSchema {
    /// The schema, written by hand.
    static var jsonSchema: JSONSchema { get }
}
