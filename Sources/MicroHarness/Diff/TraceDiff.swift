import Micro
import MicroAgent

/// How two runs differ step by step (`micro diff A B`): for each pair of runs, the steps of both aligned by
/// a longest common subsequence of their keys (kind, agent, tool — so a call made with other arguments is the
/// same step, changed, and an extra call is an added step rather than a shift of every later one), the first
/// divergence, tool calls whose arguments changed (as JSON paths, old → new), per-step differences in tokens,
/// cost and latency where both sides carry them, ledger entries that differ, and end-of-run facts that differ.
///
/// Two sides are identical when no step was added, dropped or changed, and no metric, ledger entry or fact
/// differs. Runs pair by name (a scenario's file, a run ID); when each side has one run, those two pair.
public struct TraceDiff: Sendable, Hashable {
    /// Where a step stands in the alignment.
    public enum Operation: String, Sendable, Hashable {
        /// The same step on both sides.
        case same
        /// The same kind of step by the same agent (the same tool), with other arguments or content.
        case changed
        /// Only in B.
        case added
        /// Only in A.
        case dropped
    }

    /// One row of the alignment: a step of A, of B, or of both.
    public struct Entry: Sendable, Hashable {
        public var operation: Operation
        public var a: DiffStep?
        public var b: DiffStep?
        /// A changed tool call's argument differences.
        public var argumentChanges: [JSONDiff.Change]
        /// A changed step's content differences (results, answers, event data).
        public var detailChanges: [JSONDiff.Change]
        /// Differences in tokens, cost or latency between the two sides of a paired step.
        public var metricChanges: [MetricChange]
    }

    /// A per-step figure that differs.
    public struct MetricChange: Sendable, Hashable {
        /// `inputTokens`, `outputTokens`, `requestTokens` (estimated request size), `costUSD` or `latencyMs`.
        public var name: String
        public var old: Double
        public var new: Double

        public init(name: String, old: Double, new: Double) {
            self.name = name
            self.old = old
            self.new = new
        }
    }

    /// Where the two sides first did something different: positions (from 1) in each side's steps, and the
    /// step each side took there (nil past its end).
    public struct Divergence: Sendable, Hashable {
        public var operation: Operation
        public var aIndex: Int
        public var bIndex: Int
        public var a: DiffStep?
        public var b: DiffStep?
    }

    /// Ledger entries that differ, by `kind key #occurrence`.
    public struct SideEffectChanges: Sendable, Hashable {
        public var added: [SideEffect] = []
        public var dropped: [SideEffect] = []
        /// Entries under the same kind, key and occurrence with other payloads.
        public var changed: [(old: SideEffect, new: SideEffect, changes: [JSONDiff.Change])] = []

        public var isEmpty: Bool { added.isEmpty && dropped.isEmpty && changed.isEmpty }

        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.added == rhs.added && lhs.dropped == rhs.dropped
                && lhs.changed.map { [$0.old, $0.new] } == rhs.changed.map { [$0.old, $0.new] }
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(added)
            hasher.combine(dropped)
            for change in changed { hasher.combine([change.old, change.new]) }
        }
    }

    /// The comparison of one run of A with one of B.
    public struct RunDiff: Sendable, Hashable {
        public var name: String
        /// The alignment, in order; empty when neither side has steps.
        public var entries: [Entry]
        /// Whether both sides had steps to compare.
        public var comparedSteps: Bool
        public var firstDivergence: Divergence?
        /// Nil when a side has no ledger.
        public var sideEffects: SideEffectChanges?
        /// End-of-run facts that differ.
        public var facts: [JSONDiff.Change]
        /// Each side's Trace, when it had one (for timelines).
        public var aTrace: [TraceEvent] = []
        public var bTrace: [TraceEvent] = []

        public var added: [Entry] { entries.filter { $0.operation == .added } }
        public var dropped: [Entry] { entries.filter { $0.operation == .dropped } }
        public var changed: [Entry] { entries.filter { $0.operation == .changed } }
        /// Changed tool calls with their argument differences.
        public var toolCallChanges: [Entry] { entries.filter { !$0.argumentChanges.isEmpty } }
        /// Paired steps whose tokens, cost or latency differ.
        public var metricChanges: [Entry] { entries.filter { !$0.metricChanges.isEmpty } }

        public var identical: Bool {
            firstDivergence == nil && metricChanges.isEmpty && (sideEffects?.isEmpty ?? true) && facts.isEmpty
        }
    }

    public var aFile: String
    public var aFormat: DiffSubject.Format
    public var bFile: String
    public var bFormat: DiffSubject.Format
    /// Paired runs, in A's order (then B's).
    public var runs: [RunDiff]
    /// Runs only one side has, by name.
    public var onlyInA: [String]
    public var onlyInB: [String]

    public var identical: Bool { onlyInA.isEmpty && onlyInB.isEmpty && runs.allSatisfy(\.identical) }

    /// Compares `a` with `b`.
    public init(_ a: DiffSubject, _ b: DiffSubject) {
        aFile = a.file
        aFormat = a.format
        bFile = b.file
        bFormat = b.format
        if a.runs.count == 1, b.runs.count == 1 {
            let name = a.runs[0].name == b.runs[0].name ? a.runs[0].name : "\(a.runs[0].name) → \(b.runs[0].name)"
            runs = [Self.compare(a.runs[0], b.runs[0], name: name)]
            onlyInA = []
            onlyInB = []
            return
        }
        let bByName = Dictionary(b.runs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let aNames = Set(a.runs.map(\.name))
        runs = a.runs.compactMap { run in bByName[run.name].map { Self.compare(run, $0, name: run.name) } }
        onlyInA = a.runs.map(\.name).filter { bByName[$0] == nil }
        onlyInB = b.runs.map(\.name).filter { !aNames.contains($0) }
    }

    /// Compares two runs.
    static func compare(_ a: DiffSubject.Run, _ b: DiffSubject.Run, name: String) -> RunDiff {
        var entries: [Entry] = []
        if let aSteps = a.steps, let bSteps = b.steps {
            entries = align(aSteps, bSteps)
        }
        var sideEffects: SideEffectChanges?
        if let old = a.sideEffects, let new = b.sideEffects { sideEffects = compare(old, new) }
        return RunDiff(
            name: name, entries: entries, comparedSteps: a.steps != nil && b.steps != nil,
            firstDivergence: divergence(entries), sideEffects: sideEffects, facts: JSONDiff.changes(a.facts, b.facts),
            aTrace: a.trace, bTrace: b.trace)
    }

    /// The first entry that is not `same`, with each side's position there.
    static func divergence(_ entries: [Entry]) -> Divergence? {
        var aIndex = 1, bIndex = 1
        for (offset, entry) in entries.enumerated() {
            if entry.operation != .same {
                // Past the end of one side, its next step is the next one it has at all (none, if it has ended).
                let nextA = entry.a ?? entries[offset...].first { $0.a != nil }?.a
                let nextB = entry.b ?? entries[offset...].first { $0.b != nil }?.b
                return Divergence(operation: entry.operation, aIndex: aIndex, bIndex: bIndex, a: nextA, b: nextB)
            }
            if entry.a != nil { aIndex += 1 }
            if entry.b != nil { bIndex += 1 }
        }
        return nil
    }

    /// Ledger entries matched by kind, key and occurrence.
    static func compare(_ old: [SideEffect], _ new: [SideEffect]) -> SideEffectChanges {
        func identity(_ effect: SideEffect) -> String { "\(effect.kind) \(effect.key) #\(effect.occurrence)" }
        let newByIdentity = Dictionary(new.map { (identity($0), $0) }, uniquingKeysWith: { first, _ in first })
        let oldIdentities = Set(old.map(identity))
        var changes = SideEffectChanges()
        for effect in old {
            guard let other = newByIdentity[identity(effect)] else {
                changes.dropped.append(effect)
                continue
            }
            let differences = JSONDiff.changes(effect.payload, other.payload)
            if !differences.isEmpty { changes.changed.append((effect, other, differences)) }
        }
        changes.added = new.filter { !oldIdentities.contains(identity($0)) }
        return changes
    }
}
