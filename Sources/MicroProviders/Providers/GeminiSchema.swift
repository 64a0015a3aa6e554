import Micro

/// Converts a JSON Schema into the OpenAPI 3.0 subset Gemini's `functionDeclarations[].parameters` accepts.
///
/// - `type: [T, "null"]` becomes `type: T, nullable: true`; several non-null types become `anyOf`.
/// - `$ref: "#/$defs/X"` (or `#/definitions/X`) is replaced by the definition, inlined; a recursive
///   reference deeper than ``maximumDepth`` becomes `{type: object}`. `$defs`/`definitions` are dropped.
/// - `null` is dropped from `enum` (`nullable` says it; Gemini enums hold strings only).
/// - `oneOf` becomes `anyOf`; `const` becomes a one-value `enum`; a single-entry `allOf` is merged.
/// - Keywords outside the subset (`additionalProperties`, `$schema`, `$id`, `patternProperties`,
///   `exclusiveMinimum`, `examples`, `not`, …) are dropped.
enum GeminiSchema {
    static let maximumDepth = 8
    static let kept: Set<String> = [
        "type", "format", "title", "description", "nullable", "enum", "items", "maxItems", "minItems", "properties",
        "required", "minProperties", "maxProperties", "minLength", "maxLength", "pattern", "example", "anyOf",
        "propertyOrdering", "default", "minimum", "maximum",
    ]

    static func convert(_ schema: JSONValue) -> JSONValue {
        let definitions = (schema["$defs"]?.objectValue ?? [:]).merging(schema["definitions"]?.objectValue ?? [:]) { a, _ in a }
        return convert(schema, definitions: definitions, depth: 0)
    }

    private static func convert(_ schema: JSONValue, definitions: [String: JSONValue], depth: Int) -> JSONValue {
        guard var object = schema.objectValue else { return schema }
        if let ref = object["$ref"]?.stringValue {
            let name = ref.split(separator: "/").last.map(String.init) ?? ""
            guard depth < maximumDepth, let target = definitions[name] else { return ["type": "object"] }
            var merged = target.objectValue ?? [:]
            for (key, value) in object where key != "$ref" { merged[key] = value }
            return convert(.object(merged), definitions: definitions, depth: depth + 1)
        }
        if let allOf = object["allOf"]?.arrayValue, allOf.count == 1, let only = allOf[0].objectValue {
            object["allOf"] = nil
            for (key, value) in only where object[key] == nil { object[key] = value }
            return convert(.object(object), definitions: definitions, depth: depth)
        }
        if let oneOf = object["oneOf"], object["anyOf"] == nil { object["anyOf"] = oneOf }
        if let constant = object["const"], object["enum"] == nil { object["enum"] = [constant] }
        if let types = object["type"]?.arrayValue {
            let names = types.compactMap(\.stringValue)
            let nonNull = names.filter { $0 != "null" }
            if nonNull.count < names.count { object["nullable"] = true }
            if nonNull.count == 1 {
                object["type"] = .string(nonNull[0])
            } else {
                object["type"] = nil
                if !nonNull.isEmpty { object["anyOf"] = .array(nonNull.map { ["type": .string($0)] }) }
            }
        }
        var out: [String: JSONValue] = [:]
        for (key, value) in object where kept.contains(key) {
            switch key {
            case "properties":
                out[key] = .object((value.objectValue ?? [:]).mapValues { convert($0, definitions: definitions, depth: depth) })
            case "items":
                out[key] = convert(value, definitions: definitions, depth: depth)
            case "enum":
                out[key] = .array((value.arrayValue ?? []).filter { !$0.isNull })
            case "anyOf":
                out[key] = .array((value.arrayValue ?? []).map { convert($0, definitions: definitions, depth: depth) })
            default:
                out[key] = value
            }
        }
        return .object(out)
    }
}
