/// A strict RFC 8259 recursive-descent parser over UTF-8 bytes; see ``JSONValue/init(parsing:)``.
struct JSONParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0
    /// Reused buffer for strings that contain escapes.
    private var scratch: [UInt8] = []
    /// Members of the objects being parsed, innermost last.
    private var members: [(key: String, value: JSONValue)] = []

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Parses one complete JSON text (surrounding whitespace allowed, nothing else).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<JSONValue, JSONParseError> {
        var parser = JSONParser(bytes)
        do throws(JSONParseError) {
            parser.skipWhitespace()
            let value = try parser.parseValue()
            parser.skipWhitespace()
            if parser.index < bytes.count {
                throw parser.error(at: parser.index, "unexpected \(parser.describe(parser.index)) after JSON value")
            }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }

    // MARK: - Values

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw error(at: index, "unexpected end of input, expected a JSON value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        default:
            throw error(at: index, "unexpected \(describe(index)), expected a JSON value")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let n = literal.utf8CodeUnitCount
        let p = literal.utf8Start
        for k in 0..<n where index + k >= bytes.count || bytes[index + k] != p[k] {
            throw error(at: index, "invalid literal, expected '\(literal)'")
        }
        index += n
    }

    private mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > JSONValue.maximumParsingDepth {
            throw error(at: index, "maximum nesting depth of \(JSONValue.maximumParsingDepth) exceeded")
        }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1  // '{'
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object([:])
        }
        // Members collect on a stack shared by all open objects, so the dictionary is sized once.
        let firstMember = members.count
        while true {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw expected("'\"' to begin object key")
            }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw expected("':' after object key") }
            index += 1
            skipWhitespace()
            members.append((key, try parseValue()))
            skipWhitespace()
            guard index < bytes.count else { throw expected("',' or '}' after object member") }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    throw error(at: index, "trailing comma in object")
                }
            case UInt8(ascii: "}"):
                index += 1
                var object = [String: JSONValue](minimumCapacity: members.count - firstMember)
                for member in members[firstMember...] { object[member.key] = member.value }  // last one wins
                members.removeSubrange(firstMember...)
                return .object(object)
            default:
                throw expected("',' or '}' after object member")
            }
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1  // '['
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array([])
        }
        var array: [JSONValue] = []
        while true {
            array.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw expected("',' or ']' after array element") }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    throw error(at: index, "trailing comma in array")
                }
            case UInt8(ascii: "]"):
                index += 1
                return .array(array)
            default:
                throw expected("',' or ']' after array element")
            }
        }
    }

    // MARK: - Numbers

    /// Exact powers of ten that a `Double` holds exactly (10^0 ... 10^22).
    private static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        var i = index
        let count = bytes.count
        var negative = false
        if bytes[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        guard i < count, let first = digit(at: i) else { throw error(at: i, "expected digit after '-'") }
        var mantissa: UInt64 = 0  // up to 19 significant digits, exact
        var significantDigits = 0
        var truncated = false  // more significant digits than `mantissa` holds
        var exponent = 0  // decimal exponent applied to `mantissa`
        i += 1
        if first == 0 {
            if i < count, digit(at: i) != nil { throw error(at: start, "leading zeros are not allowed") }
        } else {
            mantissa = first
            significantDigits = 1
            while i < count, let d = digit(at: i) {
                if significantDigits < 19 {
                    mantissa = mantissa &* 10 &+ d
                    significantDigits += 1
                } else {
                    truncated = true
                    exponent += 1
                }
                i += 1
            }
        }
        var isInteger = true
        if i < count, bytes[i] == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            guard i < count, digit(at: i) != nil else { throw error(at: i, "expected digit after decimal point") }
            while i < count, let d = digit(at: i) {
                if significantDigits < 19 {
                    mantissa = mantissa &* 10 &+ d
                    if mantissa != 0 { significantDigits += 1 }
                    exponent -= 1
                } else {
                    truncated = true
                }
                i += 1
            }
        }
        if i < count, bytes[i] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            i += 1
            var exponentNegative = false
            if i < count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < count, digit(at: i) != nil else { throw error(at: i, "expected digit in exponent") }
            var e = 0
            while i < count, let d = digit(at: i) {
                if e < 1_000_000 { e = e * 10 + Int(d) }
                i += 1
            }
            exponent += exponentNegative ? -e : e
        }
        index = i
        if isInteger && !truncated {
            if !negative, mantissa <= UInt64(Int.max) { return .integer(Int(mantissa)) }
            if negative, mantissa <= UInt64(Int.max) + 1 { return .integer(Int(truncatingIfNeeded: 0 &- mantissa)) }
        }
        // Clinger's fast path: both operands exact, so one IEEE operation rounds correctly.
        if !truncated, mantissa <= 1 << 53, exponent >= -22, exponent <= 22 {
            let m = Double(mantissa)
            let d = exponent < 0 ? m / Self.exactPowersOfTen[-exponent] : m * Self.exactPowersOfTen[exponent]
            return .number(negative ? -d : d)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        guard let d = Double(text), d.isFinite else { throw error(at: start, "number out of range") }
        return .number(d)
    }

    @inline(__always)
    private func digit(at i: Int) -> UInt64? {
        let d = bytes[i] &- UInt8(ascii: "0")
        return d < 10 ? UInt64(d) : nil
    }

    // MARK: - Strings

    /// Parses a string starting at the opening quote.
    private mutating func parseString() throws(JSONParseError) -> String {
        let start = index + 1
        let count = bytes.count
        let base = bytes.baseAddress!  // non-empty: we are at a quote
        var i = start
        var ascii = true
        while true {
            // Eight bytes at a time while none is a quote, a backslash or a control character.
            while i &+ 8 <= count {
                let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 != 0 { ascii = false }
                if Self.hasSpecialByte(word) { break }
                i &+= 8
            }
            guard i < count else { throw error(at: index, "unterminated string") }
            let stop = min(i + 8, count)
            while i < stop {
                let b = base[i]
                if b == UInt8(ascii: "\"") {
                    let raw = UnsafeBufferPointer(start: base + start, count: i - start)
                    let string = try makeString(raw, ascii: ascii, rawStart: start, stringStart: start - 1)
                    index = i + 1
                    return string
                }
                if b == UInt8(ascii: "\\") { return try parseEscapedString(start: start, escape: i, ascii: ascii) }
                if b < 0x20 { throw controlCharacterError(at: i) }
                if b >= 0x80 { ascii = false }
                i += 1
            }
        }
    }

    /// Continues a string at its first backslash, decoding into `scratch`.
    private mutating func parseEscapedString(start: Int, escape: Int, ascii: Bool) throws(JSONParseError) -> String {
        var ascii = ascii
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<escape]))
        var i = escape
        let count = bytes.count
        while i < count {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "\""):
                let string = try scratch.withUnsafeBufferPointer { buffer throws(JSONParseError) in
                    try makeString(buffer, ascii: ascii, rawStart: nil, stringStart: start - 1)
                }
                index = i + 1
                return string
            case UInt8(ascii: "\\"):
                guard i + 1 < count else { throw error(at: start - 1, "unterminated string") }
                switch bytes[i + 1] {
                case UInt8(ascii: "\""): scratch.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): scratch.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): scratch.append(UInt8(ascii: "/"))
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"):
                    let unit = try hex4(at: i + 2)
                    var scalar = unit
                    if unit & 0xFC00 == 0xD800 {
                        guard i + 7 < count, bytes[i + 6] == UInt8(ascii: "\\"), bytes[i + 7] == UInt8(ascii: "u")
                        else { throw error(at: i, "lone surrogate \\u\(hex(unit)) in string") }
                        let low = try hex4(at: i + 8)
                        guard low & 0xFC00 == 0xDC00 else { throw error(at: i, "lone surrogate \\u\(hex(unit)) in string") }
                        scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    } else if unit & 0xFC00 == 0xDC00 {
                        throw error(at: i, "lone surrogate \\u\(hex(unit)) in string")
                    }
                    appendUTF8(scalar)
                    i += 4
                default:
                    throw error(at: i, "invalid escape sequence '\\\(describeEscape(i + 1))' in string")
                }
                i += 2
            default:
                if b < 0x20 { throw controlCharacterError(at: i) }
                if b >= 0x80 { ascii = false }
                scratch.append(b)
                i += 1
            }
        }
        throw error(at: start - 1, "unterminated string")
    }

    private func makeString(
        _ raw: UnsafeBufferPointer<UInt8>, ascii: Bool, rawStart: Int?, stringStart: Int
    ) throws(JSONParseError) -> String {
        if ascii { return String(decoding: raw, as: UTF8.self) }
        if let string = String(validating: raw, as: UTF8.self) { return string }
        let bad = Self.firstInvalidUTF8Offset(raw)
        throw error(at: rawStart.map { $0 + bad } ?? stringStart, "invalid UTF-8 in string")
    }

    private func hex4(at i: Int) throws(JSONParseError) -> UInt32 {
        guard i + 4 <= bytes.count else { throw error(at: i - 2, "invalid \\u escape in string") }
        var value: UInt32 = 0
        for k in i..<(i + 4) {
            let b = bytes[k]
            let v: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = b - UInt8(ascii: "A") + 10
            default: throw error(at: i - 2, "invalid \\u escape in string")
            }
            value = value << 4 | UInt32(v)
        }
        return value
    }

    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Whether any byte of `word` is `"`, `\` or below 0x20 (exact as to existence).
    @inline(__always)
    private static func hasSpecialByte(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let zeroInQuote = (quote &- ones) & ~quote
        let zeroInBackslash = (backslash &- ones) & ~backslash
        let control = (word &- ones &* 0x20) & ~word
        return (zeroInQuote | zeroInBackslash | control) & highs != 0
    }

    /// The offset of the first byte that starts an ill-formed UTF-8 sequence (for error positions only).
    private static func firstInvalidUTF8Offset(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            let length: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch b {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return i
            }
            guard i + length <= bytes.count else { return i }
            if length > 1 {
                if !(lower...upper).contains(bytes[i + 1]) { return i }
                for k in 2..<length where bytes[i + k] & 0xC0 != 0x80 { return i }
            }
            i += length
        }
        return i
    }

    // MARK: - Whitespace and errors

    @inline(__always)
    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private func error(at offset: Int, _ message: String) -> JSONParseError {
        JSONParseError(at: offset, in: bytes, message)
    }

    /// "expected X" at the current byte, or "unexpected end of input, expected X" at the end.
    private func expected(_ what: String) -> JSONParseError {
        if index >= bytes.count { return error(at: index, "unexpected end of input, expected \(what)") }
        return error(at: index, "expected \(what)")
    }

    private func controlCharacterError(at i: Int) -> JSONParseError {
        error(at: i, "unescaped control character U+\(hex(UInt32(bytes[i]))) in string")
    }

    private func describe(_ i: Int) -> String {
        let b = bytes[i]
        if (0x21...0x7E).contains(b) { return "character '\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x\(String(b, radix: 16, uppercase: true))"
    }

    private func describeEscape(_ i: Int) -> String {
        guard i < bytes.count else { return "" }
        let b = bytes[i]
        return (0x21...0x7E).contains(b) ? String(Character(Unicode.Scalar(b))) : "\\u{\(hex(UInt32(b)))}"
    }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
