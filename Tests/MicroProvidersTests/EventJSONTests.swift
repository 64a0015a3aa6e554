import Micro
import Testing

@testable import MicroProviders

@Suite struct EventJSONTests {
    static let valid = [
        #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}"#,
        #" { "a" : [ 1 , -2.5e3 , true , false , null , "x" , { } , [ ] ] , "b" : { "c" : "d" } } "#,
        #"{"text":"line\nbreak \"quoted\" \u00e9 \ud83d\ude00 caf\u00e9","é":"ünïcode"}"#,
        #"{"k":1,"k":2,"n":{"k":"a","k":"b"}}"#,
        #"{"esc\"aped":"v","plain":"w"}"#,
        #"{"num":0,"neg":-0,"big":12345678901234567890,"frac":1.5,"exp":1E2,"int":-42}"#,
        #"[{"a":1},{"a":[{"b":"c"}]}]"#,
        #""just a string""#,
        "42",
        "{}",
        #"{"":"empty key"}"#,
    ]

    static let invalid = [
        #"{"a":1,}"#, #"{"a":01}"#, "{\"a\":\"\u{01}\"}", #"{"a":"\ud800"}"#, #"{"a":"x"#, #"{"a":1} x"#,
        #"{"a":tru}"#, #"{"a":1.}"#, "\u{FEFF}{}", #"{"a" 1}"#, #"{a:1}"#, #"[1,]"#, "", #"{"a":"\q"}"#,
        #"{"a":truex}"#, #"{"a":-}"#,
    ]

    @Test(arguments: valid)
    func readsWhatTheStrictParserReads(_ text: String) throws {
        let expected = try JSONValue(parsing: text)
        let event = try EventJSON(parsing: text)
        #expect(event.root == expected)
    }

    @Test(arguments: invalid)
    func rejectsWhatTheStrictParserRejects(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
        #expect(throws: JSONParseError.self) { try EventJSON(parsing: text) }
    }

    @Test func looksUpPaths() throws {
        let event = try EventJSON(parsing: Self.valid[1])
        #expect(event.int("a", 0) == 1)
        #expect(event.value("a", 1) == .number(-2500))
        #expect(event.string("a", 5) == "x")
        #expect(event.string("b", "c") == "d")
        #expect(event.contains("a", 4))
        #expect(!event.contains("a", 9))
        #expect(event.string("b") == nil)
        #expect(event.int("b", "c") == nil)
        #expect(event.value("a", 7) == .array([]))
        let duplicates = try EventJSON(parsing: Self.valid[3])
        #expect(duplicates.int("k") == 2)
        #expect(duplicates.string("n", "k") == "b")
        let escaped = try EventJSON(parsing: Self.valid[2])
        #expect(escaped.string("text") == "line\nbreak \"quoted\" é 😀 café")
        #expect(escaped.string("é") == "ünïcode")
        #expect(try EventJSON(parsing: Self.valid[4]).string("esc\"aped") == "v")
    }
}
