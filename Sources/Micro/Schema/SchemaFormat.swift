/// The `format` values validation checks (others are annotations). Checks scan UTF-8 bytes, no allocation.
enum SchemaFormat: Sendable {
    case dateTime, date, time, uri, uuid, email

    init?(_ name: String) {
        switch name {
        case "date-time": self = .dateTime
        case "date": self = .date
        case "time": self = .time
        case "uri": self = .uri
        case "uuid": self = .uuid
        case "email": self = .email
        default: return nil
        }
    }

    /// What a failing value should have been, for messages.
    var expectation: String {
        switch self {
        case .dateTime: "a date-time (RFC 3339, e.g. \"2025-01-31T09:30:00Z\")"
        case .date: "a date (RFC 3339 full-date, e.g. \"2025-01-31\")"
        case .time: "a time (RFC 3339 full-time, e.g. \"09:30:00Z\")"
        case .uri: "an absolute URI (e.g. \"https://example.com/a\")"
        case .uuid: "a UUID (e.g. \"123e4567-e89b-12d3-a456-426614174000\")"
        case .email: "an email address"
        }
    }

    func accepts(_ string: String) -> Bool {
        var string = string
        return string.withUTF8 { bytes in
            switch self {
            case .dateTime: Self.isDateTime(bytes)
            case .date: Self.fullDate(bytes, from: 0) == bytes.count
            case .time: Self.fullTime(bytes, from: 0) == bytes.count
            case .uri: Self.isURI(bytes)
            case .uuid: Self.isUUID(bytes)
            case .email: Self.isEmail(bytes)
            }
        }
    }

    /// Whether `string` is padded standard base64 (what `Data(base64Encoded:)` accepts).
    static func isBase64(_ string: String) -> Bool {
        var string = string
        return string.withUTF8 { bytes in
            guard bytes.count % 4 == 0 else { return false }
            var padding = 0
            for (i, b) in bytes.enumerated() {
                if b == UInt8(ascii: "=") {
                    padding += 1
                    guard i >= bytes.count - 2 else { return false }
                } else {
                    guard padding == 0, isBase64Digit(b) else { return false }
                }
            }
            return true
        }
    }

    private static func isBase64Digit(_ b: UInt8) -> Bool {
        isAlpha(b) || isDigit(b) || b == UInt8(ascii: "+") || b == UInt8(ascii: "/")
    }

    // MARK: RFC 3339

    private typealias Bytes = UnsafeBufferPointer<UInt8>

    private static func isDateTime(_ s: Bytes) -> Bool {
        guard let t = fullDate(s, from: 0), t < s.count, s[t] == UInt8(ascii: "T") || s[t] == UInt8(ascii: "t")
        else { return false }
        return fullTime(s, from: t + 1) == s.count
    }

    /// Parses `YYYY-MM-DD` at `i`; returns the index after it.
    private static func fullDate(_ s: Bytes, from i: Int) -> Int? {
        guard let year = digits(s, i, 4), char(s, i + 4, "-"), let month = digits(s, i + 5, 2), char(s, i + 7, "-"),
            let day = digits(s, i + 8, 2), (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year)
        else { return nil }
        return i + 10
    }

    /// Parses `HH:MM:SS[.frac](Z|±HH:MM)` at `i`; returns the index after it.
    private static func fullTime(_ s: Bytes, from start: Int) -> Int? {
        guard let hour = digits(s, start, 2), char(s, start + 2, ":"), let minute = digits(s, start + 3, 2),
            char(s, start + 5, ":"), let second = digits(s, start + 6, 2), hour <= 23, minute <= 59, second <= 60
        else { return nil }
        var i = start + 8
        if char(s, i, ".") {
            i += 1
            let digitsStart = i
            while i < s.count, isDigit(s[i]) { i += 1 }
            guard i > digitsStart else { return nil }
        }
        guard i < s.count else { return nil }
        if s[i] == UInt8(ascii: "Z") || s[i] == UInt8(ascii: "z") { return i + 1 }
        guard s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-"), let offsetHour = digits(s, i + 1, 2),
            char(s, i + 3, ":"), let offsetMinute = digits(s, i + 4, 2), offsetHour <= 23, offsetMinute <= 59
        else { return nil }
        return i + 6
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func digits(_ s: Bytes, _ i: Int, _ count: Int) -> Int? {
        guard i >= 0, i + count <= s.count else { return nil }
        var value = 0
        for j in i..<(i + count) {
            guard isDigit(s[j]) else { return nil }
            value = value * 10 + Int(s[j] - UInt8(ascii: "0"))
        }
        return value
    }

    private static func char(_ s: Bytes, _ i: Int, _ c: Unicode.Scalar) -> Bool {
        i < s.count && s[i] == UInt8(ascii: c)
    }

    // MARK: Others

    /// Loose: `scheme:rest`, with a valid scheme, a non-empty rest and no spaces, controls or `"<>\^`{|}`.
    private static func isURI(_ s: Bytes) -> Bool {
        guard let first = s.first, isAlpha(first) else { return false }
        var i = 1
        while i < s.count, isAlpha(s[i]) || isDigit(s[i]) || s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-")
            || s[i] == UInt8(ascii: ".")
        {
            i += 1
        }
        guard char(s, i, ":"), i + 1 < s.count else { return false }
        let forbidden: [UInt8] = Array("\"<>\\^`{|}".utf8)
        for b in s[(i + 1)...] where b <= 0x20 || b == 0x7F || forbidden.contains(b) { return false }
        return true
    }

    private static func isUUID(_ s: Bytes) -> Bool {
        guard s.count == 36 else { return false }
        for (i, b) in s.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                guard b == UInt8(ascii: "-") else { return false }
            } else {
                guard isDigit(b) || (b | 0x20 >= UInt8(ascii: "a") && b | 0x20 <= UInt8(ascii: "f")) else { return false }
            }
        }
        return true
    }

    /// Loose: `local@domain`, both non-empty, no spaces, the domain without another `@`.
    private static func isEmail(_ s: Bytes) -> Bool {
        guard let at = s.lastIndex(of: UInt8(ascii: "@")), at > 0, at < s.count - 1 else { return false }
        return !s.contains(where: { $0 <= 0x20 })
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    private static func isAlpha(_ b: UInt8) -> Bool { b | 0x20 >= UInt8(ascii: "a") && b | 0x20 <= UInt8(ascii: "z") }
}
