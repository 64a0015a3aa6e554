import Foundation
import GRDB
import Micro
@testable import MicroSQLite
import Testing

@Suite struct SQLiteStoreTests {
    let environment = Environment.simulated(clock: VirtualClock(mode: .manual))

    @Test func dataSurvivesClosingAndReopening() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.file("store.sqlite")
            do {
                let store = try SQLiteStore(path: path, environment: environment)
                try await store.namespace("ns").write("k", bytes: [1, 2, 3], metadata: ["m": "v"])
                try await store.namespace("ns").write([StoreRecord(key: "a", value: [9]), StoreRecord(key: "b", value: [8])])
                try store.close()
                await #expect(throws: StoreError.self) { _ = try await store.namespace("ns").read("k") }
            }
            let reopened = try SQLiteStore(path: path, environment: environment)
            #expect(try await reopened.namespace("ns").read("k") == StoreRecord(key: "k", value: [1, 2, 3], metadata: ["m": "v"]))
            #expect(try await reopened.namespace("ns").keys() == ["a", "b", "k"])
        }
    }

    @Test func twoStoresOnOneFileSeeEachOthersWrites() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.file("shared.sqlite")
            let one = try SQLiteStore(path: path, environment: environment)
            let two = try SQLiteStore(path: path, environment: environment)
            try await one.namespace().write("from-one", bytes: [1])
            #expect(try await two.namespace().read("from-one")?.value == [1])
            try await two.namespace().write("from-two", bytes: [2])
            #expect(try await one.namespace().keys() == ["from-one", "from-two"])
            #expect(try await two.namespace().writeIfAbsent(StoreRecord(key: "from-one", value: [3])) == false)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, store) in [one, two].enumerated() {
                    group.addTask {
                        for i in 0..<50 { try await store.namespace("race").write("\(index)-\(i)", bytes: [UInt8(i)]) }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await one.namespace("race").keys().count == 100)
        }
    }

    @Test func garbageFileIsATypedErrorNotACrash() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.file("garbage.sqlite")
            try Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: StoreError.self) { try SQLiteStore(path: path, environment: environment) }
            #expect(error?.code == .corrupted)
        }
    }

    @Test func damagedPageIsATypedErrorNotACrash() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.file("damaged.sqlite")
            do {
                let store = try SQLiteStore(path: path, environment: environment)
                try await store.namespace().write((0..<2000).map { StoreRecord(key: "k\($0)", value: Array(repeating: 7, count: 200)) })
                try store.close()
            }
            // Overwrite everything after the header page with noise.
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            let size = try handle.seekToEnd()
            try handle.seek(toOffset: 4096)
            try handle.write(contentsOf: Data(repeating: 0xA5, count: Int(size) - 4096))
            try handle.close()
            await #expect(throws: StoreError.self) {
                let store = try SQLiteStore(path: path, environment: environment)
                _ = try await store.namespace().keys()
            }
        }
    }

    @Test func unopenablePathIsUnavailable() throws {
        let error = #expect(throws: StoreError.self) {
            try SQLiteStore(path: "/nonexistent-dir-\(UUID().uuidString)/x.sqlite", environment: environment)
        }
        #expect(error?.code == .unavailable)
    }

    @Test func prefixScansUseThePrimaryKey() async throws {
        let store = try SQLiteStore.inMemory(environment: environment)
        for (select, prefix) in [(SQLiteStore.SQL.readRange, "travel/"), (SQLiteStore.SQL.keysRange, "a")] {
            let (sql, arguments) = SQLiteStore.range(select, prefix, "ns", 10, 0, environment.now())
            let plan = try store.reading(namespace: "ns") { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
            }.joined(separator: "; ")
            #expect(plan.contains("PRIMARY KEY (namespace=? AND key>? AND key<?)"), "\(plan)")
            #expect(!plan.contains("TEMP B-TREE"), "ordered by the index, no sort: \(plan)")
        }
    }

    @Test(arguments: [
        ("a", "b"), ("a/", "a0"), ("caf\u{7F}", "caf\u{80}"), ("x\u{D7FF}", "x\u{E000}"),
        ("x\u{10FFFF}", "y"), ("\u{10FFFF}\u{10FFFF}", nil),
    ] as [(String, String?)])
    func prefixSuccessor(prefix: String, successor: String?) {
        #expect(SQLiteStore.successor(ofPrefix: prefix) == successor)
    }

    @Test func metadataIsCanonicalJSONOnDisk() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.file("store.sqlite")
            let store = try SQLiteStore(path: path, environment: environment)
            try await store.namespace().write("k", bytes: [], metadata: ["z": "1", "a": "x/y", "m": "é"], ttl: .seconds(5))
            try store.close()
            let queue = try DatabaseQueue(path: path)
            let metadata = try await queue.read { try String.fetchOne($0, sql: "SELECT metadata FROM micro_store") }
            let expiresAt = try await queue.read { try Int64.fetchOne($0, sql: "SELECT expires_at FROM micro_store") }
            #expect(metadata == #"{"a":"x/y","m":"é","z":"1"}"#)
            #expect(expiresAt == environment.now().millisecondsSinceEpoch + 5_000)
        }
    }

    @Test func synchronousPragmaAndWALAreApplied() async throws {
        try await TemporaryDirectory.with { directory in
            for (mode, value) in [(SQLiteStore.Configuration.Synchronous.off, 0), (.normal, 1), (.full, 2), (.extra, 3)] {
                let store = try SQLiteStore(
                    path: directory.file("\(mode).sqlite"), configuration: .init(synchronous: mode), environment: environment)
                let read = try store.reading(namespace: "-") { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
                let written = try store.writing(key: nil, namespace: nil) { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
                #expect(read == value && written == value, "\(mode)")
                #expect(try store.reading(namespace: "-") { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
            }
        }
    }

    @Test func sqliteVersion() {
        #expect(SQLiteStore.sqliteVersion.hasPrefix("3."))
    }
}
