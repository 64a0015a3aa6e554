import Foundation
import Micro

/// The airports and cities the example travel services know, with coordinates for distances.
struct Airport: Sendable {
    let code: String
    let city: String
    let latitude: Double
    let longitude: Double
}

enum Catalog {
    static let airports: [Airport] = [
        Airport(code: "AMS", city: "Amsterdam", latitude: 52.31, longitude: 4.76),
        Airport(code: "BCN", city: "Barcelona", latitude: 41.30, longitude: 2.08),
        Airport(code: "BER", city: "Berlin", latitude: 52.37, longitude: 13.50),
        Airport(code: "CDG", city: "Paris", latitude: 49.01, longitude: 2.55),
        Airport(code: "DXB", city: "Dubai", latitude: 25.25, longitude: 55.36),
        Airport(code: "FCO", city: "Rome", latitude: 41.80, longitude: 12.25),
        Airport(code: "HND", city: "Tokyo", latitude: 35.55, longitude: 139.78),
        Airport(code: "JFK", city: "New York", latitude: 40.64, longitude: -73.78),
        Airport(code: "LHR", city: "London", latitude: 51.47, longitude: -0.45),
        Airport(code: "LIS", city: "Lisbon", latitude: 38.77, longitude: -9.13),
        Airport(code: "MAD", city: "Madrid", latitude: 40.47, longitude: -3.56),
        Airport(code: "SFO", city: "San Francisco", latitude: 37.62, longitude: -122.38),
        Airport(code: "SIN", city: "Singapore", latitude: 1.36, longitude: 103.99),
        Airport(code: "SYD", city: "Sydney", latitude: -33.95, longitude: 151.18),
        Airport(code: "ZRH", city: "Zurich", latitude: 47.46, longitude: 8.55),
    ]

    static func airport(_ code: String) -> Airport? {
        let upper = code.uppercased()
        return airports.first { $0.code == upper }
    }

    /// The airport serving `city` (case-insensitive), or nil.
    static func airport(city: String) -> Airport? {
        airports.first { $0.city.lowercased() == city.lowercased() }
    }

    /// The airport whose city slug (`new-york`) is `slug`.
    static func airport(slug: String) -> Airport? { airports.first { self.slug($0.city) == slug } }

    /// A city name in lowercase with dashes for spaces, as used in hotel IDs.
    static func slug(_ city: String) -> String { city.lowercased().replacingOccurrences(of: " ", with: "-") }

    static var knownCodes: String { airports.map(\.code).joined(separator: ", ") }
    static var knownCities: String { airports.map(\.city).joined(separator: ", ") }

    /// Great-circle distance in kilometres.
    static func distance(_ a: Airport, _ b: Airport) -> Double {
        let r = 6371.0
        let toRadians = Double.pi / 180
        let dLat = (b.latitude - a.latitude) * toRadians
        let dLon = (b.longitude - a.longitude) * toRadians
        let h = sin(dLat / 2) * sin(dLat / 2)
            + cos(a.latitude * toRadians) * cos(b.latitude * toRadians) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * r * asin(min(1, h.squareRoot()))
    }
}

/// A stable 64-bit hash (FNV-1a) of strings, so example data is the same on every run and platform.
func stableHash(_ parts: String...) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for part in parts {
        for byte in part.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        hash ^= 0xFF
        hash = hash &* 0x0000_0100_0000_01B3
    }
    return hash
}

/// A short uppercase reference derived from `parts`, e.g. `BK-7F3A9C21`.
func reference(_ prefix: String, _ parts: String...) -> String {
    var hash: UInt64 = 0
    for part in parts { hash = stableHash(String(hash), part) }
    let hex = String(hash & 0xFFFF_FFFF, radix: 16, uppercase: true)
    return "\(prefix)-" + String(repeating: "0", count: 8 - hex.count) + hex
}

/// Checks a `YYYY-MM-DD` calendar date and returns its days since 1970-01-01.
func parseDay(_ text: String, field: String) throws -> Int {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
        let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
        (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
    else {
        throw ServiceError(.invalidArguments, "\(field) must be a calendar date like 2026-03-14, got \"\(text)\"")
    }
    // Days-from-civil (Howard Hinnant's algorithm).
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (month + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
}

/// The `YYYY-MM-DD` text of a day number since 1970-01-01.
func formatDay(_ days: Int) -> String {
    Timestamp(millisecondsSinceEpoch: Int64(days) * 86_400_000).description.prefix(10).description
}

private func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
}
