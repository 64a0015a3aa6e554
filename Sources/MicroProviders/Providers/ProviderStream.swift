import Foundation
import Micro
import MicroAgent
import Synchronization

/// Turns one provider's response body, chunk by chunk, into ``ModelEvent``s.
///
/// Contract: `finish` is called once the body ends and throws ``ModelError/Code/truncated`` unless the
/// provider's terminal event arrived (a stream that just stops is never a silent success).
protocol ModelStreamDecoder: Sendable {
    mutating func consume(_ chunk: [UInt8], _ emit: (ModelEvent) -> Void) throws
    mutating func finish(_ emit: (ModelEvent) -> Void) throws
}

/// Handles dispatched SSE events for an SSE-based provider.
protocol SSEEventHandler: Sendable {
    mutating func handle(_ event: SSEEvent, _ emit: (ModelEvent) -> Void) throws
    mutating func finish(_ emit: (ModelEvent) -> Void) throws
}

/// An SSE body decoded by a provider's event handler.
struct SSEModelStreamDecoder<Handler: SSEEventHandler>: ModelStreamDecoder {
    var parser = SSEParser()
    var handler: Handler
    /// The events of the chunk being decoded (kept between chunks to reuse its storage).
    private var events: [SSEEvent] = []

    init(_ handler: Handler) { self.handler = handler }

    mutating func consume(_ chunk: [UInt8], _ emit: (ModelEvent) -> Void) throws {
        var events = self.events
        self.events = []
        defer {
            events.removeAll(keepingCapacity: true)
            self.events = events
        }
        try parser.parse(chunk) { events.append($0) }
        for event in events { try handler.handle(event, emit) }
    }

    /// A last event with no blank line after it is dispatched, as the official SDKs do (one that does not
    /// parse was cut mid-event: a truncation); then the handler's terminal-event check decides whether the
    /// stream was cut.
    mutating func finish(_ emit: (ModelEvent) -> Void) throws {
        var pending: [SSEEvent] = []
        try parser.finish { pending.append($0) }
        for event in pending {
            do {
                try handler.handle(event, emit)
            } catch let error as ModelError where error.code == .malformedResponse {
                throw ModelError(.truncated, "the stream ended in the middle of an event: \(error.message)")
            }
        }
        try handler.finish(emit)
    }
}

/// Shared driver: sends the request, maps HTTP errors, decodes the body into the returned stream.
enum ProviderStream {
    /// Streams the call that `source` builds.
    ///
    /// Nothing runs ahead of the consumer: each element the consumer asks for pulls the next body chunk and
    /// decodes it in the consumer's own iteration (no driving task, no thread hand-off per event). When the
    /// consumer stops, the body iterator is released, which ends the body stream and aborts the transfer.
    /// `source` throws when the request cannot be built (no key): the stream then fails at once.
    static func run<Decoder>(
        _ source: () throws(ModelError) -> EventSource<Decoder>
    ) -> AsyncThrowingStream<ModelEvent, any Error> {
        do {
            let source = try source()
            return AsyncThrowingStream(unfolding: { try await source.next() })
        } catch {
            return failing(error)
        }
    }

    /// A stream that fails at once (a request that could not be built).
    static func failing(_ error: ModelError) -> AsyncThrowingStream<ModelEvent, any Error> {
        AsyncThrowingStream { $0.finish(throwing: error) }
    }
}

/// Small helpers the adapters share.
enum ProviderSupport {
    /// The API key: the explicit one, else the first set environment variable among `variables`.
    static func apiKey(_ explicit: String?, variables: [String], environment: [String: String]) -> String? {
        if let explicit, !explicit.isEmpty { return explicit }
        for name in variables { if let value = environment[name], !value.isEmpty { return value } }
        return nil
    }

    /// `base` + `path` with exactly one `/` between them.
    static func join(_ base: String, _ path: String) -> String {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        return base + (path.hasPrefix("/") ? path : "/" + path)
    }

    /// A tool result as the text most APIs want: a JSON string as is, anything else as canonical JSON.
    static func text(_ content: JSONValue) -> String {
        content.stringValue ?? content.canonicalString()
    }

    /// Tool call names by ID, from the assistant messages of a history (for APIs that answer by name).
    static func toolNames(_ messages: [Message]) -> [String: String] {
        var names: [String: String] = [:]
        for message in messages { for call in message.toolCalls { names[call.id] = call.name } }
        return names
    }

    /// The model to call: the request's when it names one, else the adapter's default.
    static func model(_ request: ModelRequest, default defaultModel: String) -> String {
        request.model.isEmpty ? defaultModel : request.model
    }

    /// Reads an event's JSON payload for field lookups; a payload that is not JSON is a malformed response.
    static func event(_ text: String, provider: String) throws -> EventJSON {
        do {
            return try EventJSON(parsing: text)
        } catch {
            throw ModelError(.malformedResponse, "\(provider) sent an event that is not JSON (\(error)): \(text.prefix(200))")
        }
    }

    /// Parses an event's JSON payload; a payload that is not JSON is a malformed response.
    static func json(_ text: String, provider: String) throws -> JSONValue {
        do {
            return try JSONValue(parsing: text)
        } catch {
            throw ModelError(.malformedResponse, "\(provider) sent an event that is not JSON (\(error)): \(text.prefix(200))")
        }
    }
}

/// One provider call: sends on the first pull, then decodes one body chunk per pull until it yields events.
/// Adapters stream it (``ProviderStream/run(_:)``) or fold it whole (``respond()``). An HTTP error's
/// HTTP-date `retry-after` is measured from `now`.
///
/// A class with its state under a lock rather than an actor: pulls come one at a time from the consumer's
/// iteration, and an actor would cost two executor switches per event.
final class EventSource<Decoder: ModelStreamDecoder>: Sendable {
    private struct State {
        var decoder: Decoder
        var pending: [ModelEvent] = []
        var position = 0
        var sent = false
        var finished = false
    }

    /// What a pull does next.
    private enum Step {
        case event(ModelEvent)
        case end
        case send
        case read
    }

    private let transport: any HTTPTransport
    private let request: HTTPRequest
    private let now: @Sendable () -> Timestamp
    private let state: Mutex<State>
    /// The body iterator between pulls.
    private let body = Mutex<BodyIteratorBox?>(nil)

    init(transport: any HTTPTransport, request: HTTPRequest, decoder: Decoder, now: @escaping @Sendable () -> Timestamp) {
        self.transport = transport
        self.request = request
        self.now = now
        state = Mutex(State(decoder: decoder))
    }

    /// The whole answer: every event folded as ``Model/respond(to:)`` folds a stream, without the stream.
    func respond() async throws -> ModelResponse {
        var folder = ModelEventFolder()
        while let event = try await next() { try folder.apply(event) }
        return try folder.response()
    }

    func next() async throws -> ModelEvent? {
        do {
            while true {
                let step = state.withLock { s -> Step in
                    if s.position < s.pending.count {
                        s.position += 1
                        return .event(s.pending[s.position - 1])
                    }
                    s.pending.removeAll(keepingCapacity: true)
                    s.position = 0
                    if s.finished { return .end }
                    if !s.sent {
                        s.sent = true
                        return .send
                    }
                    return .read
                }
                switch step {
                case .event(let event):
                    return event
                case .end:
                    return nil
                case .send:
                    let response = try await transport.send(request)
                    guard (200..<300).contains(response.status) else {
                        state.withLock { $0.finished = true }
                        let bytes = (try? await response.collectBody(limit: 1 << 20)) ?? []
                        let now = Date(timeIntervalSince1970: Double(now().millisecondsSinceEpoch) / 1000)
                        throw ProviderError.http(status: response.status, headers: response.headers, body: bytes, now: now)
                    }
                    let box = BodyIteratorBox(response.body.makeAsyncIterator())
                    body.withLock { $0 = box }
                case .read:
                    try Task.checkCancellation()
                    guard var iterator = body.withLock({ $0.take() })?.take() else { return nil }
                    if let chunk = try await iterator.next(isolation: nil) {
                        let box = BodyIteratorBox(iterator)
                        body.withLock { $0 = box }
                        try state.withLock { s throws in
                            var pending = s.pending
                            s.pending = []
                            defer { s.pending = pending }
                            try s.decoder.consume(chunk) { pending.append($0) }
                        }
                    } else {
                        try state.withLock { s throws in
                            s.finished = true
                            var pending = s.pending
                            s.pending = []
                            defer { s.pending = pending }
                            try s.decoder.finish { pending.append($0) }
                        }
                    }
                }
            }
        } catch {
            state.withLock { s in
                s.finished = true
                s.pending = []
            }
            body.withLock { $0 = nil }
            throw ProviderError.wrap(error)
        }
    }
}
