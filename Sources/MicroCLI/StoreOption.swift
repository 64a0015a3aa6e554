import ArgumentParser
import Micro
import MicroAgent
import MicroHarness
import MicroSQLite

/// `--store URL`: where a command keeps its store and run checkpoints.
///
/// - `sqlite:PATH` (or `sqlite://PATH`, `sqlite:///absolute/path`): one SQLite file in WAL mode, shared by every
///   process given the same path (workers, the submitting `micro run`, a chaos driver).
/// - `memory://`: in this process only (nothing is shared; for a single process and tests).
///
/// Any other scheme is a ``StoreOptionError`` naming it and the known ones (backends such as PostgreSQL add
/// their scheme here).
enum StoreOption: Sendable, Hashable, CustomStringConvertible {
    case sqlite(path: String)
    case memory

    /// Parses `text`; throws ``StoreOptionError`` for an unknown scheme or a missing path.
    init(parsing text: String) throws(StoreOptionError) {
        guard let colon = text.firstIndex(of: ":") else {
            throw StoreOptionError(.malformed, "store \"\(text)\" has no scheme; use \(Self.known)")
        }
        let scheme = text[..<colon].lowercased()
        var rest = text[text.index(after: colon)...]
        switch scheme {
        case "sqlite":
            if rest.hasPrefix("//") { rest = rest.dropFirst(2) }
            guard !rest.isEmpty else { throw StoreOptionError(.malformed, "store \"\(text)\" names no SQLite file; use sqlite:PATH") }
            self = .sqlite(path: String(rest))
        case "memory":
            guard rest.isEmpty || rest == "//" else {
                throw StoreOptionError(.malformed, "store \"\(text)\": memory:// takes no path")
            }
            self = .memory
        default:
            throw StoreOptionError(.unknownScheme, "unknown store scheme \"\(scheme)\" in \"\(text)\"; use \(Self.known)")
        }
    }

    static let known = "sqlite:PATH or memory://"

    var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .memory: "memory://"
        }
    }

    /// Whether other processes see what this one writes.
    var isShared: Bool { self != .memory }

    /// The SQLite file, if the store is one.
    var sqlitePath: String? {
        if case .sqlite(let path) = self { return path }
        return nil
    }

    /// Where a scenario world keeps its state for this store.
    var worldStorage: World.Storage {
        switch self {
        case .sqlite(let path): .sqlite(path: path)
        case .memory: .inMemory
        }
    }

    /// The run checkpoints, opened (a SQLite file is created if missing).
    func openCheckpointer() throws -> any Checkpointer {
        switch self {
        case .sqlite(let path): try SQLiteCheckpointer(path: path)
        case .memory: InMemoryCheckpointer()
        }
    }
}

/// A `--store` URL that cannot be used.
struct StoreOptionError: Error, Sendable, Hashable, CustomStringConvertible {
    struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        var rawValue: String
        var description: String { rawValue }
        /// A scheme no backend is wired for.
        static let unknownScheme = Code(rawValue: "unknown_scheme")
        /// No scheme, or a scheme without what it needs (a path).
        static let malformed = Code(rawValue: "malformed")
    }

    var code: Code
    var message: String
    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    var description: String { "\(code): \(message)" }
}

/// Parses `--store` with its typed error as the message.
func parseStore(_ text: String) throws -> StoreOption {
    do {
        return try StoreOption(parsing: text)
    } catch {
        throw ValidationError("--store: \(error.message)")
    }
}
