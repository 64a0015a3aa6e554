import Micro

/// The ``Store`` contract as runnable checks. Run every check against every backend:
///
/// ```swift
/// @Test(arguments: [ContractSubject<any Store>("InMemoryStore") { InMemoryStore(environment: $0) }],
///       StoreContract.checks)
/// func contract(_ subject: ContractSubject<any Store>, _ check: ContractCheck<any Store>) async throws {
///     try await check.run(on: subject)
/// }
/// ```
public enum StoreContract {
    public static let checks: [ContractCheck<any Store>] = [
        crud, binaryValuesAndMetadata, prefixOrderingAndPaging, byteOrderedKeys, namespaceIsolation,
        expiry, batchAtomicity, compareAndSwap, concurrentWriters, typedJSON, invalidArguments,
    ]

    private static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    private static func record(_ key: String, _ value: String, expiresAt: Timestamp? = nil) -> StoreRecord {
        StoreRecord(key: key, value: bytes(value), expiresAt: expiresAt)
    }

    /// Write, read back, overwrite, delete, read a missing key.
    public static let crud = ContractCheck<any Store>("crud") { subject in
        let name = "crud"
        try await subject.with(Simulation().environment) { store in
            let ns = store.namespace()
            try expect(try await ns.read("a") == nil, "a missing key reads nil", in: name)
            try await ns.write("a", bytes: bytes("one"))
            try expectEqual(try await ns.read("a")?.value, bytes("one"), "value read back", in: name)
            try await ns.write("a", bytes: bytes("two"), metadata: ["k": "v"])
            try await ns.write("a", bytes: bytes("three"))
            let read = try await ns.read("a")
            try expectEqual(read?.value, bytes("three"), "overwritten value", in: name)
            try expectEqual(read?.metadata, [:], "an overwrite replaces metadata too", in: name)
            try expectEqual(read?.key, "a", "record key", in: name)
            try expectEqual(try await ns.delete("a"), true, "delete of a live key", in: name)
            try expectEqual(try await ns.delete("a"), false, "second delete", in: name)
            try expect(try await ns.read("a") == nil, "a deleted key reads nil", in: name)
            try expectEqual(try await ns.keys(), [], "keys after delete", in: name)
        }
    }

    /// Values are arbitrary bytes (including empty, NUL, 0xFF); metadata round-trips.
    public static let binaryValuesAndMetadata = ContractCheck<any Store>("binaryValuesAndMetadata") { subject in
        let name = "binaryValuesAndMetadata"
        try await subject.with(Simulation().environment) { store in
            let ns = store.namespace("bin")
            let blob: [UInt8] = [0, 1, 2, 0xFF, 0, 0x80, 0x7F] + Array(repeating: 0xAB, count: 70_000)
            let metadata = ["content-type": "application/octet-stream", "ünïcode": "✓ \"quoted\" / \\"]
            try await ns.write(StoreRecord(key: "blob", value: blob, metadata: metadata))
            try await ns.write(StoreRecord(key: "empty", value: []))
            let read = try await ns.read("blob")
            try expect(read?.value == blob, "binary value round-trips (\(read?.value.count ?? -1) bytes)", in: name)
            try expectEqual(read?.metadata, metadata, "metadata round-trips", in: name)
            try expectEqual(read?.expiresAt, nil, "no expiry unless given", in: name)
            try expectEqual(try await ns.read("empty")?.value, [], "an empty value is a value", in: name)
        }
    }

    /// Prefix reads and key lists are ordered by key and paged after filtering.
    public static let prefixOrderingAndPaging = ContractCheck<any Store>("prefixOrderingAndPaging") { subject in
        let name = "prefixOrderingAndPaging"
        try await subject.with(Simulation().environment) { store in
            let ns = store.namespace("paging")
            let keys = ["a/3", "a/1", "b/1", "a/2", "a", "a0", "a/10", "a/", "ab"]
            for key in keys { try await ns.write(record(key, "v-\(key)")) }
            let expected = ["a/", "a/1", "a/10", "a/2", "a/3"]
            try expectEqual(try await ns.keys(prefix: "a/"), expected, "keys under a/", in: name)
            try expectEqual(try await ns.read(prefix: "a/").map(\.key), expected, "records under a/", in: name)
            try expectEqual(try await ns.read(prefix: "a/").map(\.value), expected.map { bytes("v-\($0)") },
                            "values under a/", in: name)
            try expectEqual(try await ns.keys(prefix: "a/", limit: 2), ["a/", "a/1"], "limit 2", in: name)
            try expectEqual(try await ns.keys(prefix: "a/", limit: 2, offset: 2), ["a/10", "a/2"], "limit 2 offset 2", in: name)
            try expectEqual(try await ns.read(prefix: "a/", limit: 10, offset: 4).map(\.key), ["a/3"], "offset 4", in: name)
            try expectEqual(try await ns.keys(prefix: "a/", offset: 5), [], "offset past the end", in: name)
            try expectEqual(try await ns.keys(prefix: "a/", limit: 0), [], "limit 0", in: name)
            try expectEqual(try await ns.keys(), keys.sorted(), "all keys with an empty prefix", in: name)
            try expectEqual(try await ns.keys(prefix: "zz"), [], "no match", in: name)
            try expectEqual(try await ns.keys(prefix: "a/1"), ["a/1", "a/10"], "a key is its own prefix", in: name)
        }
    }

    /// Keys are distinct and ordered by their UTF-8 bytes, including non-ASCII and the highest scalars.
    public static let byteOrderedKeys = ContractCheck<any Store>("byteOrderedKeys") { subject in
        let name = "byteOrderedKeys"
        try await subject.with(Simulation().environment) { store in
            let ns = store.namespace("bytes")
            let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
            let keys = [composed, decomposed, "cafe", "cafz", "caf\u{FFFF}", "caf\u{10FFFF}", "caf\u{10FFFF}x",
                        "caf\u{7F}", "caf\u{80}", "caf\u{D7FF}", "caf\u{E000}", "cag", "Z", "~"]
            for (i, key) in keys.enumerated() { try await ns.write(record(key, "\(i)")) }
            let expected = keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            try expectEqual(try await ns.keys(), expected, "all keys in UTF-8 byte order", in: name)
            try expectEqual(try await ns.read(composed)?.value, bytes("0"), "precomposed é is its own key", in: name)
            try expectEqual(try await ns.read(decomposed)?.value, bytes("1"), "decomposed é is its own key", in: name)
            try expectEqual(try await ns.keys(prefix: "caf\u{10FFFF}"), ["caf\u{10FFFF}", "caf\u{10FFFF}x"],
                            "prefix ending in U+10FFFF", in: name)
            try expectEqual(try await ns.keys(prefix: "caf\u{7F}"), ["caf\u{7F}"], "prefix ending in U+7F", in: name)
            try expectEqual(try await ns.keys(prefix: "caf\u{D7FF}"), ["caf\u{D7FF}"], "prefix ending in U+D7FF", in: name)
            try expectEqual(try await ns.keys(prefix: "cafe"), ["cafe", decomposed], "prefix cafe", in: name)
        }
    }

    /// Namespaces never see each other's keys.
    public static let namespaceIsolation = ContractCheck<any Store>("namespaceIsolation") { subject in
        let name = "namespaceIsolation"
        try await subject.with(Simulation().environment) { store in
            let a = store.namespace("travel.bookings"), b = store.namespace("travel.bookings.archive")
            let d = store.namespace()
            try await a.write(record("k", "a"))
            try await b.write(record("k", "b"))
            try await b.write(record("only-b", "b"))
            try expectEqual(try await a.read("k")?.value, bytes("a"), "namespace a", in: name)
            try expectEqual(try await b.read("k")?.value, bytes("b"), "namespace b", in: name)
            try expect(try await d.read("k") == nil, "the default namespace is separate", in: name)
            try expectEqual(try await a.keys(), ["k"], "keys of a", in: name)
            try expectEqual(try await b.keys(), ["k", "only-b"], "keys of b", in: name)
            try expectEqual(try await a.delete("only-b"), false, "delete in a does not reach b", in: name)
            try expectEqual(try await a.delete("k"), true, "delete in a", in: name)
            try expectEqual(try await b.read("k")?.value, bytes("b"), "b untouched by a's delete", in: name)
            try expectEqual(try await a.writeIfAbsent(record("only-b", "a")), true, "CAS in a ignores b", in: name)
            try expectEqual(try await b.read("only-b")?.value, bytes("b"), "b untouched by a's CAS", in: name)
            try expectEqual(d.name, StoreNamespace.defaultName, "default namespace name", in: name)
        }
    }

    /// Records vanish from every read at their expiry on the store's clock (virtual time, no sleeping).
    public static let expiry = ContractCheck<any Store>("expiry") { subject in
        let name = "expiry"
        let simulation = Simulation()
        try await subject.with(simulation.environment) { store in
            let ns = store.namespace("ttl")
            let start = simulation.clock.timestamp
            try expectEqual(store.now(), start, "the store's now follows the injected environment", in: name)
            try await ns.write("short", bytes: bytes("s"), ttl: .seconds(10))
            try await ns.write("long", bytes: bytes("l"), ttl: .seconds(60))
            try await ns.write("forever", bytes: bytes("f"))
            try await ns.write(record("past", "p", expiresAt: start.advanced(by: .milliseconds(-1))))
            try await ns.write(record("now", "n", expiresAt: start))
            try expectEqual(try await ns.read("short")?.expiresAt, start.advanced(by: .seconds(10)), "expiresAt from ttl", in: name)
            try expect(try await ns.read("past") == nil, "a record written already expired is invisible", in: name)
            try expect(try await ns.read("now") == nil, "a record expiring exactly now is invisible", in: name)
            try expectEqual(try await ns.keys(), ["forever", "long", "short"], "live keys", in: name)

            simulation.clock.advance(by: .milliseconds(9_999))
            try expectEqual(try await ns.read("short")?.value, bytes("s"), "alive 1 ms before expiry", in: name)
            simulation.clock.advance(by: .milliseconds(1))
            try expect(try await ns.read("short") == nil, "gone at expiry (read)", in: name)
            try expectEqual(try await ns.keys(), ["forever", "long"], "gone at expiry (keys)", in: name)
            try expectEqual(try await ns.read(prefix: "").map(\.key), ["forever", "long"], "gone at expiry (prefix)", in: name)
            try expectEqual(try await ns.read(prefix: "", limit: 1, offset: 1).map(\.key), ["long"],
                            "paging skips expired records", in: name)
            try expectEqual(try await ns.delete("short"), false, "deleting an expired record reports false", in: name)
            try expectEqual(try await ns.compareAndSwap(record("long", "x"), expecting: bytes("l")), true, "CAS on live", in: name)

            simulation.clock.advance(by: .seconds(120))
            try expectEqual(try await ns.read("long")?.value, bytes("x"), "a CAS replaces the expiry too", in: name)
            try await ns.write("again", bytes: bytes("1"), ttl: .seconds(1))
            simulation.clock.advance(by: .seconds(1))
            try expectEqual(try await ns.writeIfAbsent(record("again", "2")), true, "write-if-absent over an expired record", in: name)
            try expectEqual(try await ns.read("again")?.value, bytes("2"), "value after write-if-absent", in: name)
            try await ns.write("gone", bytes: bytes("g"), ttl: .seconds(1))
            simulation.clock.advance(by: .seconds(1))
            let purged = try await store.purgeExpired()
            try expect(purged >= 0 && purged <= 5, "purgeExpired counts removed records (\(purged))", in: name)
            try expectEqual(try await store.purgeExpired(), 0, "nothing left to purge", in: name)
            try expectEqual(try await ns.keys(), ["again", "forever", "long"], "live keys after purge", in: name)
        }
    }

    /// A batch is written whole or not at all; a repeated key keeps the last record.
    public static let batchAtomicity = ContractCheck<any Store>("batchAtomicity") { subject in
        let name = "batchAtomicity"
        try await subject.with(Simulation().environment) { store in
            let ns = store.namespace("batch")
            try await ns.write(record("keep", "old"))
            let batch = (0..<100).map { record("item/\(String(format3: $0))", "\($0)") }
            try await ns.write(batch)
            try expectEqual(try await ns.keys(prefix: "item/").count, 100, "a batch writes all its records", in: name)
            try await expectThrows(StoreError.self, "a batch with an empty key", in: name, matching: { $0.code == .invalidKey }) {
                try await ns.write([record("keep", "new"), record("fresh", "x"), record("", "bad")])
            }
            try expectEqual(try await ns.read("keep")?.value, bytes("old"), "a failed batch changes nothing", in: name)
            try expect(try await ns.read("fresh") == nil, "a failed batch writes nothing", in: name)
            try await expectThrows(StoreError.self, "a key with NUL", in: name, matching: { $0.code == .invalidKey }) {
                try await ns.write([record("fresh", "x"), record("nul\u{0}key", "bad")])
            }
            try expect(try await ns.read("fresh") == nil, "a failed batch writes nothing (NUL)", in: name)
            try await ns.write([record("dup", "1"), record("dup", "2"), record("dup", "3")])
            try expectEqual(try await ns.read("dup")?.value, bytes("3"), "the last of repeated keys wins", in: name)
            try await ns.write([])
        }
    }

    /// Conditional writes: write-if-absent and compare-and-swap on the live value.
    public static let compareAndSwap = ContractCheck<any Store>("compareAndSwap") { subject in
        let name = "compareAndSwap"
        try await subject.with(Simulation().environment) { store in
            let ns = store.namespace("cas")
            try expectEqual(try await ns.writeIfAbsent(record("k", "1")), true, "first write-if-absent", in: name)
            try expectEqual(try await ns.writeIfAbsent(record("k", "2")), false, "second write-if-absent", in: name)
            try expectEqual(try await ns.read("k")?.value, bytes("1"), "value kept", in: name)
            try expectEqual(try await ns.compareAndSwap(record("k", "3"), expecting: bytes("2")), false, "stale CAS", in: name)
            try expectEqual(try await ns.compareAndSwap(record("k", "3"), expecting: bytes("1")), true, "matching CAS", in: name)
            try expectEqual(try await ns.read("k")?.value, bytes("3"), "value after CAS", in: name)
            try expectEqual(try await ns.compareAndSwap(record("missing", "x"), expecting: bytes("x")), false,
                            "CAS expecting a value on a missing key", in: name)
            try expect(try await ns.read("missing") == nil, "a failed CAS writes nothing", in: name)
            try expectEqual(try await ns.compareAndSwap(record("e", "x"), expecting: []), false,
                            "expecting empty bytes is not expecting absence", in: name)
            try await ns.write(record("e", ""))
            try expectEqual(try await ns.compareAndSwap(record("e", "y"), expecting: []), true, "CAS from an empty value", in: name)
        }
    }

    /// Many concurrent writers: no lost write, and compare-and-swap increments never collide.
    public static let concurrentWriters = ContractCheck<any Store>("concurrentWriters") { subject in
        let name = "concurrentWriters"
        try await subject.with(Simulation().environment) { store in
            let ns = store.namespace("concurrent")
            let writers = 8, perWriter = 25
            try await ns.write(record("counter", "0"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for w in 0..<writers {
                    group.addTask {
                        for i in 0..<perWriter {
                            try await ns.write(record("w\(w)/\(String(format3: i))", "\(w)-\(i)"))
                            while true {
                                let current = try await ns.read("counter")!.value
                                let next = Int(String(decoding: current, as: UTF8.self))! + 1
                                if try await ns.compareAndSwap(record("counter", "\(next)"), expecting: current) { break }
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            try expectEqual(try await ns.keys(prefix: "w").count, writers * perWriter, "every write landed", in: name)
            try expectEqual(try await ns.read("counter")?.value, bytes("\(writers * perWriter)"),
                            "CAS increments are linearizable", in: name)
        }
    }

    private struct Booking: Codable, Equatable {
        var id: String
        var nights: Int
        var url: String
        var guests: [String]
    }

    /// `Codable` values are stored as canonical JSON (sorted keys) and decode back.
    public static let typedJSON = ContractCheck<any Store>("typedJSON") { subject in
        let name = "typedJSON"
        try await subject.with(Simulation().environment) { store in
            let ns = store.namespace("typed")
            let booking = Booking(id: "b-1", nights: 2, url: "https://x.test/a", guests: ["Zoë", "Al"])
            try await ns.write("b-1", booking, metadata: ["type": "booking"])
            try expectEqual(try await ns.read("b-1", as: Booking.self), booking, "typed round trip", in: name)
            let raw = String(decoding: try await ns.read("b-1")?.value ?? [], as: UTF8.self)
            try expectEqual(raw, #"{"guests":["Zoë","Al"],"id":"b-1","nights":2,"url":"https://x.test/a"}"#,
                            "canonical JSON bytes", in: name)
            try expect(try await ns.read("none", as: Booking.self) == nil, "a missing typed value is nil", in: name)
            try await expectThrows(StoreError.self, "decoding as the wrong type", in: name,
                                   matching: { $0.code == .decodingFailed && $0.key == "b-1" }) {
                _ = try await ns.read("b-1", as: [Int].self)
            }
        }
    }

    /// Bad keys, namespaces and paging arguments are typed errors, never crashes.
    public static let invalidArguments = ContractCheck<any Store>("invalidArguments") { subject in
        let name = "invalidArguments"
        try await subject.with(Simulation().environment) { store in
            let ns = store.namespace()
            try await expectThrows(StoreError.self, "empty key read", in: name, matching: { $0.code == .invalidKey }) {
                _ = try await ns.read("")
            }
            try await expectThrows(StoreError.self, "empty key delete", in: name, matching: { $0.code == .invalidKey }) {
                _ = try await ns.delete("")
            }
            try await expectThrows(StoreError.self, "empty namespace", in: name, matching: { $0.code == .invalidKey }) {
                _ = try await store.namespace("").keys()
            }
            try await expectThrows(StoreError.self, "negative limit", in: name, matching: { $0.code == .invalidArgument }) {
                _ = try await ns.keys(limit: -1)
            }
            try await expectThrows(StoreError.self, "negative offset", in: name, matching: { $0.code == .invalidArgument }) {
                _ = try await ns.read(prefix: "", offset: -1)
            }
        }
    }
}

extension String {
    /// `n` zero-padded to three digits, so keys sort numerically.
    fileprivate init(format3 n: Int) {
        let s = String(n)
        self = String(repeating: "0", count: Swift.max(0, 3 - s.count)) + s
    }
}
