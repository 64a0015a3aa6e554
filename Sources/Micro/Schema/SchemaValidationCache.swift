import Synchronization

/// Holds the ``SchemaProgram`` compiled from one ``JSONSchema`` value, built on first use and shared by its
/// copies. It is equal to every other cache and hashes to nothing, so it never affects `==` or hashing;
/// ``JSONSchema`` replaces it whenever a keyword changes.
struct SchemaValidationCache: Sendable, Hashable {
    private final class Storage: Sendable {
        let program = AtomicLazyReference<SchemaProgram>()
    }

    private let storage = Storage()

    /// Whether a program has been built (then a change must drop it).
    var isPopulated: Bool { storage.program.load() != nil }

    /// The program for `schema` (which must be the value owning this cache).
    func program(for schema: JSONSchema) -> SchemaProgram {
        if let program = storage.program.load() { return program }
        return storage.program.storeIfNil(SchemaProgram(schema))
    }

    static func == (lhs: Self, rhs: Self) -> Bool { true }
    func hash(into hasher: inout Hasher) {}
}
