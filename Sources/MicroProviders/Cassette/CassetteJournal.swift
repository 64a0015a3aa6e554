import Foundation
import Micro

/// The append-only journal beside a cassette being recorded (`<cassette>.journal`): the interactions
/// committed since the cassette file was last written, one canonical JSON line each. Appending is O(1) per
/// interaction, so recording stays fast however long the session; the recorder rewrites the cassette now and
/// then (and when it finishes) and removes the journal. A recorder that crashes loses at most the interaction
/// in flight: ``Cassette/load(from:)`` reads a journal it finds after the cassette's own interactions.
struct CassetteJournal {
    let path: String
    private let handle: FileHandle

    static func path(for cassette: String) -> String { cassette + ".journal" }

    /// Opens the journal of `cassette` for appending, creating it (and its folder) when missing.
    init(cassette: String) throws(CassetteError) {
        path = Self.path(for: cassette)
        do {
            let url = URL(fileURLWithPath: path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
            handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
        } catch {
            throw CassetteError(.io, "cannot open the journal: \(error)", file: path)
        }
    }

    /// Appends `interaction` as one line.
    func append(_ interaction: Cassette.Interaction) throws(CassetteError) {
        do {
            try handle.write(contentsOf: Array((Cassette.encode(interaction).canonicalString() + "\n").utf8))
        } catch {
            throw CassetteError(.io, "cannot append to the journal: \(error)", file: path)
        }
    }

    func close() { try? handle.close() }

    static func remove(cassette: String) { try? FileManager.default.removeItem(atPath: path(for: cassette)) }

    /// The interactions in `cassette`'s journal, if there is one. A last line cut off by a crash is left out;
    /// any other line that is not an interaction is an error naming the journal and the line.
    static func interactions(of cassette: String) throws(CassetteError) -> [Cassette.Interaction] {
        let path = path(for: cassette)
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let reader = CassetteReader(file: path)
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        var interactions: [Cassette.Interaction] = []
        for (index, line) in lines.enumerated() where !line.isEmpty {
            let value: JSONValue
            do {
                value = try JSONValue(parsing: line)
            } catch {
                if index == lines.count - 1 { break }  // the line in flight when the recorder died
                throw CassetteError(.malformedJSON, "line \(index + 1) of the journal: \(error.message)", file: path, line: index + 1)
            }
            interactions.append(try Cassette.decodeInteraction(value, "journal line \(index + 1)", reader))
        }
        return interactions
    }
}
