import Foundation
import Micro
import MicroProviders
import Testing

/// Recording appends to a journal and rewrites the cassette only now and then; a recorder that dies loses at
/// most the interaction in flight.
@Suite struct CassetteJournalTests {
    static func record(_ count: Int, into recorder: RecordingTransport) async throws {
        for index in 0..<count {
            _ = try await recorder.send(chatRequest("hi \(index)")).chunkTexts()
        }
    }

    static func lines(_ path: String) -> Int {
        (try? String(contentsOfFile: path + ".journal", encoding: .utf8))?.split(separator: "\n").count ?? 0
    }

    @Test func aLongSessionAppendsToTheJournalAndFinishWritesEverything() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("long.json")
        let recorder = try RecordingTransport(live: ScriptedTransport(CassetteRecordingTests.streaming), path: path, mode: .all)
        try await Self.record(40, into: recorder)
        // The file was last rewritten when the waiting interactions reached half the total; the rest wait in the journal.
        let onDisk = try Cassette(bytes: [UInt8](FileManager.default.contents(atPath: path)!)).interactions.count
        #expect(onDisk < 40 && onDisk >= 20, "\(onDisk) on disk")
        #expect(Self.lines(path) == 40 - onDisk)
        #expect(try Cassette.load(from: path).interactions.count == 40, "load reads the journal too")
        try recorder.finish()
        #expect(try Cassette(bytes: [UInt8](FileManager.default.contents(atPath: path)!)).interactions.count == 40)
        #expect(!FileManager.default.fileExists(atPath: path + ".journal"))
        #expect(try Cassette.load(from: path) == recorder.cassette)
    }

    @Test func aRecorderThatDiesLosesOnlyTheInteractionInFlight() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("crash.json")
        let recorder = try RecordingTransport(live: ScriptedTransport(CassetteRecordingTests.streaming), path: path, mode: .all)
        try await Self.record(12, into: recorder)
        #expect(Self.lines(path) > 0)
        // The process dies while writing the next line: a torn last line.
        let journal = try FileHandle(forWritingTo: URL(fileURLWithPath: path + ".journal"))
        try journal.seekToEnd()
        try journal.write(contentsOf: Array(#"{"request":{"method":"PO"#.utf8))
        try journal.close()
        let recovered = try Cassette.load(from: path)
        #expect(recovered.interactions.count == 12)
        #expect(recovered.interactions.map(\.request.body) == recorder.cassette.interactions.map(\.request.body))
        withExtendedLifetime(recorder) {}
    }

    @Test func aBrokenLineInsideTheJournalIsAnErrorNamingIt() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("broken.json")
        try Cassette().write(to: path)
        try "not json\n{}\n".write(toFile: path + ".journal", atomically: true, encoding: .utf8)
        #expect {
            try Cassette.load(from: path)
        } throws: { error in
            let error = error as? CassetteError
            return error?.code == .malformedJSON && error?.file == path + ".journal" && error?.line == 1
        }
    }

    /// A new recording over an old one drops the old journal (the old file stays until something new is
    /// recorded, as before); new episodes keep the journal's interactions, written into the cassette.
    @Test(arguments: [CassetteMode.all, .newEpisodes])
    func aJournalLeftBehindIsDroppedOrKeptByTheNextRecording(mode: CassetteMode) async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("again.json")
        var onFile = 0
        do {
            let first = try RecordingTransport(live: ScriptedTransport(CassetteRecordingTests.streaming), path: path, mode: .all)
            try await Self.record(12, into: first)
            // Keep what the dead recorder left: its file and its journal, not what its release would flush.
            let file = FileManager.default.contents(atPath: path)!
            let journal = FileManager.default.contents(atPath: path + ".journal")!
            withExtendedLifetime(first) {}
            _ = consume first
            _ = FileManager.default.createFile(atPath: path, contents: file)
            onFile = try Cassette(bytes: [UInt8](file)).interactions.count
            _ = FileManager.default.createFile(atPath: path + ".journal", contents: journal)
        }
        let second = try RecordingTransport(live: ScriptedTransport(CassetteRecordingTests.streaming), path: path, mode: mode)
        #expect(!FileManager.default.fileExists(atPath: path + ".journal"))
        try second.finish()
        #expect(onFile < 12)
        #expect(try Cassette.load(from: path).interactions.count == (mode == .all ? onFile : 12))
    }
}
