import Foundation

extension Cassette {
    /// Reads the cassette at `path`, and after its interactions those of a journal left beside it by a
    /// recorder that did not finish (``CassetteJournal``). Every problem is a ``CassetteError`` naming the
    /// file (never a crash).
    public static func load(from path: String) throws(CassetteError) -> Cassette {
        let journal = FileManager.default.fileExists(atPath: CassetteJournal.path(for: path))
        guard FileManager.default.fileExists(atPath: path) || journal else {
            throw CassetteError(.fileNotFound, "no cassette at this path", file: path)
        }
        var cassette = Cassette()
        if FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CassetteError(.io, "cannot read the file", file: path)
            }
            cassette = try Cassette(bytes: [UInt8](data), file: path)
        }
        if journal { cassette.interactions += try CassetteJournal.interactions(of: path) }
        return cassette
    }

    /// Writes the cassette atomically: to a temporary file beside `path`, then renamed over it.
    /// Creates missing parent directories.
    public func write(to path: String) throws(CassetteError) {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).\(UInt32.random(in: 0...UInt32.max)).tmp")
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(encoded()).write(to: temporary)
            if rename(temporary.path, url.path) != 0 {
                throw CocoaError(.fileWriteUnknown)
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw CassetteError(.io, "cannot write the cassette: \(error)", file: path)
        }
    }
}
