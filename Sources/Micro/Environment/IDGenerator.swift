import Synchronization

/// Makes identifiers for runs, calls, messages and nodes. Inject ``incrementing(prefix:)`` or
/// ``seeded(_:)`` for reproducible IDs; ``random`` for production.
public final class IDGenerator: Sendable {
    private enum Kind: Sendable { case counter, random(RandomSource) }
    private let kind: Kind
    private let counters = Mutex<[String: Int]>([:])

    private init(kind: Kind) { self.kind = kind }

    /// `prefix-1`, `prefix-2`, … counted separately per prefix.
    public static func incrementing() -> IDGenerator { IDGenerator(kind: .counter) }

    /// Random 128-bit identifiers drawn from a seeded source: reproducible and collision-resistant.
    public static func seeded(_ seed: UInt64) -> IDGenerator { IDGenerator(kind: .random(.seeded(seed))) }

    /// Random 128-bit identifiers from the system generator.
    public static var random: IDGenerator { IDGenerator(kind: .random(.system)) }

    /// A new identifier beginning with `prefix` (for example `run`, `call`, `node`).
    public func next(_ prefix: String) -> String {
        switch kind {
        case .counter:
            let n = counters.withLock { counters -> Int in
                counters[prefix, default: 0] += 1
                return counters[prefix]!
            }
            return "\(prefix)-\(n)"
        case .random(let source):
            let hi = source.next(), lo = source.next()
            return "\(prefix)-\(hex(hi))\(hex(lo))"
        }
    }

    private func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
