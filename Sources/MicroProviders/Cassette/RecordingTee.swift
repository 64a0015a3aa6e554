import Synchronization

/// Reads a live body for its consumer and keeps a copy of each chunk; reports the copy once when the body
/// ends, fails, or is dropped unfinished (then with a `cancelled` error). Runs inline in the consumer's
/// iteration: no task of its own.
final class RecordingTee: Sendable {
    private struct State {
        var box: BodyIteratorBox?
        var chunks: [Cassette.Chunk] = []
        var finished = false
    }

    private let state: Mutex<State>
    private let copy: @Sendable ([UInt8]) -> Cassette.Chunk
    private let finish: @Sendable ([Cassette.Chunk], (any Error)?) throws -> Void

    init(
        body: AsyncThrowingStream<[UInt8], any Error>,
        copy: @escaping @Sendable ([UInt8]) -> Cassette.Chunk,
        finish: @escaping @Sendable ([Cassette.Chunk], (any Error)?) throws -> Void
    ) {
        state = Mutex(State(box: BodyIteratorBox(body.makeAsyncIterator())))
        self.copy = copy
        self.finish = finish
    }

    /// The next live chunk, or nil at the end. Throws the live error, or a failure to write the cassette.
    func next() async throws -> [UInt8]? {
        guard var iterator = state.withLock({ $0.box.take() })?.take() else { return nil }
        do {
            guard let chunk = try await iterator.next(isolation: nil) else {
                try end(nil)
                return nil
            }
            let recorded = copy(chunk)
            let box = BodyIteratorBox(iterator)
            state.withLock { s in
                s.chunks.append(recorded)
                s.box = box
            }
            return chunk
        } catch {
            try end(error)
            throw error
        }
    }

    private func end(_ error: (any Error)?) throws {
        let chunks = state.withLock { s -> [Cassette.Chunk]? in
            if s.finished { return nil }
            s.finished = true
            return s.chunks
        }
        if let chunks { try finish(chunks, error) }
    }

    deinit {
        try? end(CancellationError())
    }
}
