import Foundation
import Micro
import MicroA2A
import MicroAgent
import MicroProviders
import MicroSQLite
import Synchronization
import Testing

/// Agents, a runner and an HTTP helper for A2A tests. Real time (servers run on loopback), counted ids.
struct A2AWorld {
    let environment: Environment
    let runtime: Runtime
    let checkpointer: any Checkpointer

    init(store: (any Store)? = nil, checkpointer: any Checkpointer = InMemoryCheckpointer(), environment: Environment? = nil) {
        let environment = environment ?? A2AWorld.environment()
        self.environment = environment
        var runtime = Runtime.inMemory(environment: environment)
        if let store { runtime.store = store }
        self.runtime = runtime
        self.checkpointer = checkpointer
    }

    /// A world whose store and checkpoints are in the SQLite file at `path` (shared by every world on it).
    static func sqlite(_ path: String, environment: Environment) throws -> A2AWorld {
        A2AWorld(
            store: try SQLiteStore(path: path, environment: environment), checkpointer: try SQLiteCheckpointer(path: path),
            environment: environment)
    }

    /// Real clock and time, seeded randomness, counted ids.
    static func environment() -> Environment {
        let live = Environment.live
        return Environment(clock: live.clock, now: live.now, random: .seeded(7), ids: .incrementing())
    }

    func runner(_ agents: [Agent], remote: [any RemoteAgent] = [], owner: String = "a2a-test") -> AgentRunner {
        AgentRunner(runtime: runtime, checkpointer: checkpointer, agents: agents, remoteAgents: remote, owner: owner)
    }
}

/// Runs `body` with the path of a new SQLite file in a temporary folder, removed afterwards.
func withTemporaryDatabase<R>(_ body: (String) async throws -> R) async throws -> R {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("micro-a2a-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory.appendingPathComponent("a2a.sqlite").path)
}

/// An agent that answers `answer` at once.
func answering(_ name: String, _ answer: String) -> Agent {
    Agent(name: name, description: "answers \(answer)", instructions: "Answer.", model: ScriptedModel([.answer(answer)], selection: .byAssistantTurns), tools: .services([]))
}

/// An agent that asks for the city first, then answers.
func asking(_ name: String = "concierge") -> Agent {
    Agent(
        name: name, description: "asks, then answers", instructions: "Ask for the city, then answer.",
        model: ScriptedModel([
            .calls([ToolCall(id: "ask-1", name: "request_input", arguments: ["prompt": "Which city?"])]),
            .answer("Booked in the city you named."),
        ], selection: .byAssistantTurns), tools: .services([]))
}

/// A model that never answers: it reports each call and waits until its caller is cancelled.
final class BlockingModel: Model {
    let info = ModelInfo(provider: "test", name: "blocking", contextWindow: 100_000)
    private let state = Mutex((calls: 0, cancellations: 0))

    var calls: Int { state.withLock { $0.calls } }
    var cancellations: Int { state.withLock { $0.cancellations } }

    func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        state.withLock { $0.calls += 1 }
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: ModelEvent.self)
        continuation.onTermination = { [weak self] termination in
            if case .cancelled = termination { self?.state.withLock { $0.cancellations += 1 } }
        }
        return stream
    }
}

/// Polls `condition` (a bounded number of times, yielding in between) until it holds.
func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
    for _ in 0..<2_000 {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(5))
    }
    return false
}

/// Raw HTTP against a server, for what a client library would never send.
struct RawHTTP {
    let transport = CurlTransport()

    func post(
        _ url: String, _ body: String, contentType: String? = "application/json", version: String? = "1.0"
    ) async throws -> (status: Int, json: JSONValue?, text: String) {
        try await post(url, Array(body.utf8), contentType: contentType, version: version)
    }

    func post(
        _ url: String, _ body: [UInt8], contentType: String? = "application/json", version: String? = "1.0"
    ) async throws -> (status: Int, json: JSONValue?, text: String) {
        var headers: [(name: String, value: String)] = []
        if let contentType { headers.append(("Content-Type", contentType)) }
        if let version { headers.append(("A2A-Version", version)) }
        let response = try await transport.send(HTTPRequest(method: "POST", url: url + "/", headers: headers, body: body))
        let bytes = try await response.collectBody()
        let text = String(decoding: bytes, as: UTF8.self)
        return (response.status, try? JSONValue(parsing: bytes), text)
    }

    /// An HTTP+JSON call: `method` on `path` below `url`; the status, the JSON body (if any) and the headers.
    func rest(
        _ method: String, _ url: String, _ path: String, body: JSONValue? = nil, contentType: String = "application/json",
        version: String? = "1.0"
    ) async throws -> (status: Int, json: JSONValue?, text: String, head: HTTPResponse) {
        var headers: [(name: String, value: String)] = body == nil ? [] : [("Content-Type", contentType)]
        if let version { headers.append(("A2A-Version", version)) }
        let response = try await transport.send(
            HTTPRequest(method: method, url: url + path, headers: headers, body: body.map { $0.canonicalBytes() } ?? []))
        let bytes = try await response.collectBody()
        return (response.status, try? JSONValue(parsing: bytes), String(decoding: bytes, as: UTF8.self), response)
    }

    /// The `data:` payloads of an HTTP+JSON SSE response.
    func restStream(_ url: String, _ path: String, body: JSONValue?) async throws -> [JSONValue] {
        let response = try await rest("POST", url, path, body: body)
        #expect(response.head.header("Content-Type") == "text/event-stream")
        var parser = SSEParser()
        var events: [JSONValue] = []
        try parser.parse(Array(response.text.utf8)) { event in
            if let value = try? JSONValue(parsing: event.data) { events.append(value) }
        }
        return events
    }

    /// A JSON-RPC call; returns the whole response object.
    func rpc(_ url: String, _ method: String, _ params: JSONValue, version: String? = "1.0", id: Int = 1) async throws -> JSONValue {
        let body = JSONRPCMessage.request(id: .integer(id), method: method, params: params).json.canonicalString()
        let response = try await post(url, body, version: version)
        return try #require(response.json, "not JSON: \(response.text)")
    }

    /// The `data:` payloads of an SSE response.
    func stream(_ url: String, _ method: String, _ params: JSONValue, version: String = "1.0") async throws -> [JSONValue] {
        let body = JSONRPCMessage.request(id: .integer(1), method: method, params: params).json.canonicalString()
        let response = try await post(url, body, version: version)
        var parser = SSEParser()
        var events: [JSONValue] = []
        try parser.parse(Array(response.text.utf8)) { event in
            if let value = try? JSONValue(parsing: event.data) { events.append(value) }
        }
        return events
    }
}

func userMessage(_ text: String, id: String, taskID: String? = nil, version: A2AVersion = .v1_0) -> JSONValue {
    var message: [String: JSONValue] = [
        "messageId": .string(id), "role": version == .v1_0 ? "ROLE_USER" : "user",
        "parts": [version == .v1_0 ? ["text": .string(text)] : ["kind": "text", "text": .string(text)]],
    ]
    if let taskID { message["taskId"] = .string(taskID) }
    if version == .v0_3 { message["kind"] = "message" }
    return ["message": .object(message)]
}
