import GRDB

/// Opens the GRDB database behind ``SQLiteStore`` and ``SQLiteCheckpointer`` the same way.
enum SQLiteDatabase {
    /// A WAL `DatabasePool` on the file at `path`, or a private in-memory `DatabaseQueue` when `path` is nil,
    /// with the configured busy timeout, reader count and `synchronous` pragma.
    static func open(path: String?, configuration: SQLiteStore.Configuration, label: String) throws -> any DatabaseWriter {
        var grdb = GRDB.Configuration()
        grdb.label = label
        let timeout = configuration.busyTimeout
        grdb.busyMode = .timeout(Double(timeout.components.seconds) + Double(timeout.components.attoseconds) * 1e-18)
        let synchronous = configuration.synchronous.rawValue
        grdb.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = \(synchronous)") }
        let database: any DatabaseWriter
        if let path {
            grdb.maximumReaderCount = max(1, configuration.maximumReaderCount)
            database = try DatabasePool(path: path, configuration: grdb)
        } else {
            database = try DatabaseQueue(configuration: grdb)
        }
        // GRDB sets `synchronous = NORMAL` on a pool's writer after `prepareDatabase`: set ours last.
        try database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = \(synchronous)") }
        return database
    }
}
