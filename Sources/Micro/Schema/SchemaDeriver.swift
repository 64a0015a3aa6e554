import Foundation

/// One schema derivation (``JSONSchema/derive(from:)``): walks a type tree, type-level for standard types and
/// by running `init(from:)` on a ``SchemaIntrospectionDecoder`` for everything else.
///
/// A type met again while it is still being derived is recursive: it gets a `$defs` entry and `$ref`s (the
/// root type is referenced as `#` and stays inline). Other nested types are inlined. Not thread-safe: one
/// instance per derivation.
final class SchemaDeriver {
    private let rootType: ObjectIdentifier
    /// Types whose `init(from:)` is running, innermost last.
    private var stack: [ObjectIdentifier] = []
    /// Finished schemas (a `$ref` for recursive types) for reuse within this derivation.
    private var schemas: [ObjectIdentifier: JSONSchema] = [:]
    /// An instance of each type met so far, to hand back as a placeholder value.
    private var instances: [ObjectIdentifier: Any] = [:]
    /// `$defs` names of recursive types; unique per derivation.
    private var definitionNames: [ObjectIdentifier: String] = [:]
    private var usedNames: Set<String> = []
    private var definitions: [JSONSchema.NamedSchema] = []
    private var placeholderDepth = 0
    /// The first error raised, kept because a type's own `init(from:)` may swallow it (`try?`).
    private var failure: SchemaDerivationError?

    init(root: Any.Type) {
        rootType = ObjectIdentifier(root)
    }

    /// The schema of the root type, with `$defs` when some type is recursive.
    func run<T: Decodable>(_ type: T.Type) throws -> JSONSchema {
        var schema = try schema(for: type, at: [])
        if let failure { throw failure }
        if !definitions.isEmpty { schema.defs = definitions }
        return schema
    }

    // MARK: Schemas

    func schema<T: Decodable>(for type: T.Type, at path: [any CodingKey]) throws -> JSONSchema {
        let id = ObjectIdentifier(type)
        if let known = schemas[id] { return known }
        if let custom = type as? any CustomJSONSchema.Type {
            let schema = custom.jsonSchema
            schemas[id] = schema
            return schema
        }
        if let primitive = type as? any SchemaPrimitive.Type { return primitive.primitiveSchema }
        if let optional = type as? any SchemaOptionalType.Type {
            return try schema(for: optional.wrappedSchemaType, at: path).orNull()
        }
        if let sequence = type as? any SchemaSequenceType.Type {
            let items = try schema(for: sequence.elementSchemaType, at: path + [SchemaCodingKey.element])
            return .array(of: items, uniqueItems: sequence.hasUniqueElements)
        }
        if let dictionary = type as? any SchemaDictionaryType.Type {
            return try dictionarySchema(dictionary, at: path)
        }
        if let enumeration = try enumerationSchema(type, at: path) { return enumeration }
        return try derivedSchema(type, at: path)
    }

    /// A type without type-level knowledge: run its `init(from:)` and read what it asked for.
    private func derivedSchema<T: Decodable>(_ type: T.Type, at path: [any CodingKey]) throws -> JSONSchema {
        let id = ObjectIdentifier(type)
        if stack.contains(id) { return reference(to: type) }
        stack.append(id)
        defer { stack.removeLast() }

        let recording = SchemaRecording()
        let instance: T
        do {
            instance = try T(from: SchemaIntrospectionDecoder(deriver: self, recording: recording, codingPath: path))
        } catch {
            if let failure { throw failure }
            throw fail(
                .decodingFailed, type, path,
                "its init(from:) threw on the placeholder values introspection feeds it (\(error)); conform "
                    + "\(Self.name(type)) to CustomJSONSchema to state its schema by hand",
                underlying: error
            )
        }
        if let failure { throw failure }
        instances[id] = instance

        var schema = recording.schema()
        try describe(&schema, as: type, at: path)
        if id != rootType, let name = definitionNames[id] {
            definitions.append(JSONSchema.NamedSchema(name, schema))
            schema = .ref("#/$defs/" + name)
        }
        schemas[id] = schema
        return schema
    }

    /// A `$ref` to a type that is still being derived.
    private func reference(to type: Any.Type) -> JSONSchema {
        let id = ObjectIdentifier(type)
        if id == rootType { return .ref("#") }
        if let name = definitionNames[id] { return .ref("#/$defs/" + name) }
        let base = Self.definitionName(type)
        var name = base
        var suffix = 2
        while !usedNames.insert(name).inserted {
            name = base + String(suffix)
            suffix += 1
        }
        definitionNames[id] = name
        return .ref("#/$defs/" + name)
    }

    private func dictionarySchema(_ type: any SchemaDictionaryType.Type, at path: [any CodingKey]) throws -> JSONSchema {
        let keyType = type.keySchemaType
        var schema = JSONSchema.dictionary(of: try self.schema(for: type.valueSchemaType, at: path + [SchemaCodingKey.value]))
        if keyType == String.self { return schema }
        if keyType == Int.self {
            schema.propertyNames = .string(pattern: "^-?[0-9]+$")
            return schema
        }
        if let iterable = keyType as? any (CaseIterable & CodingKeyRepresentable).Type {
            schema.propertyNames = .enumeration(Self.keyNames(iterable).map(JSONValue.string))
            return schema
        }
        if keyType is any CodingKeyRepresentable.Type { return schema }
        throw fail(
            .unsupportedDictionaryKey, type, path,
            "its key type \(Self.name(keyType)) is not String, Int or CodingKeyRepresentable, so Codable encodes it "
                + "as a flat [key, value, …] array; conform \(Self.name(keyType)) to CodingKeyRepresentable "
                + "(free for String- and Int-backed enums)"
        )
    }

    /// Raw-value enums: `CaseIterable` ones list their raw values; others are an error, unless their
    /// `init(rawValue:)` takes any value (a wrapper struct), which is derived like any type. nil: not an enum.
    private func enumerationSchema<T: Decodable>(_ type: T.Type, at path: [any CodingKey]) throws -> JSONSchema? {
        guard let representable = type as? any RawRepresentable.Type else { return nil }
        if let iterable = type as? any (CaseIterable & RawRepresentable).Type {
            let (rawValues, first) = Self.cases(of: iterable)
            let values = rawValues.compactMap(Self.jsonValue(rawValue:))
            guard values.count == rawValues.count else { return nil }
            guard let first else {
                throw fail(.emptyEnum, type, path, "it has no cases, so no value can match")
            }
            var schema = JSONSchema.enumeration(values)
            try describe(&schema, as: type, at: path)
            schemas[ObjectIdentifier(type)] = schema
            instances[ObjectIdentifier(type)] = first
            return schema
        }
        if Self.acceptsAnyRawValue(representable) == false {
            throw fail(
                .notCaseIterable, type, path,
                "it is a raw-value enum that is not CaseIterable, so its cases cannot be listed; add `CaseIterable` "
                    + "to \(Self.name(type)) (or conform it to CustomJSONSchema)"
            )
        }
        return nil
    }

    /// Applies ``SchemaDescribing`` descriptions.
    private func describe<T>(_ schema: inout JSONSchema, as type: T.Type, at path: [any CodingKey]) throws {
        guard let describing = type as? any SchemaDescribing.Type else { return }
        if let description = describing.schemaDescription { schema.description = description }
        let fields = describing.fieldDescriptions
        guard !fields.isEmpty else { return }
        var properties = schema.properties ?? []
        for (name, description) in fields.sorted(by: { $0.key < $1.key }) {
            guard let index = properties.firstIndex(where: { $0.name == name }) else {
                let known = properties.map(\.name).joined(separator: ", ")
                throw fail(
                    .unknownFieldDescription, type, path,
                    "fieldDescriptions names \"\(name)\", which is not one of its properties (\(known))"
                )
            }
            properties[index].schema.description = description
        }
        schema.properties = properties
    }

    // MARK: Placeholder instances

    /// A value of `type` to return from a `decode` call so the caller's `init(from:)` can go on.
    func instance<T: Decodable>(of type: T.Type, at path: [any CodingKey]) throws -> T {
        let id = ObjectIdentifier(type)
        if let known = instances[id] as? T { return known }
        if let primitive = type as? any SchemaPrimitive.Type, let value = primitive.schemaPlaceholder as? T {
            return value
        }
        if let optional = type as? any SchemaOptionalType.Type, let value = optional.schemaNone as? T { return value }
        if let sequence = type as? any SchemaSequenceType.Type, let value = sequence.schemaEmpty as? T { return value }
        if let dictionary = type as? any SchemaDictionaryType.Type, let value = dictionary.schemaEmpty as? T {
            return value
        }
        if let iterable = type as? any CaseIterable.Type {
            guard let first = Self.firstCase(of: iterable) as? T else {
                throw fail(.emptyEnum, type, path, "it has no cases, so no value can match")
            }
            return first
        }
        let value = try placeholder(type, at: path)
        instances[id] = value
        return value
    }

    /// Builds an instance by running `init(from:)` in placeholder mode (absent optionals, empty collections),
    /// falling back to a ``CustomJSONSchema``'s `default` or `examples`.
    private func placeholder<T: Decodable>(_ type: T.Type, at path: [any CodingKey]) throws -> T {
        guard placeholderDepth < 32 else { throw SchemaPlaceholderTooDeep() }
        placeholderDepth += 1
        defer { placeholderDepth -= 1 }
        let savedFailure = failure
        do {
            return try T(from: SchemaIntrospectionDecoder(deriver: self, recording: nil, codingPath: path))
        } catch {
            failure = savedFailure
            if let custom = type as? any CustomJSONSchema.Type, let value = Self.decodeExample(type, from: custom.jsonSchema) {
                return value
            }
            if placeholderDepth > 1 { throw error }  // the outermost attempt reports
            let fix =
                type is any CustomJSONSchema.Type
                ? "add a valid `default` or `examples` value to \(Self.name(type)).jsonSchema"
                : "conform \(Self.name(type)) to CustomJSONSchema with a valid `default` value"
            throw fail(
                .placeholderUnavailable, type, path,
                "introspection needs one instance of it to go on (a required field), but its init(from:) rejects "
                    + "placeholder input (\(error)); \(fix)",
                underlying: error
            )
        }
    }

    private static func decodeExample<T: Decodable>(_ type: T.Type, from schema: JSONSchema) -> T? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        for candidate in [schema.default].compactMap({ $0 }) + (schema.examples ?? []) {
            if let value = try? decoder.decode(type, from: Data(SchemaJSONText.text(candidate).utf8)) { return value }
        }
        return nil
    }

    // MARK: Helpers

    private func fail(
        _ code: SchemaDerivationError.Code, _ type: Any.Type, _ path: [any CodingKey], _ message: String,
        underlying: (any Error)? = nil
    ) -> SchemaDerivationError {
        let error = SchemaDerivationError(
            code: code, typeName: Self.name(type), codingPath: SchemaCodingKey.render(path), message: message,
            underlyingError: underlying
        )
        if failure == nil { failure = error }
        return error
    }

    static func name(_ type: Any.Type) -> String { String(describing: type) }

    /// `Box<Tree>` → `Box_Tree`: a `$defs` key that needs no escaping.
    private static func definitionName(_ type: Any.Type) -> String {
        var name = ""
        for scalar in Self.name(type).unicodeScalars {
            let keep = scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "."
            if keep {
                name.unicodeScalars.append(scalar)
            } else if !name.hasSuffix("_") {
                name += "_"
            }
        }
        while name.hasSuffix("_") { name.removeLast() }
        return name.isEmpty ? "Type" : name
    }

    private static func cases<E: CaseIterable & RawRepresentable>(of type: E.Type) -> (rawValues: [Any], first: Any?) {
        let all = Array(type.allCases)
        return (all.map { $0.rawValue }, all.first)
    }

    private static func firstCase<E: CaseIterable>(of type: E.Type) -> Any? { type.allCases.first }

    private static func keyNames<K: CaseIterable & CodingKeyRepresentable>(_ type: K.Type) -> [String] {
        type.allCases.map { $0.codingKey.stringValue }
    }

    private static func jsonValue(rawValue: Any) -> JSONValue? {
        switch rawValue {
        case let s as String: .string(s)
        case let c as Character: .string(String(c))
        case let b as Bool: .bool(b)
        case let i as any BinaryInteger: Int(exactly: i).map(JSONValue.integer)
        case let d as Double: .number(d)
        case let f as Float: .number(Double(f))
        default: nil
        }
    }

    /// Whether `init(rawValue:)` takes two unrelated raw values (a wrapper, not an enum); nil if unknown.
    private static func acceptsAnyRawValue<R: RawRepresentable>(_ type: R.Type) -> Bool? {
        let probes: [Any]
        if let integer = R.RawValue.self as? any BinaryInteger.Type {
            probes = integerProbes(integer)
        } else if R.RawValue.self == String.self {
            probes = ["", "\u{1}micro schema probe"]
        } else {
            return nil
        }
        return probes.allSatisfy { probe in (probe as? R.RawValue).flatMap(R.init(rawValue:)) != nil }
    }

    private static func integerProbes<I: BinaryInteger>(_ type: I.Type) -> [Any] { [I.zero, I(exactly: 97) ?? I.zero] }
}

/// Placeholder construction nested too deep (a type that needs itself to be built).
private struct SchemaPlaceholderTooDeep: Error, CustomStringConvertible {
    var description: String { "placeholder construction nested more than 32 levels deep" }
}
