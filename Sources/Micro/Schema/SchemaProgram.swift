import Foundation
import Synchronization

/// A ``JSONSchema`` compiled for validation: a flat array of immutable nodes where subschemas and `$ref`s are
/// node indices (resolved once, so cycles cost nothing), patterns are compiled, formats are enums, and
/// `required` is folded into the property list. Built once per schema value and cached on it.
final class SchemaProgram: Sendable {
    /// Bits of the `type` keyword.
    struct TypeMask: OptionSet, Sendable {
        let rawValue: UInt8
        static let null = TypeMask(rawValue: 1 << 0)
        static let boolean = TypeMask(rawValue: 1 << 1)
        static let integer = TypeMask(rawValue: 1 << 2)
        static let number = TypeMask(rawValue: 1 << 3)
        static let string = TypeMask(rawValue: 1 << 4)
        static let array = TypeMask(rawValue: 1 << 5)
        static let object = TypeMask(rawValue: 1 << 6)

        init(rawValue: UInt8) { self.rawValue = rawValue }

        init(_ type: JSONSchema.InstanceType) {
            switch type {
            case .null: self = .null
            case .boolean: self = .boolean
            case .integer: self = .integer
            case .number: self = .number
            case .string: self = .string
            case .array: self = .array
            case .object: self = .object
            }
        }

        /// Whether a value of this kind satisfies the mask (an integral `.number` counts as an integer).
        func accepts(_ value: JSONValue) -> Bool {
            switch value {
            case .null: contains(.null)
            case .bool: contains(.boolean)
            case .integer: !isDisjoint(with: [.integer, .number])
            case .number(let d): contains(.number) || (contains(.integer) && d.isFinite && d.rounded() == d)
            case .string: contains(.string)
            case .array: contains(.array)
            case .object: contains(.object)
            }
        }

        /// `integer or null` (null last).
        var names: String {
            let order: [JSONSchema.InstanceType] = [.boolean, .integer, .number, .string, .array, .object, .null]
            return order.filter { contains(TypeMask($0)) }.map(\.rawValue).joined(separator: " or ")
        }
    }

    struct Property: Sendable {
        let name: String
        let node: Int
        let required: Bool
    }

    enum Additional: Sendable {
        case any
        case forbidden
        case node(Int)
    }

    enum Reference: Sendable {
        case node(Int)
        case unresolved(String)
    }

    struct Pattern: Sendable {
        let source: String
        let regex: NSRegularExpression?
    }

    /// One compiled schema; every field mirrors a keyword.
    final class Node: Sendable {
        let types: TypeMask
        let enumValues: [JSONValue]?
        let const: JSONValue?
        let properties: [Property]
        /// `required` names that `properties` does not declare.
        let extraRequired: [String]
        let additional: Additional
        let propertyNames: Int?
        let items: Int?
        let minItems: Int?
        let maxItems: Int?
        let uniqueItems: Bool
        let minLength: Int?
        let maxLength: Int?
        let pattern: Pattern?
        let format: SchemaFormat?
        let base64: Bool
        let minimum: Double?
        let maximum: Double?
        let exclusiveMinimum: Double?
        let exclusiveMaximum: Double?
        let anyOf: [Int]
        let oneOf: [Int]
        let allOf: [Int]
        let not: Int?
        let reference: Reference?
        /// Whether any object / array / string / number keyword is present (skips work when not).
        let checksObjects: Bool
        let checksArrays: Bool
        let checksStrings: Bool
        let checksNumbers: Bool

        init(_ spec: Spec) {
            types = spec.types
            enumValues = spec.enumValues
            const = spec.const
            properties = spec.properties
            extraRequired = spec.extraRequired
            additional = spec.additional
            propertyNames = spec.propertyNames
            items = spec.items
            minItems = spec.minItems
            maxItems = spec.maxItems
            uniqueItems = spec.uniqueItems
            minLength = spec.minLength
            maxLength = spec.maxLength
            pattern = spec.pattern
            format = spec.format
            base64 = spec.base64
            minimum = spec.minimum
            maximum = spec.maximum
            exclusiveMinimum = spec.exclusiveMinimum
            exclusiveMaximum = spec.exclusiveMaximum
            anyOf = spec.anyOf
            oneOf = spec.oneOf
            allOf = spec.allOf
            not = spec.not
            reference = spec.reference
            checksObjects =
                !properties.isEmpty || !extraRequired.isEmpty || propertyNames != nil
                || { if case .any = spec.additional { false } else { true } }()
            checksArrays = items != nil || minItems != nil || maxItems != nil || uniqueItems
            checksStrings = minLength != nil || maxLength != nil || pattern != nil || format != nil || base64
            checksNumbers = minimum != nil || maximum != nil || exclusiveMinimum != nil || exclusiveMaximum != nil
        }
    }

    /// A node under construction.
    struct Spec {
        var types: TypeMask = []
        var enumValues: [JSONValue]?
        var const: JSONValue?
        var properties: [Property] = []
        var extraRequired: [String] = []
        var additional: Additional = .any
        var propertyNames: Int?
        var items: Int?
        var minItems: Int?
        var maxItems: Int?
        var uniqueItems = false
        var minLength: Int?
        var maxLength: Int?
        var pattern: Pattern?
        var format: SchemaFormat?
        var base64 = false
        var minimum: Double?
        var maximum: Double?
        var exclusiveMinimum: Double?
        var exclusiveMaximum: Double?
        var anyOf: [Int] = []
        var oneOf: [Int] = []
        var allOf: [Int] = []
        var not: Int?
        var reference: Reference?
        var pendingReference: String?
    }

    /// The nodes; index 0 is the root.
    let nodes: [Node]

    init(_ root: JSONSchema) {
        var builder = Builder(root: root)
        _ = builder.add(root)
        builder.resolveReferences()
        nodes = builder.specs.map(Node.init)
    }

    private struct Builder {
        let root: JSONSchema
        var specs: [Spec] = []
        var definitions: [String: Int] = [:]

        init(root: JSONSchema) { self.root = root }

        mutating func add(_ schema: JSONSchema) -> Int {
            let index = specs.count
            specs.append(Spec())
            var spec = Spec()
            for type in schema.type { spec.types.insert(TypeMask(type)) }
            spec.enumValues = schema.enum
            spec.const = schema.const
            let required = schema.required ?? []
            var declared = Set<String>()
            for property in schema.properties ?? [] where declared.insert(property.name).inserted {
                spec.properties.append(
                    Property(name: property.name, node: add(property.schema), required: required.contains(property.name))
                )
            }
            var seenRequired = Set<String>()
            spec.extraRequired = required.filter { !declared.contains($0) && seenRequired.insert($0).inserted }
            switch schema.additionalProperties {
            case nil, .allowed: spec.additional = .any
            case .forbidden: spec.additional = .forbidden
            case .schema(let s): spec.additional = .node(add(s))
            }
            spec.propertyNames = schema.propertyNames.map { add($0) }
            spec.items = schema.items.map { add($0) }
            spec.minItems = schema.minItems
            spec.maxItems = schema.maxItems
            spec.uniqueItems = schema.uniqueItems ?? false
            spec.minLength = schema.minLength
            spec.maxLength = schema.maxLength
            spec.pattern = schema.pattern.map { Pattern(source: $0, regex: SchemaProgram.regex($0)) }
            spec.format = schema.format.flatMap(SchemaFormat.init)
            spec.base64 = schema.contentEncoding?.lowercased() == "base64"
            spec.minimum = schema.minimum
            spec.maximum = schema.maximum
            spec.exclusiveMinimum = schema.exclusiveMinimum
            spec.exclusiveMaximum = schema.exclusiveMaximum
            spec.anyOf = (schema.anyOf ?? []).map { add($0) }
            spec.oneOf = (schema.oneOf ?? []).map { add($0) }
            spec.allOf = (schema.allOf ?? []).map { add($0) }
            spec.not = schema.not.map { add($0) }
            spec.pendingReference = schema.ref
            specs[index] = spec
            return index
        }

        /// Points every `$ref` at its node, compiling each referenced definition once.
        mutating func resolveReferences() {
            var i = 0
            while i < specs.count {  // definitions compiled here append nodes, which get resolved in turn
                if let ref = specs[i].pendingReference {
                    specs[i].reference = resolve(ref).map(Reference.node) ?? .unresolved(ref)
                    specs[i].pendingReference = nil
                }
                i += 1
            }
        }

        private mutating func resolve(_ ref: String) -> Int? {
            if ref == "#" || ref == "#/" { return 0 }
            if let index = definitions[ref] { return index }
            let schema: JSONSchema?
            if let name = Self.definitionName(ref, prefix: "#/$defs/") {
                schema = root.defs?.first(where: { $0.name == name })?.schema
            } else if let name = Self.definitionName(ref, prefix: "#/definitions/") {
                schema = root.unknownKeywords["definitions"]?[name].flatMap { try? JSONSchema($0) }
            } else {
                schema = nil
            }
            guard let schema else { return nil }
            let index = add(schema)
            definitions[ref] = index
            return index
        }

        /// `Name` from `#/$defs/Name` (JSON Pointer and percent escapes undone), if nothing follows it.
        private static func definitionName(_ ref: String, prefix: String) -> String? {
            guard ref.hasPrefix(prefix) else { return nil }
            let token = ref.dropFirst(prefix.count)
            guard !token.isEmpty, !token.contains("/") else { return nil }
            let unescaped = (String(token).removingPercentEncoding ?? String(token))
            return unescaped.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    // MARK: Patterns

    private static let regexCache = Mutex<[String: NSRegularExpression]>([:])

    /// The compiled pattern (nil when invalid), shared across schemas.
    static func regex(_ pattern: String) -> NSRegularExpression? {
        if let cached = regexCache.withLock({ $0[pattern] }) { return cached }
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return nil }
        regexCache.withLock { cache in
            if cache.count >= 512 { cache.removeAll() }
            cache[pattern] = regex
        }
        return regex
    }
}
