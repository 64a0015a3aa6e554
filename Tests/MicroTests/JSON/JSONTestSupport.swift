import Micro

/// A seeded SplitMix64 generator, so random tests are reproducible.
struct JSONTestRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A string mixing ASCII, escapes-to-be, control characters, 2-, 3- and 4-byte scalars.
    mutating func string(maxLength: Int = 24) -> String {
        let pool: [Unicode.Scalar] = [
            "a", "Z", "0", " ", "/", "\"", "\\", "\n", "\t", "\u{0}", "\u{1F}", "\u{7F}", "é", "ß", "€",
            "\u{2028}", "\u{E000}", "\u{FFFD}", "😀", "𝄞",
        ]
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...maxLength, using: &self) {
            // Mostly plain letters, so that the eight-bytes-at-a-time scan gets long runs.
            if Bool.random(using: &self) {
                scalars.append(Unicode.Scalar(UInt8.random(in: 0x20...0x7E, using: &self)))
            } else {
                scalars.append(pool.randomElement(using: &self)!)
            }
        }
        return String(scalars)
    }

    /// A finite double drawn from all magnitudes, or a short decimal.
    mutating func double() -> Double {
        if Bool.random(using: &self) {
            return Double(Int.random(in: -100_000...100_000, using: &self)) / 100
        }
        while true {
            let d = Double(bitPattern: next())
            if d.isFinite { return d }
        }
    }

    /// A random JSON tree of at most `depth` levels (values without non-finite numbers).
    mutating func tree(depth: Int) -> JSONValue {
        let kind = Int.random(in: 0..<(depth > 0 ? 8 : 6), using: &self)
        switch kind {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &self))
        case 2:
            let extremes = [Int.min, Int.max, 0, -1]
            return .integer(
                Bool.random(using: &self)
                    ? extremes.randomElement(using: &self)! : Int.random(in: -1_000_000...1_000_000, using: &self)
            )
        case 3: return .number(double())
        case 4, 5: return .string(string())
        case 6: return .array((0..<Int.random(in: 0...5, using: &self)).map { _ in tree(depth: depth - 1) })
        default:
            var object: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...5, using: &self) { object[string(maxLength: 8)] = tree(depth: depth - 1) }
            return .object(object)
        }
    }
}
