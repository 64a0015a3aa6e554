import Foundation
import Micro
import MicroAgent

/// Model prices in USD per million tokens, by `provider/model` (or by `model` alone, for any provider).
///
/// A scenario's `prices:` block and a `--prices FILE` are tables of this kind, written
///
/// ```yaml
/// prices:
///   openai/gpt-4o-mini: {input: 0.15, output: 0.60, cached: 0.075}
///   scripted/planner: {input: 0, output: 0}      # a scripted agent's model is scripted/AGENT
///   claude-sonnet-4-5: {input: 3, output: 15, cached: 0.30}
/// ```
///
/// A lookup tries `provider/model`, then `model`, then the same with a version suffix taken off the model
/// (`claude-sonnet-4-5-20250929`, `gpt-4o-2024-08-06`, `gemini-2.0-flash-001`, `…-latest`), so dated
/// snapshots find their family's price but another model of the family (`gpt-4o-mini` vs `gpt-4o`) never
/// does. A model found nowhere has no price: its cost is unknown, never 0.
public struct PriceTable: Sendable, Hashable {
    /// Prices by `provider/model` or `model`.
    public var entries: [String: RunRecord.Price]

    public init(_ entries: [String: RunRecord.Price] = [:]) {
        self.entries = entries
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// The price of `model` at `provider`, if the table has one.
    public func price(provider: String, model: String) -> RunRecord.Price? {
        for candidate in [model] + Self.unversioned(model) {
            if let price = entries["\(provider)/\(candidate)"] ?? entries[candidate] { return price }
        }
        return nil
    }

    /// This table with `other`'s entries added, `other` winning where both have one.
    public func merging(_ other: PriceTable) -> PriceTable {
        PriceTable(entries.merging(other.entries) { _, new in new })
    }

    /// `model` without its trailing versions, shortest last: a date (`-20250929`, `-2024-08-06`), a number of
    /// three or more digits (`-001`) or `-latest`; empty when it has none.
    static func unversioned(_ model: String) -> [String] {
        var parts = model.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        func digits(_ part: String, _ count: Int? = nil) -> Bool {
            !part.isEmpty && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber) && (count.map { part.count == $0 } ?? true)
        }
        var bases: [String] = []
        while parts.count > 1 {
            let n = parts.count
            if n >= 4, digits(parts[n - 3], 4), digits(parts[n - 2], 2), digits(parts[n - 1], 2) {
                parts.removeLast(3)
            } else if parts[n - 1] == "latest" || (digits(parts[n - 1]) && parts[n - 1].count >= 3) {
                parts.removeLast()
            } else {
                break
            }
            bases.append(parts.joined(separator: "-"))
        }
        return bases
    }

    // MARK: Reading

    /// Parses a `prices:` mapping: `provider/model` (or `model`) → `{input, output, cached}`; `source` is
    /// what each price says it came from.
    public init(parsing node: YAMLNode, source: String) throws(ScenarioError) {
        var entries: [String: RunRecord.Price] = [:]
        for (key, value) in try node.anyMapping().entries {
            guard !key.isEmpty else { throw value.error("a price needs a model name") }
            var price = try Self.price(value)
            price.source = source
            entries[key] = price
        }
        self.init(entries)
    }

    /// `{input, output, cached}` in USD per million tokens; input and output are required, none may be negative.
    static func price(_ node: YAMLNode) throws(ScenarioError) -> RunRecord.Price {
        let map = try node.mapping(["input", "output", "cached"])
        func rate(_ key: String, required: Bool) throws(ScenarioError) -> Double? {
            guard let value = map[key] else {
                if required { throw node.error("a price needs \(key) (USD per million tokens)") }
                return nil
            }
            let number = try value.double()
            guard number >= 0, number.isFinite else { throw value.error("\(key) must be a non-negative number, found \(number)") }
            return number
        }
        return RunRecord.Price(
            input: try rate("input", required: true) ?? 0, output: try rate("output", required: true) ?? 0,
            cached: try rate("cached", required: false))
    }

    /// Reads a price file (`--prices FILE`): the mapping above at the top level, or under `prices:`.
    /// Errors name the file, line and field.
    public static func load(file path: String) throws(ScenarioError) -> PriceTable {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ScenarioError(file: path, line: 0, field: "", message: "cannot read the price file: \(error.localizedDescription)")
        }
        let root = try YAMLNode.root(of: text, file: path)
        let map = try root.anyMapping()
        if map.entries.count == 1, let nested = map["prices"] { return try PriceTable(parsing: nested, source: path) }
        return try PriceTable(parsing: root, source: path)
    }
}
