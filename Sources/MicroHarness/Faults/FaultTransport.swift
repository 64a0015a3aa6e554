import Micro
import MicroAgent
import MicroProviders
import Synchronization

/// An HTTP transport that injects the plan's `model` faults under a provider adapter, as wire bytes: error
/// responses with the provider's documented error body and `retry-after`, timeouts and resets, a body cut
/// before its terminal event, a chunk that is not valid JSON, a body dribbled out slowly. The adapter parses
/// them as it would the real thing, so its error handling is what is exercised. Requests without a fault
/// go to `base` (a cassette or a live transport).
///
/// A stream fault reads the real response from `base` to break it; the retry of the same request then gets
/// that response whole, as a provider answering again would (a cassette holds each answer once).
struct FaultTransport: HTTPTransport {
    let base: any HTTPTransport
    let agent: String
    let provider: String
    let injector: FaultInjector
    let answered = AnsweredRequests()

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let body = String(decoding: request.body, as: UTF8.self)
        // The run and the request's bytes name the call, so a resumed process meets the fault the killed one met.
        let identity = "\(RunScope.current?.runID ?? "")/\(agent)/\(ExternalEdge.digest(body))"
        guard let fault = await injector.fault(.model, agent: agent, text: body, identity: identity) else {
            if let (status, headers, chunks) = answered.take(request) {
                let feed = ChunkFeed(chunks, pause: nil, environment: injector.environment)
                return HTTPResponse(status: status, headers: headers, body: AsyncThrowingStream(unfolding: { try await feed.next() }))
            }
            return try await base.send(request)
        }
        let environment = injector.environment
        switch fault.kind {
        case "timeout":
            // No response: the model call's (or the run's) deadline ends the hang; with none, the client gives
            // up after `latency`.
            if Deadline.current != nil { try await environment.hang() }
            try await environment.sleep(for: fault.latency ?? .seconds(60))
            throw HTTPError(.timedOut, "no response within \(fault.latency ?? .seconds(60)) (injected)")
        case "connection_reset":
            throw HTTPError(.connectionFailed, "connection reset by peer (injected)")
        case "truncated_stream", "malformed_chunk", "slow_dribble":
            let response = try await base.send(request)
            var chunks: [[UInt8]] = []
            for try await chunk in response.body { chunks.append(chunk) }
            answered.keep(request, (response.status, response.headers, chunks))
            let half = Array(chunks.flatMap { $0 }.prefix(chunks.reduce(0) { $0 + $1.count } / 2))
            switch fault.kind {
            case "truncated_stream":
                // The first half of the bytes: the stream ends before its terminal event.
                chunks = [half]
            case "malformed_chunk":
                // The first half, then a line that is not JSON where the next event should be.
                let garbage = provider == "ollama" ? "\n{\"message\": {broken\n" : "\n\ndata: {\"type\": broken\n\n"
                chunks = [half, Array(garbage.utf8)]
            default:
                break
            }
            let feed = ChunkFeed(chunks, pause: fault.kind == "slow_dribble" ? fault.latency ?? .seconds(1) : nil, environment: environment)
            return HTTPResponse(
                status: response.status, headers: response.headers, body: AsyncThrowingStream(unfolding: { try await feed.next() }))
        default:
            // Every other model kind answers with an HTTP error.
            guard let http = fault.httpError else { return try await base.send(request) }
            let (status, body) = errorResponse(http)
            var headers = [(name: "content-type", value: "application/json")]
            if let retryAfter = fault.retryAfter {
                headers.append((name: "retry-after", value: String(Double(retryAfter.milliseconds) / 1000)))
            }
            return HTTPResponse(status: status, headers: headers, body: AsyncThrowingStream { $0.yield(body); $0.finish() })
        }
    }

    /// The status and the provider's documented error body for an error fault.
    func errorResponse(_ http: (status: Int, providerType: String, message: String)) -> (Int, [UInt8]) {
        let (code, type, message) = http
        let body: JSONValue =
            switch provider {
            case "anthropic": ["type": "error", "error": ["type": .string(type), "message": .string(message)]]
            case "gemini":
                ["error": ["code": .integer(code), "message": .string(message), "status": code == 429 ? "RESOURCE_EXHAUSTED" : code == 400 ? "INVALID_ARGUMENT" : "UNAVAILABLE"]]
            case "ollama": ["error": .string(message)]
            default: ["error": ["message": .string(message), "type": .string(type), "code": code == 400 ? "context_length_exceeded" : .null]]
            }
        return (code, body.canonicalBytes())
    }
}

/// Responses a stream fault broke, kept for the retry of the same request.
final class AnsweredRequests: Sendable {
    typealias Response = (status: Int, headers: [(name: String, value: String)], chunks: [[UInt8]])
    private let responses = Mutex<[HTTPRequest: Response]>([:])

    func keep(_ request: HTTPRequest, _ response: Response) { responses.withLock { $0[request] = response } }
    func take(_ request: HTTPRequest) -> Response? { responses.withLock { $0.removeValue(forKey: request) } }
}

/// Hands out body chunks one by one, optionally after a pause on the virtual clock.
actor ChunkFeed {
    private var chunks: [[UInt8]]
    private var position = 0
    private let pause: Duration?
    private let environment: Environment

    init(_ chunks: [[UInt8]], pause: Duration?, environment: Environment) {
        self.chunks = chunks
        self.pause = pause
        self.environment = environment
    }

    func next() async throws -> [UInt8]? {
        guard position < chunks.count else { return nil }
        if let pause { try await environment.sleep(for: pause) }
        position += 1
        return chunks[position - 1]
    }
}
