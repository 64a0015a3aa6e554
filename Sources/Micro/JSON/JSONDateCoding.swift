#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// ISO 8601 / RFC 3339 text for `Date` in ``JSONValueEncoder`` and ``JSONValueDecoder``, without formatters.
enum JSONDateCoding {
    private static let secondsFrom1970To2001 = 978_307_200

    /// `2026-01-01T10:00:00Z`, with `.SSS` or `.SSSSSS` when the date has a fraction of a second
    /// (rounded to the microsecond); nil outside the years 0000–9999.
    static func string(from date: Date) -> String? {
        let t = date.timeIntervalSinceReferenceDate
        guard t.isFinite, abs(t) < 1e12 else { return nil }
        var whole = t.rounded(.down)
        var micros = Int(((t - whole) * 1_000_000).rounded())
        if micros == 1_000_000 {
            whole += 1
            micros = 0
        }
        let unix = Int(whole) + secondsFrom1970To2001
        let days = unix >= 0 ? unix / 86_400 : (unix - 86_399) / 86_400
        let secondOfDay = unix - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        guard (0...9999).contains(year) else { return nil }

        var out: [UInt8] = []
        out.reserveCapacity(27)
        func put(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
        }
        put(year, 4)
        out.append(UInt8(ascii: "-"))
        put(month, 2)
        out.append(UInt8(ascii: "-"))
        put(day, 2)
        out.append(UInt8(ascii: "T"))
        put(secondOfDay / 3600, 2)
        out.append(UInt8(ascii: ":"))
        put(secondOfDay / 60 % 60, 2)
        out.append(UInt8(ascii: ":"))
        put(secondOfDay % 60, 2)
        if micros != 0 {
            out.append(UInt8(ascii: "."))
            if micros % 1000 == 0 { put(micros / 1000, 3) } else { put(micros, 6) }
        }
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; `t`, `z` and a space for `T` are accepted too.
    static func date(from string: String) -> Date? {
        var string = string
        return string.withUTF8 { p -> Date? in
            guard p.count >= 20 else { return nil }
            func number(_ start: Int, _ length: Int) -> Int? {
                var value = 0
                for i in start..<(start + length) {
                    let d = p[i] &- UInt8(ascii: "0")
                    guard d < 10 else { return nil }
                    value = value * 10 + Int(d)
                }
                return value
            }
            guard let year = number(0, 4), p[4] == UInt8(ascii: "-"), let month = number(5, 2),
                p[7] == UInt8(ascii: "-"), let day = number(8, 2),
                p[10] == UInt8(ascii: "T") || p[10] == UInt8(ascii: "t") || p[10] == UInt8(ascii: " "),
                let hour = number(11, 2), p[13] == UInt8(ascii: ":"), let minute = number(14, 2),
                p[16] == UInt8(ascii: ":"), let second = number(17, 2)
            else { return nil }
            guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
                hour < 24, minute < 60, second <= 60
            else { return nil }

            var i = 19
            var nanoseconds = 0
            if p[i] == UInt8(ascii: ".") {
                i += 1
                var scale = 100_000_000
                let fractionStart = i
                while i < p.count, case let d = p[i] &- UInt8(ascii: "0"), d < 10 {
                    nanoseconds += Int(d) * scale
                    scale /= 10
                    i += 1
                }
                guard i > fractionStart else { return nil }
            }
            guard i < p.count else { return nil }
            var offset = 0
            switch p[i] {
            case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                i += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let sign = p[i] == UInt8(ascii: "-") ? -1 : 1
                guard i + 6 == p.count, let hours = number(i + 1, 2), p[i + 3] == UInt8(ascii: ":"),
                    let minutes = number(i + 4, 2), hours < 24, minutes < 60
                else { return nil }
                offset = sign * (hours * 3600 + minutes * 60)
                i += 6
            default:
                return nil
            }
            guard i == p.count else { return nil }
            let unix = days(fromCivil: year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset
            return Date(
                timeIntervalSinceReferenceDate: Double(unix - secondsFrom1970To2001) + Double(nanoseconds) / 1e9
            )
        }
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    private static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
    private static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
