import Micro
import MicroAgent

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

    init(_ handler: Handler) { self.handler = handler }

    mutating func consume(_ chunk: [UInt8], _ emit: (ModelEvent) -> Void) throws {
        var events: [SSEEvent] = []
        parser.parse(chunk) { events.append($0) }
        for event in events { try handler.handle(event, emit) }
    }

    mutating func finish(_ emit: (ModelEvent) -> Void) throws {
        parser.finish()
        try handler.finish(emit)
    }
}

/// Shared driver: sends the request, maps HTTP errors, decodes the body into the returned stream.
enum ProviderStream {
    /// Streams `request` through `transport`, decoding the body with `decoder`.
    ///
    /// Nothing runs ahead of the consumer: each element the consumer asks for pulls the next body chunk and
    /// decodes it in the consumer's own iteration (no driving task, no thread hand-off per event). When the
    /// consumer stops, the body iterator is released, which ends the body stream and aborts the transfer.
    static func run(
        transport: any HTTPTransport, request: HTTPRequest, decoder: some ModelStreamDecoder
    ) -> AsyncThrowingStream<ModelEvent, any Error> {
        let source = EventSource(transport: transport, request: request, decoder: decoder)
        return AsyncThrowingStream(unfolding: { try await source.next() })
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

    /// Parses an event's JSON payload; a payload that is not JSON is a malformed response.
    static func json(_ text: String, provider: String) throws -> JSONValue {
        do {
            return try JSONValue(parsing: text)
        } catch {
            throw ModelError(.malformedResponse, "\(provider) sent an event that is not JSON (\(error)): \(text.prefix(200))")
        }
    }
}

/// The pull side of ``ProviderStream/run(transport:request:decoder:)``: sends on the first pull, then decodes
/// one body chunk per pull until it yields events.
actor EventSource<Decoder: ModelStreamDecoder> {
    private let transport: any HTTPTransport
    private let request: HTTPRequest
    private var decoder: Decoder
    private var body: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator?
    private var pending: [ModelEvent] = []
    private var position = 0
    private var finished = false

    init(transport: any HTTPTransport, request: HTTPRequest, decoder: Decoder) {
        self.transport = transport
        self.request = request
        self.decoder = decoder
    }

    func next() async throws -> ModelEvent? {
        do {
            while true {
                if position < pending.count {
                    position += 1
                    return pending[position - 1]
                }
                pending.removeAll(keepingCapacity: true)
                position = 0
                if finished { return nil }
                if body == nil {
                    let response = try await transport.send(request)
                    guard (200..<300).contains(response.status) else {
                        finished = true
                        let bytes = (try? await response.collectBody(limit: 1 << 20)) ?? []
                        throw ProviderError.http(status: response.status, headers: response.headers, body: bytes)
                    }
                    body = response.body.makeAsyncIterator()
                }
                try Task.checkCancellation()
                var iterator = body!
                let next = try await iterator.next(isolation: self)
                body = iterator
                if let chunk = next {
                    try decoder.consume(chunk) { pending.append($0) }
                } else {
                    finished = true
                    body = nil
                    try decoder.finish { pending.append($0) }
                }
            }
        } catch {
            finished = true
            body = nil
            pending = []
            throw ProviderError.wrap(error)
        }
    }
}
