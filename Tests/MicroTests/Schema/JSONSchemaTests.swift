import Testing

@testable import Micro

@Suite("JSON Schema model")
struct JSONSchemaTests {
    @Test func constructorsWriteStandardKeywordsInDeclarationOrder() {
        let schema = JSONSchema.object(
            properties: [
                "query": .string(description: "Search text", minLength: 1),
                "limit": .integer(minimum: 1, maximum: 50),
                "sort": .enumeration(["price", "rating"]),
                "tags": .array(of: .string, uniqueItems: true),
                "where": .ref("#/$defs/Place"),
            ],
            required: ["query"],
            description: "Find hotels."
        )
        #expect(
            schema.serialized()
                == ##"{"description":"Find hotels.","type":"object","properties":{"query":{"description":"Search text","type":"string","minLength":1},"limit":{"type":"integer","minimum":1,"maximum":50},"sort":{"type":"string","enum":["price","rating"]},"tags":{"type":"array","items":{"type":"string"},"uniqueItems":true},"where":{"$ref":"#/$defs/Place"}},"required":["query"],"additionalProperties":false}"##
        )
        #expect(schema.jsonValue["properties"]?["limit"]?["maximum"] == .integer(50))
        #expect(schema[property: "limit"] == .integer(minimum: 1, maximum: 50))
    }

    @Test func prettySerialization() {
        let schema = JSONSchema.object(properties: ["a": .array(of: .null)], required: ["a"])
        #expect(
            schema.serialized(pretty: true) == """
                {
                  "type": "object",
                  "properties": {
                    "a": {
                      "type": "array",
                      "items": {
                        "type": "null"
                      }
                    }
                  },
                  "required": [
                    "a"
                  ],
                  "additionalProperties": false
                }
                """
        )
    }

    @Test func parsesEveryKeywordAndKeepsUnknownOnes() throws {
        let json: JSONValue = [
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "T", "description": "D", "type": ["object", "null"],
            "properties": ["b": ["type": "integer", "exclusiveMinimum": 0, "maximum": 2.5], "a": true],
            "required": ["a"], "additionalProperties": ["type": "string", "format": "uri"],
            "propertyNames": ["pattern": "^[a-z]+$", "minLength": 1, "maxLength": 9],
            "anyOf": [["minProperties": 1], false], "oneOf": [[:]], "allOf": [[:]], "not": ["const": nil],
            "default": [:], "examples": [["a": 1]], "x-vendor": 7,
            "$defs": ["Item": ["items": ["enum": [1, "two"]], "minItems": 1, "maxItems": 3, "uniqueItems": true]],
        ]
        let schema = try JSONSchema(json)
        #expect(schema.type == [.object, .null])
        #expect(schema.properties?.map(\.name) == ["a", "b"])  // a JSON object has no order: sorted
        #expect(schema[property: "a"] == .any)
        #expect(schema[property: "b"]?.exclusiveMinimum == 0)
        #expect(schema.additionalProperties == .schema(.string(format: "uri")))
        #expect(schema.propertyNames?.pattern == "^[a-z]+$")
        #expect(schema.anyOf?[1].not == .any)
        #expect(schema.not?.const == .some(.null))
        #expect(schema.defs?.first?.schema.items?.enum == [1, "two"])
        #expect(schema.unknownKeywords == ["$schema": "https://json-schema.org/draft/2020-12/schema", "x-vendor": 7])
        #expect(schema.anyOf?[0].unknownKeywords == ["minProperties": 1])
        #expect(schema.jsonValue == json.replacingBooleanSchemas)
    }

    static let malformed: [(JSONValue, String, String)] = [
        (["type": 1], "$.type", "expected a string or an array of strings, got integer"),
        (["type": "decimal"], "$.type", "unknown type \"decimal\""),
        (["properties": ["a": ["minLength": -1]]], "$.properties.a.minLength", "expected a non-negative integer, got integer"),
        (["items": "string"], "$.items", "expected an object or a boolean, got string"),
        (["anyOf": [true, 3]], "$.anyOf[1]", "expected an object or a boolean, got integer"),
        ("x", "$", "expected an object or a boolean, got string"),
    ]

    @Test(arguments: malformed)
    func rejectsMalformedSchemas(json: JSONValue, path: String, message: String) {
        #expect(throws: JSONSchema.ParseError(path: path, message: message)) { try JSONSchema(json) }
    }

    @Test func orNull() {
        #expect(JSONSchema.string.orNull().type == [.string, .null])
        #expect(JSONSchema.string.orNull().orNull() == JSONSchema.string.orNull())
        #expect(JSONSchema.enumeration(["a"]).orNull().enum == ["a", nil])
        #expect(JSONSchema.any.orNull() == .any)
        #expect(JSONSchema.ref("#").orNull() == .anyOf([.ref("#"), .null]))
        #expect(JSONSchema.anyOf([.ref("#"), .null]).orNull() == .anyOf([.ref("#"), .null]))
        #expect(JSONSchema.ref("#").withDescription("d").orNull() == .anyOf([.ref("#"), .null], description: "d"))
        #expect(JSONSchema.constant("x").orNull().validate(nil).isEmpty)
    }

    @Test func definitionsFromDraft7AreResolved() throws {
        let schema = try JSONSchema([
            "type": "array", "items": ["$ref": "#/definitions/pos"],
            "definitions": ["pos": ["type": "integer", "minimum": 1]],
        ])
        #expect(schema.validate([1, 0]).map(\.description) == ["$[1]: must be >= 1, got 0"])
    }

    @Test func equalityAndHashingIgnoreTheCompiledValidator() {
        let used = JSONSchema.integer(maximum: 3)
        _ = used.validate(1)
        let fresh = JSONSchema.integer(maximum: 3)
        #expect(used == fresh)
        #expect(used.hashValue == fresh.hashValue)
        #expect(Set([used, fresh]).count == 1)
    }
}

extension JSONValue {
    /// The value with boolean subschemas in schema positions written the way ``JSONSchema`` writes them.
    fileprivate var replacingBooleanSchemas: JSONValue {
        guard var object = objectValue else { return self }
        object["properties"] = ["b": object["properties"]!["b"]!, "a": [:]]
        object["anyOf"] = [["minProperties": 1], ["not": [:]]]
        return .object(object)
    }
}
