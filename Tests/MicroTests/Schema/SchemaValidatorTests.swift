import Foundation
import Testing

@testable import Micro

// Fixtures are nested in the suite so their names cannot clash with other test files.
extension SchemaValidatorTests {
    enum Cabin: String, Codable, CaseIterable {
        case economy, business
    }

    struct Passenger: Codable, Equatable {
        let name: String
        let age: Int?
    }

    struct BookingRequest: Codable, Equatable {
        let city: String
        let nights: Int
        let checkIn: Date
        let passengers: [Passenger]
        let cabin: Cabin?
        let budget: Double?
        let tags: Set<String>
        let extras: [String: Int]
    }
}

@Suite("Schema validation")
struct SchemaValidatorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let schema: JSONSchema
        let value: JSONValue
        /// `path: message` of every expected violation, in order; empty when valid.
        let expected: [String]

        init(_ name: String, _ schema: JSONSchema, _ value: JSONValue, _ expected: [String] = []) {
            self.name = name
            self.schema = schema
            self.value = value
            self.expected = expected
        }

        var testDescription: String { name }
    }

    static let booking = try! JSONSchema.derive(from: BookingRequest.self)

    static let validBooking: JSONValue = [
        "city": "Paris", "nights": 2, "checkIn": "2025-06-01T15:00:00Z",
        "passengers": [["name": "Ada", "age": 36], ["name": "Alan", "age": nil]],
        "cabin": "economy", "tags": ["quiet"], "extras": ["breakfast": 2],
    ]

    static func booking(_ change: (inout [String: JSONValue]) -> Void) -> JSONValue {
        var object = validBooking.objectValue!
        change(&object)
        return .object(object)
    }

    static let tree: JSONSchema = {
        var schema = JSONSchema.object(
            properties: ["name": .string(minLength: 1), "children": .array(of: .ref("#/$defs/Node"))],
            required: ["name"]
        )
        schema.defs = [JSONSchema.NamedSchema("Node", .ref("#"))]
        return schema
    }()

    static let cases: [Case] = [
        // Derived schema: every violation reported, each at its path.
        Case("valid booking", booking, validBooking),
        Case(
            "wrong types, missing and unexpected properties", booking,
            booking {
                $0["nights"] = "two"
                $0["city"] = nil
                $0["extra"] = true
                $0["passengers"] = [["name": "Ada"], ["name": 7, "age": 2.5], "Bob"]
            },
            [
                ##"$: missing required property "city""##,
                ##"$.nights: expected integer, got string "two""##,
                ##"$.passengers[1].name: expected string, got integer 7"##,
                ##"$.passengers[1].age: expected integer or null, got number 2.5"##,
                ##"$.passengers[2]: expected object, got string "Bob""##,
                ##"$.extra: unexpected property (additionalProperties is false)"##,
            ]
        ),
        Case(
            "enum, date-time, uniqueItems, dictionary values", booking,
            booking {
                $0["cabin"] = "first"
                $0["checkIn"] = "tomorrow"
                $0["tags"] = ["a", "b", "a"]
                $0["extras"] = ["breakfast": "yes"]
            },
            [
                ##"$.checkIn: must be a date-time (RFC 3339, e.g. "2025-01-31T09:30:00Z"), got "tomorrow""##,
                ##"$.cabin: expected one of "economy", "business", null, got "first""##,
                ##"$.tags: items must be unique, but [0] and [2] are equal"##,
                ##"$.extras.breakfast: expected integer, got string "yes""##,
            ]
        ),
        Case("integral double is an integer", booking, booking { $0["nights"] = 2.0 }),
        Case("null for an optional property", booking, booking { $0["cabin"] = nil; $0["budget"] = .null }),
        Case("root of the wrong type", booking, [1, 2], ["$: expected object, got array"]),

        // Keywords one by one.
        Case("integer minimum", .integer(minimum: 1, maximum: 9), 0, ["$: must be >= 1, got 0"]),
        Case("integer maximum", .integer(minimum: 1, maximum: 9), 10, ["$: must be <= 9, got 10"]),
        Case("number bounds hold", .number(minimum: 0.5, maximum: 1.5), 1),
        Case("exclusive bounds", exclusive, 0, ["$: must be > 0, got 0"]),
        Case("exclusive maximum", exclusive, 10.0, ["$: must be < 10, got 10.0"]),
        Case("number accepts integers", .number, 3),
        Case("integer rejects fractions", .integer, 2.5, ["$: expected integer, got number 2.5"]),
        Case(
            "string lengths count characters", .string(minLength: 2, maxLength: 3), "é",
            ["$: must be at least 2 characters, got 1"]
        ),
        Case("string too long", .string(maxLength: 3), "abcd", ["$: must be at most 3 characters, got 4"]),
        Case(
            "pattern is unanchored", .string(pattern: "[A-Z]{3}"), "x-abc",
            [##"$: must match pattern "[A-Z]{3}", got "x-abc""##]
        ),
        Case("pattern matches", .string(pattern: "^[A-Z]{3}$"), "CDG"),
        Case("uuid", .string(format: "uuid"), "123e4567-e89b-12d3-a456-42661417400", [
            ##"$: must be a UUID (e.g. "123e4567-e89b-12d3-a456-426614174000"), got "123e4567-e89b-12d3-a456-42661417400""##
        ]),
        Case("uuid ok", .string(format: "uuid"), "123E4567-e89b-12d3-a456-426614174000"),
        Case("uri", .string(format: "uri"), "not a uri", [
            ##"$: must be an absolute URI (e.g. "https://example.com/a"), got "not a uri""##
        ]),
        Case("uri ok", .string(format: "uri"), "mailto:ada@example.com"),
        Case("date-time with offset and fraction", .string(format: "date-time"), "2024-02-29T23:59:60.123+05:30"),
        Case("date-time impossible day", .string(format: "date-time"), "2023-02-29T10:00:00Z", [
            ##"$: must be a date-time (RFC 3339, e.g. "2025-01-31T09:30:00Z"), got "2023-02-29T10:00:00Z""##
        ]),
        Case("date", .string(format: "date"), "2025-13-01", [
            ##"$: must be a date (RFC 3339 full-date, e.g. "2025-01-31"), got "2025-13-01""##
        ]),
        Case("unknown formats are annotations", .string(format: "hostname"), "anything"),
        Case("base64", base64, "aGk=x", ["$: must be base64-encoded (standard alphabet, padded)"]),
        Case("base64 ok", base64, "aGk="),
        Case("const", .constant("v1"), "v2", [##"$: expected "v1", got "v2""##]),
        Case("enum compares 1 and 1.0 as equal", .enumeration([1, 2]), 1.0),
        Case(
            "array bounds", .array(of: .integer, minItems: 2, maxItems: 3), [1],
            ["$: must have at least 2 items, got 1"]
        ),
        Case("array too long", .array(of: .integer, maxItems: 1), [1, 2], ["$: must have at most 1 item, got 2"]),
        Case(
            "additionalProperties schema", .dictionary(of: .boolean), ["a": true, "b": 1],
            ["$.b: expected boolean, got integer 1"]
        ),
        Case(
            "propertyNames", propertyNames, ["mon": 1, "fri": 2],
            [##"$.fri: invalid property name: expected one of "mon", "tue", got "fri""##]
        ),
        Case(
            "odd member names are quoted in paths", .object(properties: ["first name": .string], required: ["first name"]),
            ["first name": 1], [##"$["first name"]: expected string, got integer 1"##]
        ),
        Case(
            "anyOf explains through the branch of the value's type", .anyOf([.integer, .object(properties: ["a": .string], required: ["a"])]),
            ["b": 1], [##"$: missing required property "a""##, "$.b: unexpected property (additionalProperties is false)"]
        ),
        Case(
            "anyOf with no branch of the value's type", .anyOf([.integer, .null]), "x",
            [##"$: expected integer or null, got string "x""##]
        ),
        Case("oneOf matching one", .oneOf([.integer, .string]), 3),
        Case(
            "oneOf matching two", .oneOf([.integer, .number]), 3,
            ["$: must match exactly one schema in oneOf, but matches several"]
        ),
        Case("allOf", allOf, 5, ["$: must be <= 3, got 5"]),
        Case("not", notNull, .null, [##"$: must not match the schema in "not""##]),
        Case("$ref cycle through $defs", tree, ["name": "a", "children": [["name": "b", "children": [["name": ""]]]]], [
            "$.children[0].children[0].name: must be at least 1 character, got 0"
        ]),
        Case("unresolvable $ref", .ref("#/$defs/Missing"), 1, [##"$: unresolvable $ref "#/$defs/Missing" in the schema"##]),
        Case("empty schema accepts anything", .any, ["x": [1, nil, "y"]]),
        Case("false schema rejects everything", try! JSONSchema(false), 1, [##"$: must not match the schema in "not""##]),
    ]

    static var exclusive: JSONSchema {
        var schema = JSONSchema.number
        schema.exclusiveMinimum = 0
        schema.exclusiveMaximum = 10
        return schema
    }

    static var base64: JSONSchema {
        var schema = JSONSchema.string
        schema.contentEncoding = "base64"
        return schema
    }

    static var propertyNames: JSONSchema {
        var schema = JSONSchema.dictionary(of: .integer)
        schema.propertyNames = .enumeration(["mon", "tue"])
        return schema
    }

    static var allOf: JSONSchema {
        var schema = JSONSchema()
        schema.allOf = [.integer, .integer(maximum: 3)]
        return schema
    }

    static var notNull: JSONSchema {
        var schema = JSONSchema()
        schema.not = .null
        return schema
    }

    @Test(arguments: cases)
    func reportsEveryViolation(_ testCase: Case) {
        let violations = testCase.schema.validate(testCase.value)
        #expect(violations.map(\.description) == testCase.expected)
        #expect(testCase.schema.isValid(testCase.value) == testCase.expected.isEmpty)
        #expect(SchemaValidator(testCase.schema).validate(testCase.value) == violations)
    }

    @Test func violationCarriesPathAndMessage() throws {
        let violation = try #require(Self.booking.validate(Self.booking { $0["nights"] = "two" }).first)
        #expect(violation.path == "$.nights")
        #expect(violation.message == ##"expected integer, got string "two""##)
    }

    @Test func changingASchemaDropsItsCompiledValidator() {
        var schema = JSONSchema.integer(maximum: 3)
        #expect(schema.isValid(5) == false)
        schema.maximum = 10
        #expect(schema.isValid(5))
        let copy = schema
        schema.type = [.string]
        #expect(copy.isValid(5))
        #expect(schema.isValid(5) == false)
    }

    @Test func sharedSchemaValidatesConcurrently() async {
        let schema = JSONSchema.object(properties: ["n": .integer(maximum: 10)], required: ["n"])
        let results = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<16 {
                group.addTask { schema.isValid(["n": .integer(i)]) == (i <= 10) }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.allSatisfy { $0 })
    }

    // MARK: What JSONEncoder produces

    static func sampleBooking() -> BookingRequest {
        BookingRequest(
            city: "Lisbon", nights: 3, checkIn: Date(timeIntervalSince1970: 1_750_000_000),
            passengers: [Passenger(name: "Ada", age: 36), Passenger(name: "Alan", age: nil)], cabin: .business,
            budget: 1250.5, tags: ["sea", "quiet"], extras: ["parking": 1]
        )
    }

    @Test func derivedSchemaAcceptsWhatJSONEncoderProduces() throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(Self.sampleBooking())
        let value = Self.jsonValue(try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]))
        #expect(Self.booking.validate(value) == [])

        // And Foundation decodes what the schema accepts.
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        #expect(try decoder.decode(BookingRequest.self, from: data) == Self.sampleBooking())
    }

    @Test(arguments: [
        ("drop a required member", "$: missing required property \"nights\""),
        ("retype a number", "$.budget: expected number or null, got string \"cheap\""),
        ("add a member", "$.unknown: unexpected property (additionalProperties is false)"),
        ("break an element", "$.passengers[0].age: expected integer or null, got boolean true"),
        ("break the date", "$.checkIn: must be a date-time (RFC 3339, e.g. \"2025-01-31T09:30:00Z\"), got \"1750000000\""),
    ])
    func derivedSchemaRejectsMutatedEncoderOutput(mutation: String, expected: String) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let encoded = Self.jsonValue(try JSONSerialization.jsonObject(with: try encoder.encode(Self.sampleBooking())))
        var object = try #require(encoded.objectValue)
        switch mutation {
        case "drop a required member": object["nights"] = nil
        case "retype a number": object["budget"] = "cheap"
        case "add a member": object["unknown"] = 1
        case "break an element":
            var passengers = try #require(object["passengers"]?.arrayValue)
            var first = try #require(passengers[0].objectValue)
            first["age"] = true
            passengers[0] = .object(first)
            object["passengers"] = .array(passengers)
        default: object["checkIn"] = "1750000000"
        }
        #expect(Self.booking.validate(.object(object)).map(\.description) == [expected])
    }

    /// Foundation's `JSONSerialization` output as a ``JSONValue`` (booleans and integers told apart).
    static func jsonValue(_ object: Any) -> JSONValue {
        switch object {
        case is NSNull: return .null
        case let string as String: return .string(string)
        case let number as NSNumber:
            switch String(cString: number.objCType) {
            case "c": return .bool(number.boolValue)
            case "d", "f": return .number(number.doubleValue)
            default: return .integer(number.intValue)
            }
        case let array as [Any]: return .array(array.map(jsonValue))
        case let dictionary as [String: Any]: return .object(dictionary.mapValues(jsonValue))
        default: preconditionFailure("not a JSONSerialization value: \(object)")
        }
    }
}
