import FuzzSupport
import Micro
import MicroA2A
import MicroAgent
import MicroProviders
import Synchronization

/// A2A JSON-RPC decoding on both sides of the wire. The first input byte picks the side; the rest is the body.
///
/// - Server (3 in 4 inputs): the body is POSTed to an `A2AServer` on loopback (one server for many inputs)
///   with no `A2A-Version` header, `1.0` or `0.3`. Every answer must be HTTP 200
///   with a JSON-RPC response (or an SSE stream of them), never a 500 (the responder's catch-all).
/// - Client (1 in 4): the body is what a remote agent answered, read by `A2AClient` as a `GetTask`,
///   `SendMessage` or streamed result, or as an agent card. Errors are fine; traps are not.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let selector = input.takeByte()
    let body = Array(input.bytes)
    if selector & 3 == 3 {
        runBlocking { await readAsClient(body, mode: Int(selector >> 2) % 8) }
    } else {
        let version: String? = [nil, "1.0", "0.3"][Int(selector & 3)]
        let (status, contentType, answer) = A2AHarness.post(body, version: version)
        invariant(status == 200, "HTTP \(status): \(String(decoding: answer, as: UTF8.self))")
        if contentType == "text/event-stream" {
            var parser = SSEParser()
            var events: [SSEEvent] = []
            do {
                try parser.parse(answer) { events.append($0) }
                try parser.finish { events.append($0) }
            } catch { fatalError("the server's event stream does not parse: \(error)") }
            for event in events { checkResponse(Array(event.data.utf8), to: body) }
        } else {
            checkResponse(answer, to: body)
        }
    }
    return 0
}

/// `answer` must be a JSON-RPC response; when `request` was a request with an id, with that id.
func checkResponse(_ answer: [UInt8], to request: [UInt8]) {
    let message: JSONRPCMessage
    do { message = try JSONRPCMessage(parsing: answer) } catch {
        fatalError("the answer is not JSON-RPC (\(error)): \(String(decoding: answer, as: UTF8.self))")
    }
    guard case .response(let id, _) = message else { fatalError("the answer is not a response: \(message)") }
    if case .request(let requestID, _, _)? = try? JSONRPCMessage(parsing: request) {
        invariant(id == requestID, "request \(requestID) answered as \(String(describing: id))")
    }
}

func readAsClient(_ body: [UInt8], mode: Int) async {
    let version: A2AVersion = mode & 1 == 0 ? .v1_0 : .v0_3
    let streamed = mode >> 1 == 2
    let client = A2AClient(
        url: "http://agent.test", transport: FixedBodyTransport(body: body, contentType: streamed ? "text/event-stream" : "application/json"),
        endpoint: A2AClient.Endpoint(url: "http://agent.test/", version: version),
        retry: RetryPolicy(maxAttempts: 1, initialDelay: .zero, maxDelay: .zero))
    let message = A2AMessage.text("hello", role: .user, messageID: "m-1")
    switch mode >> 1 {
    case 0: _ = try? await client.task("task-1", historyLength: 2)
    case 1: _ = try? await client.send(message)
    case 2:
        do {
            for try await _ in try await client.stream(message) {}
        } catch {}
    default:
        if let json = try? JSONValue(parsing: body) { _ = try? A2AAgentCard(json: json) }
    }
}

/// A long-lived A2A server on loopback, fed one request at a time over libcurl; it is built anew every
/// `requestsPerServer` requests so tasks and recorded model calls do not pile up.
enum A2AHarness {
    struct Job: Sendable {
        var body: [UInt8]
        var version: String?
        var reply: CheckedContinuation<(Int, String?, [UInt8]), Never>
    }

    static let requestsPerServer = 2_000
    static let inbox = Mutex<AsyncStream<Job>.Continuation?>(nil)
    static let started: Bool = {
        Task.detached {
            while true { await serve() }
        }
        return true
    }()

    static func post(_ body: [UInt8], version: String?) -> (Int, String?, [UInt8]) {
        _ = started
        return runBlocking {
            var continuation = inbox.withLock { $0 }
            while continuation == nil {
                try? await Task.sleep(for: .milliseconds(1))
                continuation = inbox.withLock { $0 }
            }
            return await withCheckedContinuation { reply in
                _ = continuation!.yield(Job(body: body, version: version, reply: reply))
            }
        }
    }

    static func serve() async {
        let live = Environment.live
        let environment = Environment(clock: live.clock, now: live.now, random: .seeded(7), ids: .incrementing())
        let runtime = Runtime.inMemory(environment: environment)
        let agent = Agent(
            name: "echo", description: "answers at once", instructions: "Answer.",
            model: ScriptedModel([.answer("ok")], selection: .byAssistantTurns), tools: .services([]))
        let runner = AgentRunner(runtime: runtime, checkpointer: InMemoryCheckpointer(), agents: [agent], owner: "fuzz")
        let server = A2AServer(runner: runner, agent: "echo")
        let (jobs, continuation) = AsyncStream.makeStream(of: Job.self)
        let transport = CurlTransport()
        do {
            try await server.withRunning { url in
                inbox.withLock { $0 = continuation }
                var handled = 0
                for await job in jobs {
                    var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
                    if let version = job.version { headers.append(("A2A-Version", version)) }
                    handled += 1
                    if handled == requestsPerServer { inbox.withLock { $0 = nil } }
                    do {
                        let response = try await transport.send(
                            HTTPRequest(method: "POST", url: url + "/", headers: headers, body: job.body, timeout: .seconds(30)))
                        let bytes = try await response.collectBody()
                        job.reply.resume(returning: (response.status, response.header("Content-Type"), bytes))
                    } catch {
                        job.reply.resume(returning: (-1, nil, Array("transport: \(error)".utf8)))
                    }
                    if handled == requestsPerServer { break }
                }
            }
        } catch {
            fatalError("the A2A server failed: \(error)")
        }
    }
}
