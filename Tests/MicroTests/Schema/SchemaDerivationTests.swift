import Foundation
import Testing

@testable import Micro

// Fixtures are nested in the suite so their names cannot clash with other test files.
extension SchemaDerivationTests {
    // MARK: - Types under test

    struct Flat: Codable {
        let name: String
        let age: Int
        let score: Double
        let active: Bool
    }

    struct Person: Codable {
        let name: String
        let email: String?
    }

    struct Leg: Codable {
        let from: String
        let to: String
    }

    struct Trip: Codable {
        let traveler: Person
        let legs: [Leg]
    }

    struct Collections: Codable {
        let tags: [String]
        let ids: Set<Int>
        let matrix: [[Double]]
        let maybe: [String?]
    }

    struct Optionals: Codable {
        let id: String
        let count: Int?
        let person: Person?
        let list: [Int]?
        let doubleOptional: Bool??
    }

    enum Cabin: String, Codable, CaseIterable {
        case economy, business, first
    }

    enum Priority: Int, Codable, CaseIterable {
        case low = 1, high = 2
    }

    struct Enums: Codable {
        let cabin: Cabin
        let priority: Priority?
    }

    struct Numbers: Codable {
        let int: Int
        let int8: Int8
        let int64: Int64
        let uint: UInt
        let uint16: UInt16
        let double: Double
        let float: Float
        let decimal: Decimal
    }

    struct FoundationTypes: Codable {
        let at: Date
        let link: URL
        let id: UUID
        let blob: Data
    }

    enum Weekday: String, Codable, CaseIterable, CodingKeyRepresentable {
        case mon, tue
    }

    struct Maps: Codable {
        let counts: [String: Int]
        let byNumber: [Int: String]
        let byDay: [Weekday: Double]
        let nested: [String: [Leg]]
    }

    final class Node: Codable {
        let name: String
        let children: [Node]
    }

    struct Org: Codable {
        let name: String
        let root: Node
        let backup: Node?
    }

    struct Category: Codable {
        let title: String
        let subcategories: [Category]
    }

    /// A class box that makes a recursive struct possible.
    final class Indirect<Value: Codable>: Codable {
        let value: Value

        init(from decoder: any Decoder) throws {
            value = try decoder.singleValueContainer().decode(Value.self)
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(value)
        }
    }

    struct Tree: Codable {
        let value: Int
        let left: Indirect<Tree>?
        let right: Indirect<Tree>?
    }

    struct Forest: Codable {
        let trees: [Tree]
        let biggest: Tree?
    }

    struct Department: Codable {
        let name: String
        let teams: [Team]
    }

    struct Team: Codable {
        let lead: String
        let parent: Department?
    }

    struct Company: Codable {
        let departments: [Department]
    }

    enum First {
        final class Node: Codable {
            let next: Node?
        }
    }

    enum Second {
        final class Node: Codable {
            let items: [Node]
        }
    }

    struct SameNames: Codable {
        let a: First.Node
        let b: Second.Node
    }

    struct Described: Codable, SchemaDescribing {
        let city: String
        let nights: Int
        let guest: Person

        static let schemaDescription: String? = "Books a hotel room."
        static let fieldDescriptions = ["city": "City name, e.g. Paris.", "guest": "Who stays."]
    }

    /// Parses `"12.50 EUR"`: introspection cannot follow it, so it states its schema.
    struct Money: Codable, CustomJSONSchema {
        let cents: Int
        let currency: String

        init(from decoder: any Decoder) throws {
            let text = try decoder.singleValueContainer().decode(String.self)
            let parts = text.split(separator: " ")
            guard parts.count == 2, let amount = Double(parts[0]) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not money"))
            }
            cents = Int((amount * 100).rounded())
            currency = String(parts[1])
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode("\(Double(cents) / 100) \(currency)")
        }

        static var jsonSchema: JSONSchema {
            var schema = JSONSchema.string(description: "Amount and ISO currency", pattern: "^[0-9]+(\\.[0-9]+)? [A-Z]{3}$")
            schema.examples = ["12.50 EUR"]
            return schema
        }
    }

    struct Price: Codable {
        let amount: Money
        let discount: Money?
    }

    struct UserID: Codable, RawRepresentable, Hashable {
        var rawValue: String
    }

    struct Celsius: Codable {
        let degrees: Double

        init(from decoder: any Decoder) throws {
            degrees = try decoder.singleValueContainer().decode(Double.self)
        }
    }

    struct Wrappers: Codable {
        let user: UserID
        let temperature: Celsius
    }

    struct Empty: Codable {}

    class Animal: Codable {
        let name: String
    }

    /// A subclass whose initializer reads its own key and then hands the same decoder to `super`.
    final class Dog: Animal {
        let breed: String

        enum Keys: String, CodingKey { case breed }

        required init(from decoder: any Decoder) throws {
            breed = try decoder.container(keyedBy: Keys.self).decode(String.self, forKey: .breed)
            try super.init(from: decoder)
        }
    }

    struct LinkedList<Element: Codable>: Codable {
        let value: Element
        let next: Indirect<LinkedList<Element>>?
    }

    struct Kennel: Codable {
        let dog: Dog
        let queue: LinkedList<Int>
    }

    /// Decodes `[1, "a"]`.
    struct Pair: Decodable {
        let number: Int
        let text: String

        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            number = try container.decode(Int.self)
            text = try container.decode(String.self)
        }
    }

    /// A hand-written `init(from:)` with nested containers, renamed keys and `contains`.
    struct Handwritten: Decodable {
        let id: Int
        let label: String
        let lat: Double
        let lon: Double
        let note: String?

        enum Keys: String, CodingKey { case id = "ID", label, position, note }
        enum PositionKeys: String, CodingKey { case lat, lon }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            id = try container.decode(Int.self, forKey: .id)
            label = container.contains(.label) ? try container.decode(String.self, forKey: .label) : "untitled"
            let position = try container.nestedContainer(keyedBy: PositionKeys.self, forKey: .position)
            lat = try position.decode(Double.self, forKey: .lat)
            lon = try position.decode(Double.self, forKey: .lon)
            note = try container.decodeIfPresent(String.self, forKey: .note)
        }
    }

    // Failure cases.

    enum Color: String, Codable {
        case red, green
    }

    struct Paint: Codable {
        let name: String
        let color: Color
    }

    struct Email: Decodable {
        let address: String

        init(from decoder: any Decoder) throws {
            address = try decoder.singleValueContainer().decode(String.self)
            guard address.contains("@") else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "no @"))
            }
        }
    }

    struct Contact: Decodable {
        let emails: [Email]
        let primary: Email
    }

    enum Shade: String, Codable, CaseIterable {
        case light, dark
    }

    struct ShadeCounts: Codable {
        let counts: [Shade: Int]
    }

    struct Misdescribed: Codable, SchemaDescribing {
        let name: String
        static let fieldDescriptions = ["nmae": "typo"]
    }

    /// A custom-schema type whose placeholder run fails and that gives no `default`/`examples`.
    struct Strict: Codable, CustomJSONSchema {
        init(from decoder: any Decoder) throws {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "never"))
        }
        static var jsonSchema: JSONSchema { .string() }
    }

    struct HoldsStrict: Codable {
        let value: Strict
    }
}

// MARK: - Tests

@Suite("Schema derivation")
struct SchemaDerivationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let derive: @Sendable () throws -> JSONSchema
        let expected: String

        init<T: Decodable & SendableMetatype>(_ name: String, _ type: T.Type, _ expected: String) {
            self.name = name
            derive = { try JSONSchema.derive(from: T.self) }
            self.expected = expected
        }

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            "flat struct", Flat.self,
            ##"{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},"score":{"type":"number"},"active":{"type":"boolean"}},"required":["name","age","score","active"],"additionalProperties":false}"##
        ),
        Case(
            "nested structs and arrays of structs", Trip.self,
            ##"{"type":"object","properties":{"traveler":{"type":"object","properties":{"name":{"type":"string"},"email":{"type":["string","null"]}},"required":["name"],"additionalProperties":false},"legs":{"type":"array","items":{"type":"object","properties":{"from":{"type":"string"},"to":{"type":"string"}},"required":["from","to"],"additionalProperties":false}}},"required":["traveler","legs"],"additionalProperties":false}"##
        ),
        Case(
            "arrays, sets, nested arrays, optional elements", Collections.self,
            ##"{"type":"object","properties":{"tags":{"type":"array","items":{"type":"string"}},"ids":{"type":"array","items":{"type":"integer"},"uniqueItems":true},"matrix":{"type":"array","items":{"type":"array","items":{"type":"number"}}},"maybe":{"type":"array","items":{"type":["string","null"]}}},"required":["tags","ids","matrix","maybe"],"additionalProperties":false}"##
        ),
        Case(
            "optionals are not required and accept null", Optionals.self,
            ##"{"type":"object","properties":{"id":{"type":"string"},"count":{"type":["integer","null"]},"person":{"type":["object","null"],"properties":{"name":{"type":"string"},"email":{"type":["string","null"]}},"required":["name"],"additionalProperties":false},"list":{"type":["array","null"],"items":{"type":"integer"}},"doubleOptional":{"type":["boolean","null"]}},"required":["id"],"additionalProperties":false}"##
        ),
        Case(
            "string and int enums", Enums.self,
            ##"{"type":"object","properties":{"cabin":{"type":"string","enum":["economy","business","first"]},"priority":{"type":["integer","null"],"enum":[1,2,null]}},"required":["cabin"],"additionalProperties":false}"##
        ),
        Case(
            "integer vs number, bounds of sized and unsigned integers", Numbers.self,
            ##"{"type":"object","properties":{"int":{"type":"integer"},"int8":{"type":"integer","minimum":-128,"maximum":127},"int64":{"type":"integer"},"uint":{"type":"integer","minimum":0},"uint16":{"type":"integer","minimum":0,"maximum":65535},"double":{"type":"number"},"float":{"type":"number"},"decimal":{"type":"number"}},"required":["int","int8","int64","uint","uint16","double","float","decimal"],"additionalProperties":false}"##
        ),
        Case(
            "dates, URLs, UUIDs, data", FoundationTypes.self,
            ##"{"type":"object","properties":{"at":{"type":"string","format":"date-time"},"link":{"type":"string","format":"uri"},"id":{"type":"string","format":"uuid"},"blob":{"type":"string","contentEncoding":"base64"}},"required":["at","link","id","blob"],"additionalProperties":false}"##
        ),
        Case(
            "dictionaries keyed by String, Int and a CodingKeyRepresentable enum", Maps.self,
            ##"{"type":"object","properties":{"counts":{"type":"object","additionalProperties":{"type":"integer"}},"byNumber":{"type":"object","additionalProperties":{"type":"string"},"propertyNames":{"type":"string","pattern":"^-?[0-9]+$"}},"byDay":{"type":"object","additionalProperties":{"type":"number"},"propertyNames":{"type":"string","enum":["mon","tue"]}},"nested":{"type":"object","additionalProperties":{"type":"array","items":{"type":"object","properties":{"from":{"type":"string"},"to":{"type":"string"}},"required":["from","to"],"additionalProperties":false}}}},"required":["counts","byNumber","byDay","nested"],"additionalProperties":false}"##
        ),
        Case(
            "recursive class at the root refers to itself as ##", Node.self,
            ##"{"type":"object","properties":{"name":{"type":"string"},"children":{"type":"array","items":{"$ref":"#"}}},"required":["name","children"],"additionalProperties":false}"##
        ),
        Case(
            "recursive class below the root goes to $defs", Org.self,
            ##"{"type":"object","properties":{"name":{"type":"string"},"root":{"$ref":"#/$defs/Node"},"backup":{"anyOf":[{"$ref":"#/$defs/Node"},{"type":"null"}]}},"required":["name","root"],"additionalProperties":false,"$defs":{"Node":{"type":"object","properties":{"name":{"type":"string"},"children":{"type":"array","items":{"$ref":"#/$defs/Node"}}},"required":["name","children"],"additionalProperties":false}}}"##
        ),
        Case(
            "struct recursive through an array", Category.self,
            ##"{"type":"object","properties":{"title":{"type":"string"},"subcategories":{"type":"array","items":{"$ref":"#"}}},"required":["title","subcategories"],"additionalProperties":false}"##
        ),
        Case(
            "struct recursive through an optional box", Forest.self,
            ##"{"type":"object","properties":{"trees":{"type":"array","items":{"$ref":"#/$defs/Tree"}},"biggest":{"anyOf":[{"$ref":"#/$defs/Tree"},{"type":"null"}]}},"required":["trees"],"additionalProperties":false,"$defs":{"Tree":{"type":"object","properties":{"value":{"type":"integer"},"left":{"anyOf":[{"$ref":"#/$defs/Tree"},{"type":"null"}]},"right":{"anyOf":[{"$ref":"#/$defs/Tree"},{"type":"null"}]}},"required":["value"],"additionalProperties":false}}}"##
        ),
        Case(
            "mutual recursion", Company.self,
            ##"{"type":"object","properties":{"departments":{"type":"array","items":{"$ref":"#/$defs/Department"}}},"required":["departments"],"additionalProperties":false,"$defs":{"Department":{"type":"object","properties":{"name":{"type":"string"},"teams":{"type":"array","items":{"type":"object","properties":{"lead":{"type":"string"},"parent":{"anyOf":[{"$ref":"#/$defs/Department"},{"type":"null"}]}},"required":["lead"],"additionalProperties":false}}},"required":["name","teams"],"additionalProperties":false}}}"##
        ),
        Case(
            "two recursive types with the same name", SameNames.self,
            ##"{"type":"object","properties":{"a":{"$ref":"#/$defs/Node"},"b":{"$ref":"#/$defs/Node2"}},"required":["a","b"],"additionalProperties":false,"$defs":{"Node":{"type":"object","properties":{"next":{"anyOf":[{"$ref":"#/$defs/Node"},{"type":"null"}]}},"additionalProperties":false},"Node2":{"type":"object","properties":{"items":{"type":"array","items":{"$ref":"#/$defs/Node2"}}},"required":["items"],"additionalProperties":false}}}"##
        ),
        Case(
            "type and field descriptions", Described.self,
            ##"{"description":"Books a hotel room.","type":"object","properties":{"city":{"description":"City name, e.g. Paris.","type":"string"},"nights":{"type":"integer"},"guest":{"description":"Who stays.","type":"object","properties":{"name":{"type":"string"},"email":{"type":["string","null"]}},"required":["name"],"additionalProperties":false}},"required":["city","nights","guest"],"additionalProperties":false}"##
        ),
        Case(
            "CustomJSONSchema is used as-is, even as a required field", Price.self,
            ##"{"type":"object","properties":{"amount":{"description":"Amount and ISO currency","type":"string","pattern":"^[0-9]+(\\.[0-9]+)? [A-Z]{3}$","examples":["12.50 EUR"]},"discount":{"description":"Amount and ISO currency","type":["string","null"],"pattern":"^[0-9]+(\\.[0-9]+)? [A-Z]{3}$","examples":["12.50 EUR"]}},"required":["amount"],"additionalProperties":false}"##
        ),
        Case(
            "single-value wrappers", Wrappers.self,
            ##"{"type":"object","properties":{"user":{"type":"string"},"temperature":{"type":"number"}},"required":["user","temperature"],"additionalProperties":false}"##
        ),
        Case("empty struct", Empty.self, ##"{"type":"object","properties":{},"additionalProperties":false}"##),
        Case(
            "hand-written init(from:) with nested container, contains and decodeIfPresent", Handwritten.self,
            ##"{"type":"object","properties":{"ID":{"type":"integer"},"label":{"type":"string"},"position":{"type":"object","properties":{"lat":{"type":"number"},"lon":{"type":"number"}},"required":["lat","lon"],"additionalProperties":false},"note":{"type":["string","null"]}},"required":["ID","position"],"additionalProperties":false}"##
        ),
        Case(
            "subclass sharing its decoder with super; generic recursive type", Kennel.self,
            ##"{"type":"object","properties":{"dog":{"type":"object","properties":{"breed":{"type":"string"},"name":{"type":"string"}},"required":["breed","name"],"additionalProperties":false},"queue":{"$ref":"#/$defs/LinkedList_Int"}},"required":["dog","queue"],"additionalProperties":false,"$defs":{"LinkedList_Int":{"type":"object","properties":{"value":{"type":"integer"},"next":{"anyOf":[{"$ref":"#/$defs/LinkedList_Int"},{"type":"null"}]}},"required":["value"],"additionalProperties":false}}}"##
        ),
        Case("unkeyed container read element by element", Pair.self, ##"{"type":"array","items":{"anyOf":[{"type":"integer"},{"type":"string"}]}}"##),
        Case("a bare array of enums", [Cabin].self, ##"{"type":"array","items":{"type":"string","enum":["economy","business","first"]}}"##),
    ]

    @Test(arguments: cases)
    func derivesExpectedSchema(_ testCase: Case) throws {
        let schema = try testCase.derive()
        #expect(schema.serialized() == testCase.expected)
        // The model round-trips through its JSON form.
        #expect(try JSONSchema(schema.jsonValue).jsonValue == schema.jsonValue)
    }

    // `JSONValue: Decodable` lives with the JSON coding code; look it up dynamically.
    @Test(.enabled(if: (JSONValue.self as Any) is any Decodable.Type, "needs JSONValue: Decodable"))
    func jsonValueItselfIsAnySchema() throws {
        let type = try #require((JSONValue.self as Any) as? any Decodable.Type)
        #expect(try JSONSchema.derive(from: type) == JSONSchema.any)
    }

    @Test func derivationIsDeterministicAndCached() throws {
        let first = try JSONSchema.derive(from: Company.self)
        let fresh = try SchemaDeriver(root: Company.self).run(Company.self)  // bypasses the cache
        #expect(first == fresh)
        #expect(first.serialized() == fresh.serialized())
        #expect(try JSONSchema.derive(from: Company.self) == first)
        #expect(try JSONSchema.derive(from: Numbers.self).required == ["int", "int8", "int64", "uint", "uint16", "double", "float", "decimal"])
    }

    struct FailureCase: Sendable, CustomTestStringConvertible {
        let name: String
        let derive: @Sendable () throws(SchemaDerivationError) -> JSONSchema
        let code: SchemaDerivationError.Code
        let typeName: String
        let path: String
        let messageMentions: String

        init<T: Decodable & SendableMetatype>(
            _ name: String, _ type: T.Type, _ code: SchemaDerivationError.Code, typeName: String, path: String,
            mentions: String
        ) {
            self.name = name
            derive = { () throws(SchemaDerivationError) in try JSONSchema.derive(from: T.self) }
            self.code = code
            self.typeName = typeName
            self.path = path
            messageMentions = mentions
        }

        var testDescription: String { name }
    }

    static let failures: [FailureCase] = [
        FailureCase(
            "raw-value enum without CaseIterable", Paint.self, .notCaseIterable, typeName: "Color", path: "$.color",
            mentions: "CaseIterable"
        ),
        FailureCase(
            "custom init(from:) that rejects placeholders", Contact.self, .decodingFailed, typeName: "Email",
            path: "$.emails[*]", mentions: "CustomJSONSchema"
        ),
        FailureCase(
            "dictionary keyed by a non-CodingKeyRepresentable enum", ShadeCounts.self, .unsupportedDictionaryKey,
            typeName: "Dictionary<Shade, Int>", path: "$.counts", mentions: "CodingKeyRepresentable"
        ),
        FailureCase(
            "field description for a missing field", Misdescribed.self, .unknownFieldDescription,
            typeName: "Misdescribed", path: "$", mentions: "\"nmae\""
        ),
        FailureCase(
            "required custom-schema field without a usable placeholder", HoldsStrict.self, .placeholderUnavailable,
            typeName: "Strict", path: "$.value", mentions: "`default` or `examples`"
        ),
    ]

    @Test(arguments: failures)
    func reportsClearErrors(_ failure: FailureCase) {
        do {
            let schema = try failure.derive()
            Issue.record("expected an error, derived \(schema.serialized())")
        } catch {
            #expect(error.code == failure.code)
            #expect(error.typeName == failure.typeName)
            #expect(error.codingPath == failure.path)
            #expect(error.message.contains(failure.messageMentions), "\(error)")
            #expect(error.description.hasPrefix("cannot derive a JSON Schema for \(failure.typeName) at \(failure.path): "))
        }
    }

    @Test func introspectionIsVisibleToInitializers() throws {
        struct Checked: Decodable {
            let code: String
            init(from decoder: any Decoder) throws {
                code = try decoder.singleValueContainer().decode(String.self)
                let introspecting = decoder.userInfo[JSONSchema.introspectionUserInfoKey] as? Bool == true
                guard introspecting || code.count == 3 else {
                    throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "bad code"))
                }
            }
        }
        #expect(try JSONSchema.derive(from: Checked.self) == .string)
    }
}
