import Synchronization

extension JSONSchema {
    /// Derives the schema of a `Decodable` type from its own `init(from:)`, with no hand-written schema.
    ///
    /// The type's initializer runs against an introspecting decoder that records each key it reads and with
    /// which type, feeding placeholder values back. So:
    /// - structs and classes become closed objects (`properties` in declaration order, `required`,
    ///   `additionalProperties: false`); optionals (`T?`, `decodeIfPresent`, keys probed with `contains`) are
    ///   left out of `required` and also accept `null`; a type whose `init(from:)` reads nothing (an empty
    ///   struct) becomes an empty closed object;
    /// - integers → `integer` (sized ones bounded, unsigned ones `minimum: 0`); `Double`/`Float`/`Decimal` →
    ///   `number`; `Bool` → `boolean`; `String` → `string`; `Date`/`URL`/`UUID` → `string` with format
    ///   `date-time`/`uri`/`uuid` (dates assume an ISO 8601 encoding); `Data` → base64 `string`;
    ///   `JSONValue` → `{}`;
    /// - `Array`/`Set` → `array` (`Set` with `uniqueItems`); `[String: V]`, `[Int: V]` and dictionaries keyed
    ///   by a `CodingKeyRepresentable` type → `object` with `additionalProperties: <V>` (and `propertyNames`
    ///   for `Int` keys and `CaseIterable` keys);
    /// - `CaseIterable` raw-value enums → `enum` of their raw values;
    /// - recursive types → `$defs` + `$ref` (the root type refers to itself as `#` and stays inline); other
    ///   nested types are inlined;
    /// - ``SchemaDescribing`` adds descriptions; ``CustomJSONSchema`` replaces derivation for a type.
    ///
    /// The result is deterministic and cached per type.
    public static func derive<T: Decodable>(from type: T.Type) throws(SchemaDerivationError) -> JSONSchema {
        let id = ObjectIdentifier(type)
        if let cached = derivedSchemas.withLock({ $0[id] }) { return cached }
        let schema: JSONSchema
        do {
            schema = try SchemaDeriver(root: type).run(type)
        } catch let error as SchemaDerivationError {
            throw error
        } catch {
            throw SchemaDerivationError(
                code: .decodingFailed, typeName: SchemaDeriver.name(type), codingPath: "$",
                message: "introspection failed: \(error)", underlyingError: error
            )
        }
        derivedSchemas.withLock { $0[id] = schema }
        return schema
    }

    /// Present (`true`) in `decoder.userInfo` while ``derive(from:)`` runs a type's `init(from:)`, for
    /// initializers that must behave differently under introspection (skip checks on placeholder values).
    public static let introspectionUserInfoKey = CodingUserInfoKey(rawValue: "micro.schemaIntrospection")!

    /// Derived schemas by type: derivation runs once per type.
    private static let derivedSchemas = Mutex<[ObjectIdentifier: JSONSchema]>([:])
}
