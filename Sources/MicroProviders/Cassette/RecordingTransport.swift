import Foundation
import Micro
import Synchronization

/// Wraps a live ``HTTPTransport`` and records what passes through into a cassette file, redacted.
///
/// The caller gets the live response as it streams; the body chunks are teed with their arrival time on the
/// environment's clock, as the caller reads them. An interaction is written when its body ends (finished,
/// failed, or dropped by the caller, which is recorded as `cancelled`); 4xx/5xx responses and transport
/// errors are recorded too. Each interaction is appended to a journal beside the cassette (O(1)); the
/// cassette file is rewritten atomically from time to time (each time the interactions since the last
/// write reach half the total, so a session of n calls writes about 2n interactions in all) and by
/// ``finish()`` (or when the transport is released). A crash loses at most the interaction in flight.
///
/// ``CassetteMode`` decides between replay and recording; replay follows ``CassetteTransport``.
public final class RecordingTransport: HTTPTransport {
    private struct State {
        var metadata: Cassette.Metadata
        /// Interactions kept from the existing file (``CassetteMode/newEpisodes``).
        var kept: [Cassette.Interaction]
        /// New interactions in the order they were sent; nil while still streaming.
        var slots: [Cassette.Interaction?] = []
        /// Interactions committed since the cassette file was last written (they are in the journal).
        var unwritten = 0
        /// Slots holding a finished interaction.
        var completed = 0
        var journal: CassetteJournal?
    }

    public let path: String
    public let mode: CassetteMode
    /// Whether misses go to the live transport (false: strict replay).
    public let isRecording: Bool
    private let live: any HTTPTransport
    private let replay: CassetteTransport?
    private let redactor: Redactor
    private let environment: Environment
    private let state: Mutex<State>

    /// Loads `path` when `mode` replays from it (a missing file is an error in ``CassetteMode/none``).
    /// `metadata.recordedAt` is set from `environment.now()` on every write; in ``CassetteMode/newEpisodes``
    /// the file's provider, model and notes are kept unless `metadata` sets them.
    public init(
        live: any HTTPTransport, path: String, mode: CassetteMode, metadata: Cassette.Metadata = Cassette.Metadata(),
        options: CassetteTransport.Options = CassetteTransport.Options(), environment: Environment = .live
    ) throws(CassetteError) {
        self.live = live
        self.path = path
        self.mode = mode
        redactor = options.redactor
        self.environment = environment
        let exists = FileManager.default.fileExists(atPath: path)
        var kept: [Cassette.Interaction] = []
        var metadata = metadata
        switch mode {
        case .none:
            replay = try CassetteTransport(contentsOf: path, options: options, environment: environment)
            isRecording = false
        case .once where exists:
            replay = try CassetteTransport(contentsOf: path, options: options, environment: environment)
            isRecording = false
        case .newEpisodes where exists:
            let cassette = try Cassette.load(from: path)
            replay = CassetteTransport(cassette: cassette, file: path, options: options, environment: environment)
            kept = cassette.interactions
            metadata.provider = metadata.provider ?? cassette.metadata.provider
            metadata.model = metadata.model ?? cassette.metadata.model
            metadata.notes = metadata.notes ?? cassette.metadata.notes
            isRecording = true
        case .once, .newEpisodes, .all:
            replay = nil
            isRecording = true
        }
        state = Mutex(State(metadata: metadata, kept: kept))
        // A journal left by a recorder that died: merged into `kept` above (new episodes) and written out now,
        // or dropped with the rest of the old recording.
        if isRecording && FileManager.default.fileExists(atPath: CassetteJournal.path(for: path)) {
            if mode == .newEpisodes && exists {
                try Cassette(metadata: metadata, interactions: kept).write(to: path)
            }
            CassetteJournal.remove(cassette: path)
        }
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        if let replay {
            let claim = replay.claim(request)
            if case .hit(let index) = claim { return try replay.respond(index) }
            if !isRecording { throw replay.error(for: claim) }
        }
        return try await record(request)
    }

    /// Indices of replayable interactions not replayed yet (empty when nothing is replayed).
    public var unusedInteractions: [Int] { replay?.unusedInteractions ?? [] }

    /// Ends a session: writes the cassette file with every interaction, then see
    /// ``CassetteTransport/finish()`` (nothing to check when nothing was replayed).
    public func finish() throws(CassetteError) {
        try flush()
        try replay?.finish()
    }

    /// Writes the cassette file if interactions are waiting in the journal.
    public func flush() throws(CassetteError) {
        try state.withLock { s throws(CassetteError) in
            guard s.unwritten > 0 else { return }
            try write(&s)
        }
    }

    deinit {
        try? flush()
    }

    /// The cassette as it would be written now.
    public var cassette: Cassette {
        state.withLock { s in Cassette(metadata: s.metadata, interactions: s.kept + s.slots.compactMap { $0 }) }
    }

    // MARK: Recording

    private func record(_ request: HTTPRequest) async throws -> HTTPResponse {
        let stored = Cassette.Request(
            method: request.method,
            url: redactor.redact(url: request.url),
            headers: redactor.redact(headers: request.headers).map { Cassette.Header(name: $0.name, value: $0.value) },
            body: request.body.isEmpty ? nil : Cassette.Body(bytes: redactor.redact(bytes: request.body))
        )
        let slot = state.withLock { s in
            s.slots.append(nil)
            return s.slots.count - 1
        }
        let elapsed = Self.stopwatch(environment.clock)
        let response: HTTPResponse
        do {
            response = try await live.send(request)
        } catch {
            try commit(slot, Cassette.Interaction(request: stored, error: Self.failure(error)))
            throw error
        }
        let head = Cassette.Response(
            status: response.status,
            headers: redactor.redact(headers: response.headers).map { Cassette.Header(name: $0.name, value: $0.value) }
        )
        let redactor = self.redactor
        // Chunks are kept as they came (in memory only) and redacted together when the body ends, so that a
        // secret split across two chunks is found too.
        let tee = RecordingTee(body: response.body) { bytes in
            Cassette.Chunk(offsetMs: elapsed().milliseconds, data: .binary(bytes))
        } finish: { chunks, error in
            var recorded = head
            let redacted = redactor.redact(chunks: chunks.map(\.data.bytes))
            recorded.chunks = zip(chunks, redacted).compactMap { chunk, bytes in
                bytes.isEmpty && !chunk.data.bytes.isEmpty
                    ? nil : Cassette.Chunk(offsetMs: chunk.offsetMs, data: Cassette.Body(exactBytes: bytes))
            }
            try self.commit(slot, Cassette.Interaction(request: stored, response: recorded, error: error.map(Self.failure)))
        }
        return HTTPResponse(status: response.status, headers: response.headers, body: AsyncThrowingStream { try await tee.next() })
    }

    /// Stores a finished interaction: in the journal, or by rewriting the cassette file when enough waited.
    private func commit(_ slot: Int, _ interaction: Cassette.Interaction) throws(CassetteError) {
        let now = environment.now()
        try state.withLock { s throws(CassetteError) in
            s.slots[slot] = interaction
            s.completed += 1
            s.metadata.recordedAt = now.description
            if s.unwritten + 1 >= max(1, (s.kept.count + s.completed) / 2) {
                try write(&s)
            } else {
                if s.journal == nil { s.journal = try CassetteJournal(cassette: path) }
                try s.journal!.append(interaction)
                s.unwritten += 1
            }
        }
    }

    /// Writes the whole cassette atomically, then drops the journal.
    private func write(_ s: inout State) throws(CassetteError) {
        try Cassette(metadata: s.metadata, interactions: s.kept + s.slots.compactMap { $0 }).write(to: path)
        s.journal?.close()
        s.journal = nil
        CassetteJournal.remove(cassette: path)
        s.unwritten = 0
    }

    private static func failure(_ error: any Error) -> Cassette.Failure {
        switch error {
        case let error as HTTPError: Cassette.Failure(code: error.code.rawValue, message: error.message)
        case is CancellationError: Cassette.Failure(code: HTTPError.Code.cancelled.rawValue, message: "cancelled")
        default: Cassette.Failure(code: HTTPError.Code.transport.rawValue, message: String(describing: error))
        }
    }

    private static func stopwatch<C: Clock<Duration>>(_ clock: C) -> @Sendable () -> Duration {
        let start = clock.now
        return { start.duration(to: clock.now) }
    }
}
