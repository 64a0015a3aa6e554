import Foundation
import Testing

import Micro

@Suite("JSONValue parsing")
struct JSONParsingTests {
    static let validInputs: [(text: String, expected: JSONValue)] = [
        ("null", .null),
        ("true", .bool(true)),
        ("false", .bool(false)),
        ("0", .integer(0)),
        ("-0", .integer(0)),
        ("42", .integer(42)),
        ("-42", .integer(-42)),
        ("9223372036854775807", .integer(Int.max)),
        ("-9223372036854775808", .integer(Int.min)),
        ("9223372036854775808", .number(0x1p63)),
        ("-9223372036854775809", .number(-0x1p63)),
        ("123456789012345678901234567890", .number(1.2345678901234568e29)),
        ("1.5", .number(1.5)),
        ("-1.5e3", .number(-1500)),
        ("1E2", .number(100)),
        ("1e+2", .number(100)),
        ("1e-2", .number(0.01)),
        ("0.1", .number(0.1)),
        ("2.0", .number(2)),
        ("0.000001", .number(1e-6)),
        ("5e-324", .number(.leastNonzeroMagnitude)),
        ("1e-400", .number(0)),
        ("1.7976931348623157e308", .number(1.7976931348623157e308)),
        ("2.2250738585072014e-308", .number(2.2250738585072014e-308)),
        ("3.141592653589793238462643383279", .number(3.141592653589793)),
        ("\"\"", .string("")),
        (#""a\"b\\c\/d\b\f\n\r\t""#, .string("a\"b\\c/d\u{8}\u{C}\n\r\t")),
        (#""\u00e9\u00C9\u0000""#, .string("éÉ\u{0}")),
        (#""\ud83d\ude00""#, .string("😀")),
        ("\"é😀\u{7F}\"", .string("é😀\u{7F}")),
        (#""0123456789abcdef\"0123456789abcdef""#, .string("0123456789abcdef\"0123456789abcdef")),
        ("[]", .array([])),
        ("{}", .object([:])),
        (" \t\r\n[ 1 , [ ] , { } ]\n ", .array([1, [], [:]])),
        (#"{"a":1,"a":2}"#, .object(["a": 2])),
        (#"{"a":{"b":[true,null,"c"]},"d":-0.5}"#, ["a": ["b": [true, nil, "c"]], "d": -0.5]),
    ]

    @Test("valid inputs", arguments: validInputs)
    func valid(text: String, expected: JSONValue) throws {
        #expect(try JSONValue(parsing: text) == expected)
        #expect(try JSONValue(parsing: Array(text.utf8)) == expected)
    }

    @Test func integersAndNumbersStayApart() throws {
        #expect(try JSONValue(parsing: "1") == .integer(1))
        #expect(try JSONValue(parsing: "1.0") == .number(1))
        #expect(try JSONValue(parsing: "1e0") == .number(1))
        #expect(try JSONValue(parsing: "1") != JSONValue(parsing: "1.0"))
        guard case .number(let negativeZero) = try JSONValue(parsing: "-0.0") else {
            Issue.record("-0.0 is not a number")
            return
        }
        #expect(negativeZero.sign == .minus)
    }

    static let invalidInputs: [(text: String, line: Int, column: Int, message: String)] = [
        ("", 1, 1, "unexpected end of input, expected a JSON value"),
        ("   ", 1, 4, "unexpected end of input, expected a JSON value"),
        ("[1,]", 1, 4, "trailing comma in array"),
        (#"{"a":1,}"#, 1, 8, "trailing comma in object"),
        (#"{"a":1 "b":2}"#, 1, 8, "expected ',' or '}' after object member"),
        ("[1 2]", 1, 4, "expected ',' or ']' after array element"),
        ("01", 1, 1, "leading zeros are not allowed"),
        ("-01", 1, 1, "leading zeros are not allowed"),
        ("NaN", 1, 1, "unexpected character 'N', expected a JSON value"),
        ("nan", 1, 1, "invalid literal, expected 'null'"),
        ("Infinity", 1, 1, "unexpected character 'I', expected a JSON value"),
        ("-Infinity", 1, 2, "expected digit after '-'"),
        ("1.", 1, 3, "expected digit after decimal point"),
        (".5", 1, 1, "unexpected character '.', expected a JSON value"),
        ("1e", 1, 3, "expected digit in exponent"),
        ("1e+", 1, 4, "expected digit in exponent"),
        ("+1", 1, 1, "unexpected character '+', expected a JSON value"),
        ("1e400", 1, 1, "number out of range"),
        ("-1e400", 1, 1, "number out of range"),
        ("\"abc", 1, 1, "unterminated string"),
        ("\"abc\\", 1, 1, "unterminated string"),
        ("\"a\tb\"", 1, 3, "unescaped control character U+0009 in string"),
        ("\"0123456789\n\"", 1, 12, "unescaped control character U+000A in string"),
        (#""\x""#, 1, 2, "invalid escape sequence '\\x' in string"),
        (#""\u12G4""#, 1, 2, "invalid \\u escape in string"),
        (#""\u00""#, 1, 2, "invalid \\u escape in string"),
        (#""\uD83D""#, 1, 2, "lone surrogate \\uD83D in string"),
        (#""\uDE00""#, 1, 2, "lone surrogate \\uDE00 in string"),
        (#""\uD83D\u0041""#, 1, 2, "lone surrogate \\uD83D in string"),
        ("[1] x", 1, 5, "unexpected character 'x' after JSON value"),
        ("{} {}", 1, 4, "unexpected character '{' after JSON value"),
        ("truex", 1, 5, "unexpected character 'x' after JSON value"),
        ("[tru]", 1, 2, "invalid literal, expected 'true'"),
        (#"{"a" 1}"#, 1, 6, "expected ':' after object key"),
        ("{1:2}", 1, 2, "expected '\"' to begin object key"),
        ("[", 1, 2, "unexpected end of input, expected a JSON value"),
        (#"{"a":1"#, 1, 7, "unexpected end of input, expected ',' or '}' after object member"),
        ("\u{FEFF}1", 1, 1, "unexpected byte 0xEF, expected a JSON value"),
        ("{\n  \"a\": 1,\n  \"b\": true  \"c\"\n}", 3, 14, "expected ',' or '}' after object member"),
        ("[\r\n1,\r\n]", 3, 1, "trailing comma in array"),
        ("[\"é\", x]", 1, 7, "unexpected character 'x', expected a JSON value"),
    ]

    @Test("invalid inputs report line, column and message", arguments: invalidInputs)
    func invalid(text: String, line: Int, column: Int, message: String) {
        let error = #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
        #expect(error?.line == line)
        #expect(error?.column == column)
        #expect(error?.message == message)
        #expect(error?.description == "line \(line), column \(column): \(message)")
    }

    @Test func offsetCountsBytesWhileColumnCountsScalars() {
        let error = #expect(throws: JSONParseError.self) { try JSONValue(parsing: "[\"é\", x]") }
        #expect(error == JSONParseError(line: 1, column: 7, offset: 7, message: "unexpected character 'x', expected a JSON value"))
    }

    @Test func invalidUTF8IsRejected() {
        let bytes: [UInt8] = [0x22, 0x61, 0xC3, 0x28, 0x22]
        let error = #expect(throws: JSONParseError.self) { try JSONValue(parsing: bytes) }
        #expect(error == JSONParseError(line: 1, column: 3, offset: 2, message: "invalid UTF-8 in string"))
        // Encoded surrogates (ED A0 80) are not UTF-8 either, also after an escape.
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: [0x22, 0x5C, 0x6E, 0xED, 0xA0, 0x80, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22]) }
    }

    @Test func nestingUpToTheLimitParses() throws {
        let depth = JSONValue.maximumParsingDepth
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        var value = try JSONValue(parsing: text)
        var levels = 0
        while case .array(let elements) = value {
            levels += 1
            value = elements.first ?? .null
        }
        #expect(levels == depth)
    }

    @Test(arguments: [JSONValue.maximumParsingDepth + 1, 100_000])
    func nestingBeyondTheLimitIsAnError(depth: Int) {
        let text = String(repeating: "[{\"a\":", count: depth / 2 + 1)
        let error = #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
        #expect(error?.message == "maximum nesting depth of 512 exceeded")
        #expect(error?.offset == 512 / 2 * 6)
    }

    @Test func parsesFromEveryKindOfByteCollection() throws {
        let text = #"{"k":[1,"é"]}"#
        let expected: JSONValue = ["k": [1, "é"]]
        #expect(try JSONValue(parsing: Data(text.utf8)) == expected)
        #expect(try JSONValue(parsing: text.utf8) == expected)
        #expect(try JSONValue(parsing: Array(text.utf8).lazy.map { $0 }) == expected)  // not contiguous
        let fromRawBuffer = try Array(text.utf8).withUnsafeBytes { raw in try JSONValue(parsing: raw) }
        #expect(fromRawBuffer == expected)
        #expect(try JSONValue(parsing: Array(text.utf8)[...]) == expected)
    }

    @Test func numbersMatchTheStandardLibrary() throws {
        // Random decimal texts exercise both the exact fast path and the fallback.
        var random = JSONTestRandom(seed: 0x5EED)
        for _ in 0..<2000 {
            let digits = String((0..<Int.random(in: 1...22, using: &random)).map { _ in
                Character(String(Int.random(in: 0...9, using: &random)))
            })
            let integerPart = digits.drop { $0 == "0" }.isEmpty ? "0" : String(digits.drop { $0 == "0" })
            var text = Bool.random(using: &random) ? "-" + integerPart : integerPart
            if Bool.random(using: &random) { text += "." + String(Int.random(in: 0...99_999_999, using: &random)) }
            if Bool.random(using: &random) { text += "e" + String(Int.random(in: -40...40, using: &random)) }
            let parsed = try JSONValue(parsing: text)
            if let integer = Int(text) {
                #expect(parsed == .integer(integer), "\(text)")
            } else {
                #expect(parsed == .number(Double(text)!), "\(text)")
            }
        }
    }
}
