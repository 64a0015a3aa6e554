import Micro
import MicroProviders
import MicroRemote
import Testing

/// Two runtimes in this process sharing a registry: `server` serves services over HTTP on a real loopback
/// socket, `caller` reaches them only through a ``RemoteTransport`` (it has no local copy).
@Suite struct RemoteTransportTests {
    struct Echo: Codable, Sendable {
        var text: String
    }

    struct Seen: Codable, Sendable {
        var text: String
        var runID: String
        var idempotencyKey: String
        var caller: String
        var metadata: [String: String]
        var deadlineAtMs: Int64?
        var deadlineKind: String?
    }

    struct Charge: Codable, Sendable {
        var amount: Int
    }

    struct Receipt: Codable, Sendable {
        var occurrence: Int
    }

    static func services(ledger: SideEffectLedger) -> [Service] {
        [
            Service("echo") {
                Endpoint("echo", description: "Says back what it got and how it was called") { (request: Echo, context: CallContext) in
                    Seen(
                        text: request.text, runID: context.runID, idempotencyKey: context.idempotencyKey, caller: context.caller,
                        metadata: context.metadata, deadlineAtMs: context.timeLimit?.at.millisecondsSinceEpoch,
                        deadlineKind: context.timeLimit?.kind.rawValue)
                }
                Endpoint("hang", description: "Never answers") { (_: Echo, context: CallContext) -> Echo in
                    try await context.environment.hang()
                }
                Endpoint("refuse", description: "Always refuses") { (_: Echo, _: CallContext) -> Echo in
                    throw ServiceError(.rejected, "no seats left", details: ["flight": "TP123"])
                }
            },
            Service("payments") {
                Endpoint("charge", description: "Charges once per idempotency key") { (request: Charge, context: CallContext) in
                    let effect = try await ledger.perform(
                        key: context.idempotencyKey, kind: "payments.charge", payload: ["amount": .integer(request.amount)],
                        at: context.environment.now())
                    return Receipt(occurrence: effect.occurrence)
                }
            },
        ]
    }

    /// Serves the services in a runtime of their own and gives `body` a runtime that reaches them only remotely.
    static func withRemote<R: Sendable>(
        token: String? = nil, callerToken: String? = nil,
        _ body: @escaping @Sendable (_ caller: Runtime, _ client: Client, _ ledger: SideEffectLedger, _ url: String) async throws -> R
    ) async throws -> R {
        let registry = InMemoryRegistry(environment: .live)
        let server = Runtime(environment: .live, registry: registry, broker: InMemoryBroker(), store: InMemoryStore(environment: .live))
        let ledger = SideEffectLedger(store: server.store)
        let services = services(ledger: ledger)
        // Served locally but not registered under the local node: the caller must go over HTTP.
        for service in services { server.local.attach(service, to: server.nodeID) }
        return try await RemoteServiceServer(runtime: server, token: token).withRunning { url in
            try await server.advertise(services, at: url)
            let caller = Runtime(environment: .live, registry: registry, broker: InMemoryBroker(), store: InMemoryStore(environment: .live))
            let client = caller.client(remote: RemoteTransport(token: callerToken))
            return try await body(caller, client, ledger, url)
        }
    }

    static func context(_ caller: Runtime, key: String = "run-7/1/0", deadline: Duration? = nil) -> CallContext {
        let now = caller.environment.now()
        return CallContext(
            runID: "run-7", idempotencyKey: key,
            timeLimit: deadline.map { Deadline.after($0, from: now, .tool, subject: "") }, caller: "booker",
            metadata: ["tenant": "acme"], environment: caller.environment)
    }

    @Test func carriesRunIDKeyCallerMetadataAndDeadline() async throws {
        try await Self.withRemote { caller, client, _, url in
            let context = Self.context(caller, deadline: .seconds(30))
            let seen = try await client.call("echo", "echo", request: Echo(text: "hi"), as: Seen.self, context: context)
            #expect(seen.text == "hi")
            #expect(seen.runID == "run-7")
            #expect(seen.idempotencyKey == "run-7/1/0")
            #expect(seen.caller == "booker")
            #expect(seen.metadata == ["tenant": "acme"])
            #expect(seen.deadlineAtMs == context.timeLimit?.at.millisecondsSinceEpoch)
            #expect(seen.deadlineKind == "tool")
            // The record the caller resolved points at the HTTP node.
            #expect(try await caller.registry.getService("echo").first?.nodes.first?.address == url)
        }
    }

    @Test func idempotencyKeyCrossesSoTheSideEffectHappensOnce() async throws {
        try await Self.withRemote { caller, client, ledger, _ in
            let first = try await client.call("payments", "charge", request: Charge(amount: 40), as: Receipt.self, context: Self.context(caller))
            let again = try await client.call("payments", "charge", request: Charge(amount: 40), as: Receipt.self, context: Self.context(caller))
            let other = try await client.call(
                "payments", "charge", request: Charge(amount: 40), as: Receipt.self, context: Self.context(caller, key: "run-7/2/0"))
            #expect(first.occurrence == 1)
            #expect(again.occurrence == 1)
            #expect(other.occurrence == 1)
            #expect(try await ledger.entries().map(\.key).sorted() == ["run-7/1/0", "run-7/2/0"])
        }
    }

    @Test func deadlineCancelsTheRemoteCall() async throws {
        try await Self.withRemote { caller, client, _, _ in
            let error = await #expect(throws: ServiceError.self) {
                try await client.call("echo", "hang", request: ["text": "x"] as JSONValue, context: Self.context(caller, deadline: .milliseconds(300)))
            }
            #expect(error?.code == .deadlineExceeded)
        }
    }

    @Test func deadlineAlreadyPassedIsNotSent() async throws {
        try await Self.withRemote { caller, _, _, url in
            var context = Self.context(caller)
            context.timeLimit = Deadline(.run, at: caller.environment.now().advanced(by: .seconds(-1)), subject: "run r1")
            let error = await #expect(throws: ServiceError.self) {
                try await RemoteTransport().call(
                    node: NodeRecord(id: "n", address: url), service: "echo", endpoint: "echo", request: ["text": "x"], context: context)
            }
            #expect(error?.code == .deadlineExceeded)
        }
    }

    @Test func handlerErrorsArriveTyped() async throws {
        try await Self.withRemote { caller, client, _, _ in
            let refused = await #expect(throws: ServiceError.self) {
                try await client.call("echo", "refuse", request: ["text": "x"], context: Self.context(caller))
            }
            #expect(refused?.code == .rejected)
            #expect(refused?.message == "no seats left")
            #expect(refused?.details == ["flight": "TP123"])
            let missing = await #expect(throws: ServiceError.self) {
                try await client.call("echo", "nope", request: ["text": "x"], context: Self.context(caller))
            }
            #expect(missing?.code == .notFound)
            let invalid = await #expect(throws: ServiceError.self) {
                try await client.call("echo", "echo", request: ["text": 5], context: Self.context(caller))
            }
            #expect(invalid?.code == .invalidArguments)
        }
    }

    @Test func unreachableNodeIsATypedError() async throws {
        let caller = Runtime.inMemory(environment: .live)
        // Port 9 (discard) on loopback: nothing listens there in a test environment.
        let error = await #expect(throws: ServiceError.self) {
            try await RemoteTransport().call(
                node: NodeRecord(id: "gone", address: "http://127.0.0.1:9"), service: "echo", endpoint: "echo",
                request: ["text": "x"], context: Self.context(caller))
        }
        #expect(error?.code == .unreachable)
        #expect(error?.details?["address"] == "http://127.0.0.1:9")
    }

    @Test(arguments: [
        ("not json", 200, "not JSON"),
        (#"{"other":1}"#, 200, "neither result nor error"),
        (#"{"error":{"code":"x"}}"#, 500, "lacks code or message"),
    ])
    func badResponsesAreTyped(body: String, status: Int, reason: String) async throws {
        let http = StatusTransport(status: status, body: Array(body.utf8))
        let error = await #expect(throws: ServiceError.self) {
            try await RemoteTransport(http: http).call(
                node: NodeRecord(id: "n", address: "http://127.0.0.1:1"), service: "echo", endpoint: "echo", request: ["text": "x"],
                context: Self.context(Runtime.inMemory(environment: .live)))
        }
        #expect(error?.code == .badResponse)
        #expect(error?.message.contains(reason) == true)
        #expect(error?.details?["status"] == .integer(status))
    }

    @Test func bearerTokenIsRequiredWhenSet() async throws {
        try await Self.withRemote(token: "s3cret", callerToken: "wrong") { caller, client, _, _ in
            let error = await #expect(throws: ServiceError.self) {
                try await client.call("echo", "echo", request: ["text": "x"], context: Self.context(caller))
            }
            #expect(error?.code == .rejected)
        }
        try await Self.withRemote(token: "s3cret", callerToken: "s3cret") { caller, client, _, _ in
            let seen = try await client.call("echo", "echo", request: Echo(text: "ok"), as: Seen.self, context: Self.context(caller))
            #expect(seen.text == "ok")
        }
    }

    @Test func malformedCallsGet400AndNotJSONGets415() async throws {
        try await Self.withRemote { _, _, _, url in
            let curl = CurlTransport()
            let missing = try await curl.send(HTTPRequest(
                url: url + "/micro/call/echo/echo", headers: [(name: "Content-Type", value: "application/json")],
                body: Array(#"{"request":{"text":"x"},"context":{"caller":"c"}}"#.utf8)))
            #expect(missing.status == 400)
            let text = String(decoding: try await missing.collectBody(), as: UTF8.self)
            #expect(text.contains("context.runId is missing"))
            let plain = try await curl.send(HTTPRequest(
                url: url + "/micro/call/echo/echo", headers: [(name: "Content-Type", value: "text/plain")], body: Array("hi".utf8)))
            #expect(plain.status == 415)
            let foreign = try await curl.send(HTTPRequest(
                url: url + "/micro/call/echo/echo",
                headers: [(name: "Content-Type", value: "application/json"), (name: "Origin", value: "http://evil.example")],
                body: Array("{}".utf8)))
            #expect(foreign.status == 403)
        }
    }
}

/// Answers every request with one status and body.
struct StatusTransport: HTTPTransport {
    let status: Int
    let body: [UInt8]

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: [UInt8].self, throwing: (any Error).self)
        continuation.yield(body)
        continuation.finish()
        return HTTPResponse(status: status, headers: [(name: "Content-Type", value: "application/json")], body: stream)
    }
}
