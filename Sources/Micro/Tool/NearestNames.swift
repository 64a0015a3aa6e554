/// Suggestions for a name that was not found: the candidates closest to it (edit distance, then a shared
/// substring), as "did you mean" messages give them.
public enum NearestNames {
    /// Up to `limit` of `candidates` closest to `name`, best first; none farther than half its length (at
    /// least 3 edits).
    public static func of(_ name: String, among candidates: some Sequence<String>, limit: Int = 3) -> [String] {
        let lowered = Array(name.lowercased().utf8)
        let scored = candidates.map { candidate -> (String, Int) in
            let other = Array(candidate.lowercased().utf8)
            var distance = editDistance(lowered, other)
            if !lowered.isEmpty, candidate.lowercased().contains(name.lowercased()) { distance = min(distance, 1) }
            return (candidate, distance)
        }
        let threshold = max(3, lowered.count / 2)
        return scored.filter { $0.1 <= threshold }
            .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
            .prefix(limit).map(\.0)
    }

    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
