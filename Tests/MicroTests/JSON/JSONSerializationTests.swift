import Foundation
import Testing

import Micro

@Suite("JSONValue serialization")
struct JSONSerializationTests {
    static let canonicalForms: [(value: JSONValue, text: String)] = [
        (.null, "null"),
        (.bool(true), "true"),
        (.bool(false), "false"),
        (.integer(0), "0"),
        (.integer(-7), "-7"),
        (.integer(1_234_567_890), "1234567890"),
        (.integer(Int.max), "9223372036854775807"),
        (.integer(Int.min), "-9223372036854775808"),
        (.number(2), "2.0"),
        (.number(-0.0), "-0.0"),
        (.number(0.1), "0.1"),
        (.number(1.5e300), "1.5e+300"),
        (.number(1e-7), "1e-07"),
        (.number(.leastNonzeroMagnitude), "5e-324"),
        (.number(.infinity), "null"),
        (.number(-.infinity), "null"),
        (.number(.nan), "null"),
        (.string(""), #""""#),
        (.string("a/é😀\u{7F}\u{2028}"), "\"a/é😀\u{7F}\u{2028}\""),
        (.string("\"\\\n\r\t\u{8}\u{C}\u{0}\u{1F}"), #""\"\\\n\r\t\b\f\u0000\u001f""#),
        (.array([]), "[]"),
        (.object([:]), "{}"),
        ([1, "two", [3.5, nil]], #"[1,"two",[3.5,null]]"#),
        (["b": 1, "a": ["d": true, "c": false]], #"{"a":{"c":false,"d":true},"b":1}"#),
    ]

    @Test("canonical text", arguments: canonicalForms)
    func canonical(value: JSONValue, text: String) {
        #expect(value.canonicalString() == text)
        #expect(value.canonicalBytes() == Array(text.utf8))
        #expect(value.canonicalData() == Data(text.utf8))
        #expect(value.description == text)
    }

    @Test func keysAreSortedByUTF8Bytes() {
        let keys = ["😀", "b", "\u{E000}", "aa", "é", "Z", "a", ""]
        var object: [String: JSONValue] = [:]
        for (i, key) in keys.enumerated() { object[key] = .integer(i) }
        let text = JSONValue.object(object).canonicalString()
        #expect(text == "{\"\":7,\"Z\":5,\"a\":6,\"aa\":3,\"b\":1,\"é\":4,\"\u{E000}\":2,\"😀\":0}")
        // Bytes, not String's `<` (which compares canonical equivalents, putting "é" after "f").
        let decomposed: JSONValue = ["f": 1, "e\u{301}": 2]
        #expect(decomposed.canonicalString() == "{\"e\u{301}\":2,\"f\":1}")
    }

    @Test func outputDoesNotDependOnInsertionOrder() {
        var forward: [String: JSONValue] = [:]
        var backward: [String: JSONValue] = [:]
        let keys = (0..<50).map { "key\($0)" }
        for key in keys { forward[key] = .string(key) }
        for key in keys.reversed() { backward[key] = .string(key) }
        #expect(JSONValue.object(forward).canonicalBytes() == JSONValue.object(backward).canonicalBytes())
    }

    @Test("canonical text parses back to the same value", arguments: canonicalForms.filter { $0.text != "null" || $0.value == .null })
    func roundTrip(value: JSONValue, text: String) throws {
        #expect(try JSONValue(parsing: value.canonicalString()) == value)
        #expect(try JSONValue(parsing: value.canonicalBytes()).canonicalString() == text)
    }

    @Test("parsing then writing canonical text is the identity", arguments: [
        "null", "0", "-1", "2.5", "1e+300", "\"\"", "[]", "{}", #"[1,[2,[3,{}]],"x"]"#,
        #"{"":null,"a":[true,false],"b":{"c":"\u0001\n"}}"#, #"{"é":"😀","𝄞":0.001}"#,
    ])
    func identity(text: String) throws {
        #expect(try JSONValue(parsing: text).canonicalString() == text)
    }

    @Test func randomTreesRoundTrip() throws {
        var random = JSONTestRandom(seed: 20_260_101)
        for _ in 0..<300 {
            let value = random.tree(depth: 4)
            let canonical = value.canonicalBytes()
            let parsed = try JSONValue(parsing: canonical)
            #expect(parsed == value)
            #expect(parsed.canonicalBytes() == canonical)
            #expect(try JSONValue(parsing: value.prettyString()) == value)
        }
    }

    @Test func doublesRoundTripBitForBit() throws {
        var random = JSONTestRandom(seed: 7)
        for _ in 0..<2000 {
            let d = random.double()
            guard case .number(let back) = try JSONValue(parsing: JSONValue.number(d).canonicalString()) else {
                Issue.record("\(d) did not parse back as a number")
                continue
            }
            #expect(back.bitPattern == d.bitPattern, "\(d)")
        }
    }

    @Test func prettyString() {
        let value: JSONValue = ["name": "x", "list": [1, [], [:]], "nested": ["b": nil, "a": 2.5]]
        #expect(
            value.prettyString() == """
                {
                  "list": [
                    1,
                    [],
                    {}
                  ],
                  "name": "x",
                  "nested": {
                    "a": 2.5,
                    "b": null
                  }
                }
                """
        )
        #expect(JSONValue.string("a\nb").prettyString() == #""a\nb""#)
        #expect(JSONValue.array([]).prettyString() == "[]")
    }
}
