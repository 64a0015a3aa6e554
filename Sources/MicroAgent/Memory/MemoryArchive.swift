import Micro

/// A message evicted from memory, as archived: its absolute position in the run's conversation, and the
/// names of the tools whose results it carries (so it can be rendered on its own).
public struct ArchivedMessage: Sendable, Hashable, Codable {
    public var runID: String
    /// The absolute index of the message in the run's conversation (0 = the first message ever).
    public var index: Int
    public var message: Message
    /// For a tool-result message: the tool name of each answered call, by call ID.
    public var toolNames: [String: String]

    public init(runID: String, index: Int, message: Message, toolNames: [String: String] = [:]) {
        self.runID = runID
        self.index = index
        self.message = message
        self.toolNames = toolNames
    }
}

/// The archive of one run's evicted messages in a ``Store``: one record per message, keyed by its absolute
/// index (`message/000000000042`), valued as canonical JSON of an ``ArchivedMessage``, with the message's
/// recall keywords in the `keywords` metadata (space-separated, sorted) so recall need not decode them all.
///
/// Writing is idempotent: a message already archived is left as it is, so re-running a compaction after a
/// crash writes the same records. A *different* message at an archived index is a conflict
/// (``StoreError/Code/conflict``): the run's history and its archive disagree.
public struct MemoryArchive: Sendable {
    /// The namespace prefix used when none is given; each run gets `"<prefix>/<runID>"`.
    public static let defaultNamespace = "micro.memory"

    public let store: any Store
    public let runID: String
    /// The full namespace of this run's archive.
    public let namespace: String

    public init(store: any Store, runID: String, namespacePrefix: String = MemoryArchive.defaultNamespace) {
        self.store = store
        self.runID = runID
        self.namespace = "\(namespacePrefix)/\(runID)"
    }

    /// The key of the message at absolute `index` (zero-padded, so keys sort in index order).
    public static func key(for index: Int) -> String {
        let digits = String(index)
        return "message/" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits
    }

    /// Archives `messages` unless already archived; returns the indices this call wrote.
    @discardableResult
    public func archive(_ messages: [ArchivedMessage]) async throws -> [Int] {
        var written: [Int] = []
        for archived in messages {
            let key = Self.key(for: archived.index)
            let bytes: [UInt8]
            do {
                bytes = try JSONValueEncoder().encode(archived).canonicalBytes()
            } catch {
                throw StoreError(
                    .encodingFailed, "cannot encode archived message \(archived.index)", key: key,
                    namespace: namespace, underlying: error)
            }
            let keywords = KeywordRecall.keywords(KeywordRecall.searchableText(archived)).sorted().joined(separator: " ")
            let record = StoreRecord(key: key, value: bytes, metadata: [Self.keywordsKey: keywords])
            if try await store.compareAndSwap(record, expecting: nil, in: namespace) {
                written.append(archived.index)
                continue
            }
            guard let existing = try await store.read(key, in: namespace) else {
                throw StoreError(.conflict, "archived message vanished while writing it", key: key, namespace: namespace)
            }
            guard existing.value == bytes || (try? decode(existing)) == archived else {
                throw StoreError(
                    .conflict, "a different message is already archived at index \(archived.index)", key: key,
                    namespace: namespace)
            }
        }
        return written
    }

    /// Every archived message of the run, by index.
    public func messages() async throws -> [ArchivedMessage] {
        try await store.read(prefix: "message/", in: namespace, limit: nil, offset: 0).map(decode)
    }

    static let keywordsKey = "keywords"

    /// Every archived record with its index and recall keywords (from the metadata, or computed when absent).
    func keywordIndex() async throws -> [(index: Int, keywords: Set<String>, record: StoreRecord)] {
        try await store.read(prefix: "message/", in: namespace, limit: nil, offset: 0).map { record in
            if let index = Int(record.key.dropFirst("message/".count)), let keywords = record.metadata[Self.keywordsKey] {
                return (index, Set(keywords.split(separator: " ").map(String.init)), record)
            }
            let archived = try decode(record)
            return (archived.index, KeywordRecall.keywords(KeywordRecall.searchableText(archived)), record)
        }
    }

    /// The archived message at absolute `index`, or nil.
    public func message(at index: Int) async throws -> ArchivedMessage? {
        try await store.read(Self.key(for: index), in: namespace).map(decode)
    }

    func decode(_ record: StoreRecord) throws -> ArchivedMessage {
        do {
            return try JSONValueDecoder().decode(ArchivedMessage.self, from: JSONValue(parsing: record.value))
        } catch {
            throw StoreError(
                .corrupted, "archive record \(record.key) is not an archived message: \(error)", key: record.key,
                namespace: namespace, underlying: error)
        }
    }
}
