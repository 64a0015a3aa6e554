import Foundation
import Testing

import Micro

@Suite("JSONValueEncoder and JSONValueDecoder")
struct JSONValueCoderTests {
    enum Status: String, Codable, Equatable { case active, disabled }

    enum Shape: Codable, Equatable {
        case circle(radius: Double)
        case rectangle(width: Int, height: Int)
        case point
    }

    struct Address: Codable, Equatable {
        var street: String
        var zip: String?
    }

    struct Widths: Codable, Equatable {
        var i8: Int8, i16: Int16, i32: Int32, i64: Int64
        var u: UInt, u8: UInt8, u16: UInt16, u32: UInt32, u64: UInt64
        var f: Float
    }

    struct Everything: Codable, Equatable {
        var id: Int
        var name: String
        var score: Double
        var active: Bool
        var status: Status
        var shapes: [Shape]
        var address: Address?
        var missing: Address?
        var tags: [String: Int]
        var byNumber: [Int: String]
        var created: Date
        var homepage: URL
        var blob: Data
        var price: Decimal
        var extra: JSONValue
        var matrix: [[Int]]
        var widths: Widths
    }

    static let everything = Everything(
        id: 7, name: "Ada", score: 2.5, active: true, status: .disabled,
        shapes: [.circle(radius: 1.5), .rectangle(width: 2, height: 3), .point],
        address: Address(street: "Main St", zip: nil), missing: nil,
        tags: ["x": 1, "y": -2], byNumber: [1: "one", 20: "twenty"],
        created: Date(timeIntervalSince1970: 1_767_261_600.5),
        homepage: URL(string: "https://example.com/a?b=c")!, blob: Data([0, 1, 2, 250]),
        price: Decimal(string: "12.34")!, extra: ["k": [1, 2.0, nil]], matrix: [[1, 2], [], [3]],
        widths: Widths(
            i8: -128, i16: 32767, i32: -5, i64: .min, u: 5, u8: 255, u16: 65535, u32: 4_000_000_000,
            u64: UInt64(Int.max), f: 0.1
        )
    )

    static let everythingJSON: JSONValue = [
        "id": 7, "name": "Ada", "score": 2.5, "active": true, "status": "disabled",
        "shapes": [["circle": ["radius": 1.5]], ["rectangle": ["width": 2, "height": 3]], ["point": [:]]],
        "address": ["street": "Main St"],
        "tags": ["x": 1, "y": -2], "byNumber": ["1": "one", "20": "twenty"],
        "created": "2026-01-01T10:00:00.500Z", "homepage": "https://example.com/a?b=c", "blob": "AAEC+g==",
        "price": 12.34, "extra": ["k": [1, 2.0, nil]], "matrix": [[1, 2], [], [3]],
        "widths": [
            "i8": -128, "i16": 32767, "i32": -5, "i64": .integer(Int.min), "u": 5, "u8": 255, "u16": 65535,
            "u32": 4_000_000_000, "u64": .integer(Int.max), "f": 0.1,
        ],
    ]

    @Test func encodesToTheExpectedTree() throws {
        let encoded = try JSONValueEncoder().encode(Self.everything)
        #expect(encoded == Self.everythingJSON)
        #expect(encoded["missing"] == nil)  // encodeIfPresent omits nil
        #expect(encoded["extra"]?["k"]?[1] == .number(2))  // JSONValue passes through untouched
    }

    @Test func decodesTheExpectedTree() throws {
        #expect(try JSONValueDecoder().decode(Everything.self, from: Self.everythingJSON) == Self.everything)
    }

    @Test func roundTripsThroughTextAndFoundation() throws {
        let tree = try JSONValueEncoder().encode(Self.everything)
        let reparsed = try JSONValue(parsing: tree.canonicalBytes())
        #expect(try JSONValueDecoder().decode(Everything.self, from: reparsed) == Self.everything)
        // Foundation's JSONDecoder reads our text (dates and data decoded with matching strategies)...
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            return try Date(text, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true))
        }
        let viaFoundation = try decoder.decode(Everything.self, from: tree.canonicalData())
        #expect(viaFoundation.shapes == Self.everything.shapes)
        #expect(viaFoundation.created == Self.everything.created)
        // ...and we read Foundation's (whose .iso8601 strategy drops fractions of a second, and which
        // writes the number 2.0 as 2).
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        var wholeSeconds = Self.everything
        wholeSeconds.created = Date(timeIntervalSince1970: 1_767_261_600)
        wholeSeconds.extra = ["k": [1, 2.5, nil]]
        let foreign = try JSONValue(parsing: encoder.encode(wholeSeconds))
        #expect(try JSONValueDecoder().decode(Everything.self, from: foreign) == wholeSeconds)
    }

    @Test func nestedValuesDecodeNullAndOptionalsCorrectly() throws {
        let decoded = try JSONValueDecoder().decode(Address.self, from: ["street": "x", "zip": nil])
        #expect(decoded == Address(street: "x", zip: nil))
        #expect(try JSONValueDecoder().decode([Int?].self, from: [1, nil, 3]) == [1, nil, 3])
        #expect(try JSONValueEncoder().encode([1, nil, 3] as [Int?]) == [1, nil, 3])
        #expect(try JSONValueEncoder().encode(Int?.none) == .null)
    }

    @Test func topLevelValues() throws {
        let encoder = JSONValueEncoder()
        let decoder = JSONValueDecoder()
        #expect(try encoder.encode(5) == .integer(5))
        #expect(try encoder.encode(UInt8(5)) == .integer(5))
        #expect(try encoder.encode("s") == .string("s"))
        #expect(try encoder.encode(2.0) == .number(2))
        #expect(try encoder.encode(Float(0.1)) == .number(0.1))
        #expect(try encoder.encode(Status.active) == .string("active"))
        #expect(try encoder.encode(Set([3])) == [3])
        #expect(try decoder.decode(Int8.self, from: 5) == 5)
        #expect(try decoder.decode(Double.self, from: .integer(3)) == 3)
        #expect(try decoder.decode(Int.self, from: .number(3)) == 3)
        #expect(try decoder.decode(Float.self, from: 0.1) == 0.1)
        #expect(try decoder.decode(Status.self, from: "active") == .active)
        #expect(try decoder.decode(Decimal.self, from: 0.1) == Decimal(string: "0.1"))
        #expect(try decoder.decode(Decimal.self, from: 12) == 12)
        #expect(try encoder.encode(Decimal(string: "100")!) == .integer(100))
    }

    @Test func jsonValuePassesThroughUnchanged() throws {
        let value: JSONValue = ["a": [1, 2.0, "x", nil, ["b": false]], "c": .number(-0.0)]
        #expect(try JSONValueEncoder().encode(value) == value)
        #expect(try JSONValueDecoder().decode(JSONValue.self, from: value) == value)
        #expect(try JSONValueEncoder().encode(["k": value]) == ["k": value])
        #expect(try JSONValueDecoder().decode([String: JSONValue].self, from: ["k": value]) == ["k": value])
    }

    @Test func jsonValueWorksWithFoundationCoders() throws {
        let value: JSONValue = ["a": [1, 2.5, "x", nil, ["b": false]], "n": -3, "big": 1e300]
        let data = try JSONEncoder().encode(value)
        #expect(try JSONValue(parsing: data) == value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: value.canonicalData()) == value)
        // Foundation reads integral numbers as Int, so 1.0 becomes an integer; fractions stay numbers.
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data("[1.0,1.5,1e300]".utf8)) == [1, 1.5, 1e300])
    }

    // MARK: Dates

    static let dateCases: [(date: Date, text: String)] = [
        (Date(timeIntervalSince1970: 1_767_261_600), "2026-01-01T10:00:00Z"),
        (Date(timeIntervalSince1970: 1_767_261_600.5), "2026-01-01T10:00:00.500Z"),
        (Date(timeIntervalSince1970: 0), "1970-01-01T00:00:00Z"),
        (Date(timeIntervalSince1970: -1), "1969-12-31T23:59:59Z"),
        (Date(timeIntervalSince1970: 951_782_400), "2000-02-29T00:00:00Z"),
        (Date(timeIntervalSinceReferenceDate: 0.000_123), "2001-01-01T00:00:00.000123Z"),
    ]

    @Test("dates encode as ISO 8601 and decode back", arguments: dateCases)
    func dates(date: Date, text: String) throws {
        #expect(try JSONValueEncoder().encode(date) == .string(text))
        #expect(try JSONValueDecoder().decode(Date.self, from: .string(text)) == date)
    }

    @Test func datesDecodeWithOffsetsAndWithoutFractions() throws {
        let decoder = JSONValueDecoder()
        let expected = Date(timeIntervalSince1970: 1_767_261_600)
        #expect(try decoder.decode(Date.self, from: "2026-01-01T12:00:00+02:00") == expected)
        #expect(try decoder.decode(Date.self, from: "2026-01-01T09:30:00-00:30") == expected)
        #expect(try decoder.decode(Date.self, from: "2026-01-01t10:00:00z") == expected)
        #expect(try decoder.decode(Date.self, from: "2026-01-01T10:00:00.000000000Z") == expected)
        #expect(try decoder.decode(Date.self, from: "2026-01-01T10:00:00.25Z") == expected + 0.25)
        for bad in ["2026-01-01", "2026-02-30T00:00:00Z", "2026-01-01T10:00:00", "2026-01-01T24:00:00Z",
                    "2026-01-01T10:00:00.Z", "2026-01-01T10:00:00+0200", "x026-01-01T10:00:00Z"] {
            let error = #expect(throws: DecodingError.self, "\(bad)") {
                try decoder.decode([String: Date].self, from: ["when": .string(bad)])
            }
            #expect(Self.path(of: error) == ["when"])
        }
    }

    // MARK: Containers

    /// Uses nested keyed and unkeyed containers, and a super encoder inside an unkeyed container.
    struct Manual: Codable, Equatable {
        var name: String
        var point: (x: Int, y: Int)
        var pairs: [[String]]

        enum CodingKeys: String, CodingKey { case name, point, pairs }
        enum PointKeys: String, CodingKey { case x, y }

        init(name: String, point: (x: Int, y: Int), pairs: [[String]]) {
            self.name = name
            self.point = point
            self.pairs = pairs
        }

        static func == (a: Manual, b: Manual) -> Bool {
            a.name == b.name && a.point == b.point && a.pairs == b.pairs
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            var point = container.nestedContainer(keyedBy: PointKeys.self, forKey: .point)
            try container.encode(name, forKey: .name)
            var list = container.nestedUnkeyedContainer(forKey: .pairs)
            for pair in pairs {
                var inner = list.nestedUnkeyedContainer()
                for element in pair { try inner.encode(element) }
            }
            var named = list.nestedContainer(keyedBy: CodingKeys.self)
            try named.encode("end", forKey: .name)
            try "via super".encode(to: list.superEncoder())
            // Written after the nested containers were made: they must still land.
            try point.encode(point_x, forKey: .x)
            try point.encode(self.point.y, forKey: .y)
        }

        private var point_x: Int { point.x }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            let point = try container.nestedContainer(keyedBy: PointKeys.self, forKey: .point)
            self.point = (try point.decode(Int.self, forKey: .x), try point.decode(Int.self, forKey: .y))
            var list = try container.nestedUnkeyedContainer(forKey: .pairs)
            var pairs: [[String]] = []
            while list.count! - list.currentIndex > 2 {
                var inner = try list.nestedUnkeyedContainer()
                var pair: [String] = []
                while !inner.isAtEnd { pair.append(try inner.decode(String.self)) }
                pairs.append(pair)
            }
            let named = try list.nestedContainer(keyedBy: CodingKeys.self)
            guard try named.decode(String.self, forKey: .name) == "end",
                try String(from: list.superDecoder()) == "via super", list.isAtEnd
            else { throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "bad tail")) }
            self.pairs = pairs
        }
    }

    @Test func nestedContainersAndUnkeyedSuperEncoders() throws {
        let value = Manual(name: "m", point: (3, 4), pairs: [["a", "b"], []])
        let encoded = try JSONValueEncoder().encode(value)
        #expect(encoded == ["name": "m", "point": ["x": 3, "y": 4], "pairs": [["a", "b"], [], ["name": "end"], "via super"]])
        #expect(try JSONValueDecoder().decode(Manual.self, from: encoded) == value)
    }

    class Base: Codable {
        var id: Int
        init(id: Int) { self.id = id }
    }

    final class Derived: Base {
        var label: String
        enum CodingKeys: String, CodingKey { case label, parent }

        init(id: Int, label: String) {
            self.label = label
            super.init(id: id)
        }

        required init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            label = try container.decode(String.self, forKey: .label)
            try super.init(from: container.superDecoder())
            #expect(try container.superDecoder(forKey: .parent).codingPath.map(\.stringValue) == ["parent"])
        }

        override func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(label, forKey: .label)
            try super.encode(to: container.superEncoder())
            let parent = container.superEncoder(forKey: .parent)
            #expect(parent.codingPath.map(\.stringValue) == ["parent"])
            var single = parent.singleValueContainer()
            try single.encode(true)
        }
    }

    @Test func keyedSuperEncodersAndDecoders() throws {
        let encoded = try JSONValueEncoder().encode(Derived(id: 9, label: "d"))
        #expect(encoded == ["label": "d", "super": ["id": 9], "parent": true])
        let decoded = try JSONValueDecoder().decode(Derived.self, from: encoded)
        #expect(decoded.id == 9 && decoded.label == "d")
    }

    struct Silent: Encodable {
        func encode(to encoder: any Encoder) throws {}
    }

    @Test func aValueThatEncodesNothingIsAnEmptyObject() throws {
        #expect(try JSONValueEncoder().encode(Silent()) == [:])
        #expect(try JSONValueEncoder().encode([Silent()]) == [[:]])
    }

    struct UserInfoProbe: Codable {
        static let key = CodingUserInfoKey(rawValue: "probe")!
        var seen: String
        init(seen: String) { self.seen = seen }
        init(from decoder: any Decoder) throws { seen = decoder.userInfo[Self.key] as? String ?? "none" }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encode(encoder.userInfo[Self.key] as? String ?? "none")
        }
    }

    @Test func userInfoReachesImplementations() throws {
        var encoder = JSONValueEncoder()
        encoder.userInfo[UserInfoProbe.key] = "e"
        #expect(try encoder.encode([UserInfoProbe(seen: "")]) == ["e"])
        var decoder = JSONValueDecoder()
        decoder.userInfo[UserInfoProbe.key] = "d"
        #expect(try decoder.decode([UserInfoProbe].self, from: [1]).first?.seen == "d")
        #expect(try JSONValueDecoder().decode(UserInfoProbe.self, from: 1).seen == "none")
    }

    // MARK: Errors

    struct Order: Codable {
        struct Item: Codable {
            var sku: String
            var count: UInt8
        }
        var items: [Item]
        var note: String?
    }

    static func path(of error: (any Error)?) -> [String]? {
        let context: DecodingError.Context? =
            switch error as? DecodingError {
            case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c): c
            default: nil
            }
        if let context { return context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue } }
        if case .invalidValue(_, let c) = error as? EncodingError {
            return c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
        }
        return nil
    }

    static let decodingFailures: [(input: JSONValue, path: [String], kind: String)] = [
        (["items": [["sku": "a", "count": 1], ["sku": "b", "count": "2"]]], ["items", "[1]", "count"], "typeMismatch"),
        (["items": [["sku": "a", "count": 256]]], ["items", "[0]", "count"], "dataCorrupted"),
        (["items": [["sku": "a", "count": -1]]], ["items", "[0]", "count"], "dataCorrupted"),
        (["items": [["sku": "a", "count": 1.5]]], ["items", "[0]", "count"], "dataCorrupted"),
        (["items": [["count": 1]]], ["items", "[0]"], "keyNotFound"),
        (["items": [["sku": nil, "count": 1]]], ["items", "[0]", "sku"], "valueNotFound"),
        (["items": [nil]], ["items", "[0]"], "valueNotFound"),
        (["items": ["x"]], ["items", "[0]"], "typeMismatch"),
        (["items": [:]], ["items"], "typeMismatch"),
        (["items": [], "note": 5], ["note"], "typeMismatch"),
        ([], [], "typeMismatch"),
    ]

    @Test("decoding errors carry the coding path", arguments: decodingFailures)
    func decodingError(input: JSONValue, path: [String], kind: String) {
        let error = #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(Order.self, from: input) }
        #expect(Self.path(of: error) == path)
        let actualKind: String? =
            switch error {
            case .typeMismatch: "typeMismatch"
            case .valueNotFound: "valueNotFound"
            case .keyNotFound: "keyNotFound"
            case .dataCorrupted: "dataCorrupted"
            default: nil
            }
        #expect(actualKind == kind)
    }

    @Test func decodingErrorMessages() {
        let error = #expect(throws: DecodingError.self) {
            try JSONValueDecoder().decode(Order.self, from: ["items": [["sku": 3, "count": 1]]])
        }
        guard case .typeMismatch(_, let context) = error else { return }
        #expect(context.debugDescription == "Expected to decode String but found an integer instead.")
    }

    @Test func unkeyedContainerAtEnd() {
        struct Pair: Decodable {
            var a: Int, b: Int
            init(from decoder: any Decoder) throws {
                var c = try decoder.unkeyedContainer()
                a = try c.decode(Int.self)
                b = try c.decode(Int.self)
            }
        }
        let error = #expect(throws: DecodingError.self) { try JSONValueDecoder().decode([Pair].self, from: [[1, 2], [3]]) }
        #expect(Self.path(of: error) == ["[1]", "[1]"])
    }

    struct Measurement: Encodable {
        var values: [String: Double]
        var big: UInt64
    }

    @Test func encodingErrorsCarryTheCodingPath() {
        let nonFinite = #expect(throws: EncodingError.self) {
            try JSONValueEncoder().encode(Measurement(values: ["a": 1, "b": .infinity], big: 1))
        }
        #expect(Self.path(of: nonFinite) == ["values", "b"])
        let tooBig = #expect(throws: EncodingError.self) {
            try JSONValueEncoder().encode([Measurement(values: [:], big: .max)])
        }
        #expect(Self.path(of: tooBig) == ["[0]", "big"])
        let nan = #expect(throws: EncodingError.self) { try JSONValueEncoder().encode([[Double.nan]]) }
        #expect(Self.path(of: nan) == ["[0]", "[0]"])
    }

    @Test func encodingContinuesAfterACaughtNestedError() throws {
        struct Tolerant: Encodable {
            enum CodingKeys: CodingKey { case m, ok }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                #expect(throws: EncodingError.self) {
                    try c.encode(Measurement(values: ["bad": .nan], big: 0), forKey: .m)
                }
                try c.encode(1, forKey: .ok)
            }
        }
        #expect(try JSONValueEncoder().encode([Tolerant()]) == [["ok": 1]])
    }
}
