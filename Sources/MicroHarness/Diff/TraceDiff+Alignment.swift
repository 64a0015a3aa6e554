import Micro

extension TraceDiff {
    /// The steps of both sides aligned by a longest common subsequence of their keys; paired steps whose
    /// arguments or content differ are `changed`. A common prefix and suffix are matched first, so the table
    /// is only as large as the part that differs.
    static func align(_ a: [DiffStep], _ b: [DiffStep]) -> [Entry] {
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix].key == b[prefix].key { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix].key == b[b.count - 1 - suffix].key {
            suffix += 1
        }
        let middleA = Array(a[prefix..<(a.count - suffix)])
        let middleB = Array(b[prefix..<(b.count - suffix)])
        var entries = zip(a.prefix(prefix), b.prefix(prefix)).map { pair($0, $1) }
        entries += lcs(middleA, middleB)
        entries += zip(a.suffix(suffix), b.suffix(suffix)).map { pair($0, $1) }
        return entries
    }

    /// The LCS alignment of two step lists (dynamic programming over their keys); ties keep A's steps first.
    private static func lcs(_ a: [DiffStep], _ b: [DiffStep]) -> [Entry] {
        let n = a.count, m = b.count
        if n * m > maximumTableCells { return windowed(a, b) }
        if n == 0 { return b.map { Entry(operation: .added, a: nil, b: $0, argumentChanges: [], detailChanges: [], metricChanges: []) } }
        if m == 0 { return a.map { Entry(operation: .dropped, a: $0, b: nil, argumentChanges: [], detailChanges: [], metricChanges: []) } }
        // lengths[i * (m + 1) + j]: the LCS length of a[i...] and b[j...].
        var lengths = [Int32](repeating: 0, count: (n + 1) * (m + 1))
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lengths[i * (m + 1) + j] = a[i].key == b[j].key
                    ? lengths[(i + 1) * (m + 1) + j + 1] + 1
                    : max(lengths[(i + 1) * (m + 1) + j], lengths[i * (m + 1) + j + 1])
            }
        }
        var entries: [Entry] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, a[i].key == b[j].key {
                entries.append(pair(a[i], b[j]))
                i += 1
                j += 1
            } else if j >= m || (i < n && lengths[(i + 1) * (m + 1) + j] >= lengths[i * (m + 1) + j + 1]) {
                entries.append(Entry(operation: .dropped, a: a[i], b: nil, argumentChanges: [], detailChanges: [], metricChanges: []))
                i += 1
            } else {
                entries.append(Entry(operation: .added, a: nil, b: b[j], argumentChanges: [], detailChanges: [], metricChanges: []))
                j += 1
            }
        }
        return entries
    }

    /// The most cells the LCS table may have (64 MB of `Int32`); longer differing stretches are aligned by
    /// ``windowed(_:_:)``.
    public static let maximumTableCells = 16_000_000

    /// A bounded alignment for very long differing stretches, linear in time and memory: equal keys pair;
    /// at a difference, the nearest point (within 64 steps on either side) where the next 4 keys agree again
    /// decides whether A's steps were dropped or B's added; with none, A's step is dropped and B's added.
    /// Not always the longest alignment.
    static func windowed(_ a: [DiffStep], _ b: [DiffStep]) -> [Entry] {
        func agree(_ i: Int, _ j: Int) -> Bool {
            (0..<4).allSatisfy { k in
                let x = i + k, y = j + k
                if x >= a.count || y >= b.count { return x >= a.count && y >= b.count || k > 0 }
                return a[x].key == b[y].key
            }
        }
        func dropped(_ step: DiffStep) -> Entry {
            Entry(operation: .dropped, a: step, b: nil, argumentChanges: [], detailChanges: [], metricChanges: [])
        }
        func added(_ step: DiffStep) -> Entry {
            Entry(operation: .added, a: nil, b: step, argumentChanges: [], detailChanges: [], metricChanges: [])
        }
        var entries: [Entry] = []
        var i = 0, j = 0
        while i < a.count, j < b.count {
            if a[i].key == b[j].key {
                entries.append(pair(a[i], b[j]))
                i += 1
                j += 1
                continue
            }
            if let d = (1...64).first(where: { agree(i + $0, j) || agree(i, j + $0) }) {
                if agree(i + d, j) {
                    entries += a[i..<min(a.count, i + d)].map(dropped)
                    i += d
                } else {
                    entries += b[j..<min(b.count, j + d)].map(added)
                    j += d
                }
            } else {
                entries.append(dropped(a[i]))
                entries.append(added(b[j]))
                i += 1
                j += 1
            }
        }
        entries += a[i...].map(dropped)
        entries += b[j...].map(added)
        return entries
    }

    /// Two steps with the same key: `same` or `changed`, with their differences.
    static func pair(_ a: DiffStep, _ b: DiffStep) -> Entry {
        let arguments = JSONDiff.changes(a.arguments, b.arguments)
        let detail = JSONDiff.changes(a.detail, b.detail)
        var metrics: [MetricChange] = []
        func compare(_ name: String, _ old: Double?, _ new: Double?) {
            guard let old, let new, old != new else { return }
            metrics.append(MetricChange(name: name, old: old, new: new))
        }
        compare("inputTokens", a.inputTokens.map(Double.init), b.inputTokens.map(Double.init))
        compare("outputTokens", a.outputTokens.map(Double.init), b.outputTokens.map(Double.init))
        compare("requestTokens", a.requestTokens.map(Double.init), b.requestTokens.map(Double.init))
        compare("costUSD", a.costUSD, b.costUSD)
        compare("latencyMs", a.latencyMs.map(Double.init), b.latencyMs.map(Double.init))
        return Entry(
            operation: arguments.isEmpty && detail.isEmpty ? .same : .changed, a: a, b: b, argumentChanges: arguments,
            detailChanges: detail, metricChanges: metrics)
    }
}
