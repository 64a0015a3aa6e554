import Synchronization

/// A fast, seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64).
/// The same seed always yields the same sequence, on every platform.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable {
    private var s0, s1, s2, s3: UInt64

    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

/// A shared source of randomness that many tasks may draw from. Seeded sources are reproducible;
/// ``system`` draws from the operating system.
public final class RandomSource: Sendable {
    private let generator: Mutex<SeededGenerator>
    private let isSystem: Bool

    private init(seed: UInt64, isSystem: Bool) {
        generator = Mutex(SeededGenerator(seed: seed))
        self.isSystem = isSystem
    }

    /// A reproducible source: the same seed draws the same numbers in the same order.
    public static func seeded(_ seed: UInt64) -> RandomSource { RandomSource(seed: seed, isSystem: false) }

    /// The system's cryptographically secure generator.
    public static var system: RandomSource { RandomSource(seed: 0, isSystem: true) }

    /// The next 64 random bits.
    public func next() -> UInt64 {
        if isSystem {
            var system = SystemRandomNumberGenerator()
            return system.next()
        }
        return generator.withLock { $0.next() }
    }

    /// Calls `body` with exclusive use of the generator (for `Int.random(in:using:)` and the like).
    public func withGenerator<R>(_ body: (inout any RandomNumberGenerator) throws -> R) rethrows -> R {
        if isSystem {
            var system: any RandomNumberGenerator = SystemRandomNumberGenerator()
            return try body(&system)
        }
        return try generator.withLock { seeded in
            var erased: any RandomNumberGenerator = seeded
            defer { seeded = erased as! SeededGenerator }
            return try body(&erased)
        }
    }

    /// A uniformly distributed double in `0..<1`.
    public func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A uniformly distributed integer in `range`.
    public func next(in range: ClosedRange<Int>) -> Int { withGenerator { Int.random(in: range, using: &$0) } }
}
