import Foundation
import Micro
import MicroAgent
import MicroProviders

/// Talks to an A2A agent over an ``HTTPTransport``: fetches its card, sends messages (plain or streamed
/// over SSE), gets and cancels tasks.
///
/// Only hosts in ``allowedHosts`` are ever contacted — the card's URL and the endpoint the card names
/// alike — so a URL chosen by a model cannot make the client reach an arbitrary host. Connection failures
/// and 5xx/429 answers are retried per ``retry`` with waits on ``environment``'s clock; each request gives
/// up after ``timeout``.
public struct A2AClient: Sendable {
    /// The JSON-RPC endpoint and the protocol version spoken there.
    public struct Endpoint: Sendable, Hashable {
        public var url: String
        public var version: A2AVersion
        public init(url: String, version: A2AVersion) {
            self.url = url
            self.version = version
        }
    }

    /// The agent's base URL (its card is at `<url>/.well-known/agent-card.json`).
    public var url: String
    public var transport: any HTTPTransport
    /// Hosts (lowercase names or addresses) this client may contact.
    public var allowedHosts: Set<String>
    /// The JSON-RPC endpoint; nil: read from the card before each call.
    public var endpoint: Endpoint?
    public var timeout: Duration
    public var retry: RetryPolicy
    public var environment: Environment

    /// A client for the agent at `url`; `allowedHosts` defaults to the host of `url`.
    public init(
        url: String, transport: any HTTPTransport, allowedHosts: Set<String>? = nil, endpoint: Endpoint? = nil,
        timeout: Duration = .seconds(60),
        retry: RetryPolicy = RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(200), maxDelay: .seconds(2)),
        environment: Environment = .live
    ) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.transport = transport
        self.allowedHosts = allowedHosts ?? Set([A2AClient.host(of: url)].compactMap { $0 })
        self.endpoint = endpoint
        self.timeout = timeout
        self.retry = retry
        self.environment = environment
    }

    // MARK: Calls

    /// The agent card (`/.well-known/agent-card.json`, else the older `/.well-known/agent.json`).
    public func card() async throws -> A2AAgentCard {
        var lastError: (any Error)?
        for path in ["/.well-known/agent-card.json", "/.well-known/agent.json"] {
            do {
                let bytes = try await exchange(HTTPRequest(method: "GET", url: url + path, headers: [("Accept", "application/json")]))
                let value: JSONValue
                do { value = try JSONValue(parsing: bytes) } catch {
                    throw A2AClientError(.invalidResponse, "the card at \(url + path) is not JSON: \(error)")
                }
                return try A2AAgentCard(json: value)
            } catch let error as A2AClientError where error.code == .httpStatus && error.status == 404 {
                lastError = error
            }
        }
        throw lastError!
    }

    /// Sends `message`; waits for the task to finish or pause unless `returnImmediately`.
    public func send(_ message: A2AMessage, returnImmediately: Bool = false, historyLength: Int? = nil) async throws -> A2ASendResult {
        let endpoint = try await resolvedEndpoint()
        var configuration: [String: JSONValue] = [:]
        switch endpoint.version {
        case .v1_0: configuration["returnImmediately"] = .bool(returnImmediately)
        case .v0_3: configuration["blocking"] = .bool(!returnImmediately)
        }
        if let historyLength { configuration["historyLength"] = .integer(historyLength) }
        let result = try await call(
            endpoint, endpoint.version == .v1_0 ? "SendMessage" : "message/send",
            ["message": A2AWire.encode(message, endpoint.version), "configuration": .object(configuration)])
        return try Self.decoded { () throws(JSONRPCError) in try A2AWire.decodeSendResult(result) }
    }

    /// Sends `message` and follows the task over SSE until its final event; the whole stream may take
    /// `timeout` (default: ``timeout``).
    public func stream(_ message: A2AMessage, timeout: Duration? = nil) async throws -> A2AEventStream {
        let endpoint = try await resolvedEndpoint()
        let method = endpoint.version == .v1_0 ? "SendStreamingMessage" : "message/stream"
        return try await openStream(endpoint, method, ["message": A2AWire.encode(message, endpoint.version)], timeout: timeout)
    }

    /// Follows a task that is still running (`SubscribeToTask`).
    public func subscribe(taskID: String) async throws -> A2AEventStream {
        let endpoint = try await resolvedEndpoint()
        return try await openStream(
            endpoint, endpoint.version == .v1_0 ? "SubscribeToTask" : "tasks/resubscribe", ["id": .string(taskID)], timeout: nil)
    }

    public func task(_ id: String, historyLength: Int? = nil) async throws -> A2ATask {
        let endpoint = try await resolvedEndpoint()
        var params: [String: JSONValue] = ["id": .string(id)]
        if let historyLength { params["historyLength"] = .integer(historyLength) }
        let result = try await call(endpoint, endpoint.version == .v1_0 ? "GetTask" : "tasks/get", .object(params))
        return try Self.decoded { () throws(JSONRPCError) in try A2AWire.decodeTask(result, at: "result") }
    }

    public func cancel(_ id: String) async throws -> A2ATask {
        let endpoint = try await resolvedEndpoint()
        let result = try await call(endpoint, endpoint.version == .v1_0 ? "CancelTask" : "tasks/cancel", ["id": .string(id)])
        return try Self.decoded { () throws(JSONRPCError) in try A2AWire.decodeTask(result, at: "result") }
    }

    // MARK: Plumbing

    func resolvedEndpoint() async throws -> Endpoint {
        if let endpoint { return endpoint }
        guard let found = try await card().jsonRPCEndpoint else {
            throw A2AClientError(.invalidResponse, "the card at \(url) offers no JSON-RPC interface")
        }
        return Endpoint(url: found.url, version: found.version)
    }

    private func rpcRequest(_ endpoint: Endpoint, _ method: String, _ params: JSONValue, accept: String, timeout: Duration)
        -> HTTPRequest
    {
        let id = environment.ids.next("rpc")
        return HTTPRequest(
            method: "POST", url: endpoint.url,
            headers: [("Content-Type", "application/json"), ("Accept", accept), (A2AVersion.header, endpoint.version.rawValue)],
            body: JSONRPCMessage.request(id: .string(id), method: method, params: params).json.canonicalBytes(), timeout: timeout)
    }

    private func call(_ endpoint: Endpoint, _ method: String, _ params: JSONValue) async throws -> JSONValue {
        let bytes = try await exchange(rpcRequest(endpoint, method, params, accept: "application/json", timeout: timeout))
        return try Self.result(of: bytes, method: method)
    }

    private func openStream(_ endpoint: Endpoint, _ method: String, _ params: JSONValue, timeout: Duration?) async throws
        -> A2AEventStream
    {
        let request = rpcRequest(endpoint, method, params, accept: "text/event-stream", timeout: timeout ?? self.timeout)
        let response = try await send(request)
        if response.header("Content-Type")?.lowercased().hasPrefix("text/event-stream") != true {
            // An error before the stream starts comes as a plain JSON-RPC response.
            let bytes = try await response.collectBody(limit: 4 << 20)
            _ = try Self.result(of: bytes, method: method)
            throw A2AClientError(.invalidResponse, "\(method) answered \(response.header("Content-Type") ?? "no content type"), not an event stream")
        }
        return A2AEventStream(body: response.body, method: method)
    }

    /// Sends `request` (checking its host, retrying what may succeed again) and collects the body of a 2xx answer.
    private func exchange(_ request: HTTPRequest) async throws -> [UInt8] {
        try await send(request).collectBody(limit: 16 << 20)
    }

    private func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard let host = Self.host(of: request.url) else {
            throw A2AClientError(.invalidURL, "\(request.url) is not an http(s) URL with a host")
        }
        guard allowedHosts.contains(host) else {
            throw A2AClientError(
                .hostNotAllowed, "\(host) is not an allowed A2A host (allowed: \(allowedHosts.sorted().joined(separator: ", ")))")
        }
        var attempt = 1
        while true {
            let failure: A2AClientError
            do {
                let response = try await transport.send(request)
                if (200..<300).contains(response.status) { return response }
                let body = (try? await response.collectBody(limit: 4096)).map { String(decoding: $0, as: UTF8.self) } ?? ""
                failure = A2AClientError(
                    .httpStatus, "\(request.method) \(request.url) answered HTTP \(response.status): \(body.prefix(300))",
                    status: response.status)
            } catch let error as HTTPError where error.code == .connectionFailed || error.code == .interrupted {
                failure = A2AClientError(.unavailable, "\(request.method) \(request.url) failed: \(error)")
            } catch let error as HTTPError where error.code == .timedOut {
                throw A2AClientError(.timedOut, "\(request.method) \(request.url) took longer than \(timeout)")
            }
            guard failure.isRetryable, attempt < retry.maxAttempts else { throw failure }
            try await environment.sleep(for: retry.delay(afterAttempt: attempt, retryAfter: nil, random: environment.random))
            attempt += 1
        }
    }

    static func result(of bytes: [UInt8], method: String) throws -> JSONValue {
        let message: JSONRPCMessage
        do {
            message = try JSONRPCMessage(parsing: bytes)
        } catch {
            throw A2AClientError(.invalidResponse, "\(method) answered something that is not JSON-RPC: \(error)")
        }
        guard case .response(_, let result) = message else {
            throw A2AClientError(.invalidResponse, "\(method) answered a JSON-RPC request, not a response")
        }
        switch result {
        case .success(let value): return value
        case .failure(let error): throw A2AClientError(.rpc, "\(method) failed: \(error)", rpcError: error)
        }
    }

    static func decoded<T>(_ body: () throws(JSONRPCError) -> T) throws(A2AClientError) -> T {
        do {
            return try body()
        } catch {
            throw A2AClientError(.invalidResponse, "unexpected result shape: \(error.message)")
        }
    }

    /// The lowercase host of an http(s) URL.
    static func host(of url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else { return nil }
        return host.lowercased()
    }
}

/// The events of a streamed task, decoded from SSE as the consumer iterates (no task of its own).
public struct A2AEventStream: AsyncSequence, Sendable {
    public typealias Element = A2AStreamEvent
    let body: AsyncThrowingStream<[UInt8], any Error>
    let method: String

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(chunks: body.makeAsyncIterator(), method: method)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var chunks: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator
        let method: String
        var parser = SSEParser()
        var pending: [A2AStreamEvent] = []
        var ended = false

        public mutating func next() async throws -> A2AStreamEvent? {
            while true {
                if !pending.isEmpty { return pending.removeFirst() }
                if ended { return nil }
                guard let chunk = try await chunks.next() else {
                    ended = true
                    parser.finish()
                    continue
                }
                var data: [String] = []
                do {
                    try parser.parse(chunk) { data.append($0.data) }
                } catch {
                    throw A2AClientError(.invalidResponse, "the event stream of \(method): \(error)")
                }
                for item in data {
                    let result = try A2AClient.result(of: Array(item.utf8), method: method)
                    pending.append(try A2AClient.decoded { () throws(JSONRPCError) in try A2AWire.decodeEvent(result) })
                }
            }
        }
    }
}
