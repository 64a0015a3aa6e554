import Benchmark
import Foundation
import GRDBSQLite
import Micro
import Synchronization
import MicroSQLite

// Hot paths of the foundation: a tool call (validate + dispatch + encode) and SQLite store writes compared
// with bare SQLite in the same run. Run: `swift package --allow-writing-to-package-directory benchmark`.

struct EchoRequest: Codable, Sendable {
    var city: String
    var nights: Int
    var guests: Int?
}

struct EchoResponse: Codable, Sendable {
    var city: String
    var total: Int
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        timeUnits: .microseconds,
        warmupIterations: 100,
        maxDuration: .seconds(3),
        maxIterations: 100_000
    )

    Benchmark(
        "Tool call: validate + dispatch + encode (small request)",
        configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal], scalingFactor: .kilo)
    ) { benchmark in
        try await toolCalls(try await ToolWorld.shared(), count: benchmark.scaledIterations.count)
    }

    let payload = Array(repeating: UInt8(ascii: "x"), count: 256)

    // Both databases are opened once and shared by every sample, so each sample is a steady-state commit.
    // Loops run in nonisolated functions with a scaling factor: the harness's closure may run on another
    // executor, and one executor hop per write would be measured instead of the write.
    let perWrite = Benchmark.Configuration(metrics: [.wallClock, .throughput], scalingFactor: .kilo, maxDuration: .seconds(3))

    Benchmark("SQLite bare insert+commit (256 B, WAL, synchronous=NORMAL)", configuration: perWrite) { benchmark in
        try await bareWrites(try Shared.bare.get(), count: benchmark.scaledIterations.count, payload: payload)
    }

    Benchmark("SQLiteStore single write (256 B, own transaction, WAL)", configuration: perWrite) { benchmark in
        try await storeWrites(try Shared.store.get(), count: benchmark.scaledIterations.count, payload: payload)
    }

    Benchmark(
        "SQLiteStore batched writes (1,000 × 256 B per transaction)",
        configuration: .init(metrics: [.wallClock, .throughput], scalingFactor: .kilo, maxDuration: .seconds(3))
    ) { benchmark in
        let store = try Shared.store.get()
        let batch = Shared.nextKey()  // fresh keys: every sample inserts new rows
        let records = benchmark.scaledIterations.map { index in StoreRecord(key: "\(batch)-\(index)", value: payload) }
        benchmark.startMeasurement()
        try await store.write(records, in: "batch")
    }

    registerAgentBenchmarks()
    registerWireBenchmarks()
    registerRecordingBenchmarks()
    registerConcurrentStreamBenchmarks()
}

nonisolated func toolCalls(_ world: ToolWorld, count: Int) async throws {
    let arguments: JSONValue = ["city": "Lisbon", "nights": 3, "guests": 2]
    for _ in 0..<count {
        blackHole(try await world.toolset.call("bench_echo_quote", arguments: arguments, context: world.context))
    }
}

nonisolated func bareWrites(_ bare: BareSQLite, count: Int, payload: [UInt8]) async throws {
    for _ in 0..<count { try bare.insert([.text("bench"), .text(Shared.nextKey()), .blob(payload), .text("{}"), .null]) }
}

nonisolated func storeWrites(_ store: SQLiteStore, count: Int, payload: [UInt8]) async throws {
    for _ in 0..<count { try await store.write(StoreRecord(key: Shared.nextKey(), value: payload), in: "bench") }
}

/// One runtime serving a small service, shared by every iteration.
struct ToolWorld: Sendable {
    let toolset: Toolset
    let context: CallContext

    private static let cache = AsyncCache()

    static func shared() async throws -> ToolWorld { try await cache.world() }

    actor AsyncCache {
        private var value: ToolWorld?
        func world() async throws -> ToolWorld {
            if let value { return value }
            let environment = Environment.simulated(seed: 1)
            let runtime = Runtime.inMemory(environment: environment)
            try await runtime.serve(Service("bench.echo") {
                Endpoint("quote", description: "Quote a stay.") { (request: EchoRequest, _: CallContext) in
                    EchoResponse(city: request.city, total: request.nights * 12_000 * (request.guests ?? 1))
                }
            })
            let world = ToolWorld(
                toolset: try await runtime.toolset(),
                context: CallContext.standalone(caller: "bench", environment: environment))
            value = world
            return world
        }
    }
}

func temporaryPath(_ name: String) -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("micro-bench-\(ProcessInfo.processInfo.processIdentifier)")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let path = directory.appendingPathComponent("\(name)-\(UInt32.random(in: 0...UInt32.max)).sqlite").path
    return path
}

/// Databases opened once per benchmark process, and a key counter.
enum Shared {
    static let bare = Result { try BareSQLite.store(path: temporaryPath("bare")) }
    static let store = Result { try SQLiteStore(path: temporaryPath("store"), environment: .simulated()) }
    private static let counter = Mutex(0)
    static func nextKey() -> String {
        "key-" + String(counter.withLock { value -> Int in
            value += 1
            return value
        })
    }
}

/// The baseline: the sqlite3 C API with one prepared statement in autocommit mode and the same pragmas, table
/// and statement as the Micro type it is compared with, so both commit the same row bytes.
final class BareSQLite: Sendable {
    enum Value {
        case text(String), blob([UInt8]), integer(Int64), null
    }

    private struct Handles {  // raw sqlite3 pointers, only touched under the mutex
        var db: OpaquePointer?
        var statement: OpaquePointer?
    }
    private let handles: Mutex<Handles>

    struct Failure: Error { let message: String }

    init(path: String, schema: String, insert: String) throws {
        var db: OpaquePointer?
        var statement: OpaquePointer?
        guard sqlite3_open(path, &db) == SQLITE_OK else { throw Failure(message: "open \(path)") }
        for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL"] {
            guard sqlite3_exec(db, pragma, nil, nil, nil) == SQLITE_OK else { throw Failure(message: pragma) }
        }
        guard sqlite3_exec(db, schema, nil, nil, nil) == SQLITE_OK,
            sqlite3_prepare_v2(db, insert, -1, &statement, nil) == SQLITE_OK
        else { throw Failure(message: "prepare") }
        handles = Mutex(Handles(db: db, statement: statement))
    }

    /// The same table, index and upsert as `SQLiteStore`.
    static func store(path: String) throws -> BareSQLite {
        try BareSQLite(
            path: path,
            schema: """
                CREATE TABLE IF NOT EXISTS micro_store(
                    namespace TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
                    metadata TEXT NOT NULL DEFAULT '{}', expires_at INTEGER, PRIMARY KEY (namespace, key)
                ) WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS micro_store_expiry ON micro_store (expires_at) WHERE expires_at IS NOT NULL;
                """,
            insert: """
                INSERT INTO micro_store (namespace, key, value, metadata, expires_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (namespace, key) DO UPDATE
                SET value = excluded.value, metadata = excluded.metadata, expires_at = excluded.expires_at
                """)
    }

    func insert(_ values: [Value]) throws {
        try handles.withLock { try Self.insert(statement: $0.statement, values) }
    }

    /// Rows the last statement changed.
    var changes: Int { handles.withLock { Int(sqlite3_changes($0.db)) } }

    private static func insert(statement: OpaquePointer?, _ values: [Value]) throws {
        sqlite3_reset(statement)
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            switch value {
            case .text(let text): _ = text.withCString { sqlite3_bind_text(statement, index, $0, -1, transient) }
            case .blob(let bytes):
                _ = bytes.withUnsafeBytes { sqlite3_bind_blob(statement, index, $0.baseAddress, Int32($0.count), transient) }
            case .integer(let number): sqlite3_bind_int64(statement, index, number)
            case .null: sqlite3_bind_null(statement, index)
            }
        }
        guard sqlite3_step(statement) == SQLITE_DONE else { throw Failure(message: "step") }
    }

    deinit {
        handles.withLock {
            sqlite3_finalize($0.statement)
            sqlite3_close($0.db)
        }
    }
}
