import Foundation
import Micro
import MicroProviders
import Synchronization

/// A fake live transport: answers each request from a script, streaming chunks with delays on a clock.
final class ScriptedTransport: HTTPTransport {
    struct Reply: Sendable {
        var status = 200
        var headers: [(name: String, value: String)] = [("content-type", "application/json")]
        /// Each chunk after `delayMs` on the clock.
        var chunks: [(delayMs: Int, text: String)] = []
        /// Thrown before the head when set.
        var headError: HTTPError?
        /// Ends the body after the chunks when set.
        var bodyError: HTTPError?
    }

    private let script: @Sendable (HTTPRequest) -> Reply
    private let clock: any Clock<Duration>
    private let received = Mutex<[HTTPRequest]>([])

    init(clock: any Clock<Duration> = VirtualClock(), _ script: @escaping @Sendable (HTTPRequest) -> Reply) {
        self.clock = clock
        self.script = script
    }

    var requests: [HTTPRequest] { received.withLock { $0 } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        received.withLock { $0.append(request) }
        let reply = script(request)
        if let error = reply.headError { throw error }
        let clock = self.clock
        let chunks = reply.chunks
        let failure = reply.bodyError
        let position = Position()
        return HTTPResponse(
            status: reply.status, headers: reply.headers,
            body: AsyncThrowingStream {
                let i = position.next()
                if i < chunks.count {
                    try await clock.sleep(for: .milliseconds(chunks[i].delayMs))
                    return Array(chunks[i].text.utf8)
                }
                if i == chunks.count, let failure { throw failure }
                return nil
            })
    }

    private final class Position: Sendable {
        private let value = Mutex(0)
        func next() -> Int { value.withLock { v in defer { v += 1 }; return v } }
    }
}

/// A fresh directory under the system's temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "micro-cassette-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

extension HTTPResponse {
    /// The body's chunks as text.
    func chunkTexts() async throws -> [String] {
        var texts: [String] = []
        for try await chunk in body { texts.append(String(decoding: chunk, as: UTF8.self)) }
        return texts
    }
}

func jsonBody(_ value: JSONValue) -> [UInt8] { value.canonicalBytes() }

func chatRequest(_ content: String, model: String = "gpt-test", extra: [String: JSONValue] = [:]) -> HTTPRequest {
    var body: [String: JSONValue] = ["model": .string(model), "messages": [["role": "user", "content": .string(content)]]]
    for (key, value) in extra { body[key] = value }
    return HTTPRequest(
        url: "https://api.example.com/v1/chat/completions",
        headers: [("content-type", "application/json")],
        body: JSONValue.object(body).canonicalBytes())
}

/// A cassette whose interactions answer `chatRequest(content)` with `reply` text.
func cassette(_ pairs: [(HTTPRequest, String)]) -> Cassette {
    Cassette(
        metadata: Cassette.Metadata(provider: "example", source: .documentedExample),
        interactions: pairs.map { request, reply in
            Cassette.Interaction(
                request: Cassette.Request(
                    method: request.method, url: request.url,
                    headers: request.headers.map { Cassette.Header(name: $0.name, value: $0.value) },
                    body: Cassette.Body(bytes: request.body)),
                response: Cassette.Response(status: 200, body: .text(reply)))
        })
}
