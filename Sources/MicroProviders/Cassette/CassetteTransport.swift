import Micro
import Synchronization

/// Replays a ``Cassette``: answers each request with the recorded interaction that matches it, with no network.
///
/// Matching is on a normalized request: method, path, sorted query without secret parameters, and the body as
/// canonical JSON without ``Options/ignoredFields``. The n-th identical request gets the n-th recorded one.
/// In ``MatchMode/path`` only method and path count, and interactions replay in recorded order.
/// A miss throws a ``CassetteError`` (`no_match`) naming the nearest recorded request and the first difference.
///
/// Bodies replay at once by default; with ``Options/speed`` the recorded chunk timing is slept on the
/// environment's clock (divided by `speed`), so a `VirtualClock` keeps it deterministic and instant.
public final class CassetteTransport: HTTPTransport {
    /// What a request must share with a recorded one to match it.
    public enum MatchMode: Sendable, Hashable {
        /// Method, path, query and body (the default).
        case body
        /// Method and path only, in recorded order: for clients whose bodies differ from run to run.
        case path
    }

    public struct Options: Sendable {
        public var match: MatchMode
        /// Body fields left out of matching, e.g. `stream_options`, `metadata.user_id`.
        public var ignoredFields: [JSONFieldPath]
        /// Which query parameters are secrets (left out of matching); also applied to request bodies that
        /// do not match as sent, since recorded bodies were redacted.
        public var redactor: Redactor
        /// Nil: replay bodies at once. Else replay chunk timing, `speed` times faster than recorded.
        public var speed: Double?
        /// Make ``finish()`` throw when some interactions were never replayed.
        public var failOnUnused: Bool
        /// When every recorded interaction matching a request was replayed, serve the last of them again
        /// (vcrpy's `allow_playback_repeats`) instead of failing with `no_match`.
        public var allowRepeats: Bool

        public init(
            match: MatchMode = .body, ignoredFields: [JSONFieldPath] = [], redactor: Redactor = .standard,
            speed: Double? = nil, failOnUnused: Bool = false, allowRepeats: Bool = false
        ) {
            self.match = match
            self.ignoredFields = ignoredFields
            self.redactor = redactor
            self.speed = speed
            self.failOnUnused = failOnUnused
            self.allowRepeats = allowRepeats
        }
    }

    /// A recorded interaction made ready to replay.
    private struct Entry: Sendable {
        var request: NormalizedRequest
        var url: String
        var status: Int?
        var headers: [(name: String, value: String)]
        var chunks: [(offsetMs: Int64, bytes: [UInt8])]
        var error: HTTPError?
    }

    private struct State {
        var cursors: [Int: Int] = [:]
        var used: [Bool]
    }

    /// The outcome of looking a request up.
    enum Claim {
        case hit(Int)
        case exhausted(NormalizedRequest, [Int])
        case miss(NormalizedRequest)
    }

    public let cassette: Cassette
    public let options: Options
    /// The cassette's file, for error messages.
    public let file: String?
    private let environment: Environment
    private let entries: [Entry]
    private let byKey: [NormalizedRequest.Key: [Int]]
    private let byPath: [String: [Int]]
    private let state: Mutex<State>

    public init(cassette: Cassette, file: String? = nil, options: Options = Options(), environment: Environment = .live) {
        self.cassette = cassette
        self.file = file
        self.options = options
        self.environment = environment
        var entries: [Entry] = []
        var byKey: [NormalizedRequest.Key: [Int]] = [:]
        var byPath: [String: [Int]] = [:]
        for (index, interaction) in cassette.interactions.enumerated() {
            let request = interaction.request
            let normalized = NormalizedRequest(
                method: request.method, url: request.url, body: request.body ?? .binary([]),
                ignoring: options.ignoredFields, redactor: options.redactor)
            entries.append(
                Entry(
                    request: normalized,
                    url: request.url,
                    status: interaction.response?.status,
                    headers: interaction.response?.headers.map { ($0.name, $0.value) } ?? [],
                    chunks: interaction.response?.chunks.map { ($0.offsetMs, $0.data.bytes) } ?? [],
                    error: interaction.error.map { HTTPError(HTTPError.Code(rawValue: $0.code), $0.message) }
                ))
            byKey[normalized.key, default: []].append(index)
            byPath[normalized.pathKey, default: []].append(index)
        }
        self.entries = entries
        self.byKey = byKey
        self.byPath = byPath
        state = Mutex(State(used: Array(repeating: false, count: entries.count)))
    }

    /// Replays the cassette at `path`.
    public convenience init(contentsOf path: String, options: Options = Options(), environment: Environment = .live) throws(CassetteError) {
        self.init(cassette: try Cassette.load(from: path), file: path, options: options, environment: environment)
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let claim = claim(request)
        guard case .hit(let index) = claim else { throw error(for: claim) }
        return try respond(index)
    }

    /// Indices of the interactions not replayed yet.
    public var unusedInteractions: [Int] {
        state.withLock { s in s.used.indices.filter { !s.used[$0] } }
    }

    /// One line per unused interaction: `#2 POST https://…`.
    public var unusedReport: String {
        unusedInteractions.map { "#\($0) \(entries[$0].request.method) \(entries[$0].url)" }.joined(separator: "\n")
    }

    /// Ends a replay: throws `unused_interactions` when ``Options/failOnUnused`` is set and some were not used.
    public func finish() throws(CassetteError) {
        let unused = unusedInteractions
        guard options.failOnUnused, !unused.isEmpty else { return }
        throw CassetteError(.unusedInteractions, "\(unused.count) recorded interaction(s) never replayed:\n\(unusedReport)", file: file)
    }

    // MARK: Matching

    /// Finds the next recorded interaction for `request` and marks it used.
    func claim(_ request: HTTPRequest) -> Claim {
        if options.match == .body {
            // Adapters send canonical JSON: when the bytes already equal a recorded key, parsing and
            // rewriting them would give the same key.
            let head = NormalizedRequest.head(method: request.method, url: request.url, redactor: options.redactor)
            if let found = byKey[NormalizedRequest.key(head: head, canonicalBody: request.body)] {
                return take(found, otherwise: { self.normalized(request) })
            }
        }
        var normalized = normalized(request)
        let candidates: [Int]?
        switch options.match {
        case .body:
            if let found = byKey[normalized.key] {
                candidates = found
            } else {
                let redacted = options.redactor.redact(bytes: request.body)
                if redacted != request.body {
                    normalized = NormalizedRequest(
                        method: request.method, url: request.url, body: redacted,
                        ignoring: options.ignoredFields, redactor: options.redactor)
                }
                candidates = redacted != request.body ? byKey[normalized.key] : nil
            }
        case .path:
            candidates = byPath[normalized.pathKey]
        }
        guard let candidates, !candidates.isEmpty else { return .miss(normalized) }
        return take(candidates, otherwise: { normalized })
    }

    private func normalized(_ request: HTTPRequest) -> NormalizedRequest {
        NormalizedRequest(
            method: request.method, url: request.url, body: request.body,
            ignoring: options.ignoredFields, redactor: options.redactor)
    }

    /// Claims the next unreplayed interaction among `candidates` (the recorded requests of one kind).
    private func take(_ candidates: [Int], otherwise request: () -> NormalizedRequest) -> Claim {
        let first = candidates[0]
        let repeats = options.allowRepeats
        let index = state.withLock { s -> Int? in
            let n = s.cursors[first, default: 0]
            guard n < candidates.count else { return repeats ? candidates.last : nil }
            s.cursors[first] = n + 1
            s.used[candidates[n]] = true
            return candidates[n]
        }
        return index.map(Claim.hit) ?? .exhausted(request(), candidates)
    }

    /// The error for a request that found no interaction to replay.
    func error(for claim: Claim) -> CassetteError {
        switch claim {
        case .hit:
            return CassetteError(.noMatch, "internal: a hit is not an error", file: file)
        case .exhausted(let request, let candidates):
            return CassetteError(
                .noMatch,
                "\(request.head): all \(candidates.count) matching recorded interaction(s) "
                    + "(\(candidates.map { "#\($0)" }.joined(separator: ", "))) were already replayed; "
                    + "this is request \(candidates.count + 1) of its kind",
                file: file)
        case .miss(let request):
            var message = "no recorded interaction matches \(request.head)"
            var best: (index: Int, score: Double)?
            for (index, entry) in entries.enumerated() {
                let score = entry.request.similarity(to: request)
                if best.map({ score > $0.score }) ?? true { best = (index, score) }
            }
            if let best {
                let nearest = entries[best.index].request
                message += "\nnearest recorded: #\(best.index) \(nearest.head)"
                message += "\nfirst difference: " + (nearest.firstDifference(to: request) ?? "none (already replayed)")
            } else {
                message += "\nthe cassette has no interactions"
            }
            return CassetteError(.noMatch, message, file: file)
        }
    }

    // MARK: Replay

    /// The recorded response of interaction `index`, or its recorded transport error.
    func respond(_ index: Int) throws -> HTTPResponse {
        let entry = entries[index]
        guard let status = entry.status else {
            throw entry.error ?? HTTPError(.transport, "the recorded interaction has no response")
        }
        let chunks = entry.chunks
        let failure = entry.error
        let body: AsyncThrowingStream<[UInt8], any Error>
        if let speed = options.speed, speed > 0 {
            let environment = self.environment
            let cursor = ChunkCursor()
            body = AsyncThrowingStream {
                let i = cursor.next()
                if i < chunks.count {
                    let delta = chunks[i].offsetMs - (i == 0 ? 0 : chunks[i - 1].offsetMs)
                    if delta > 0 { try await environment.sleep(for: .milliseconds(Double(delta) / speed)) }
                    return chunks[i].bytes
                }
                if i == chunks.count, let failure { throw failure }
                return nil
            }
        } else {
            let cursor = ChunkCursor()
            body = AsyncThrowingStream {
                let i = cursor.next()
                if i < chunks.count { return chunks[i].bytes }
                if i == chunks.count, let failure { throw failure }
                return nil
            }
        }
        return HTTPResponse(status: status, headers: entry.headers, body: body)
    }
}

/// Counts the chunks a timed replay has handed out.
private final class ChunkCursor: Sendable {
    private let count = Mutex(0)
    func next() -> Int {
        count.withLock { n in
            defer { n += 1 }
            return n
        }
    }
}
