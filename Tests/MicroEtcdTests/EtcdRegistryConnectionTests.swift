import Micro
import MicroEtcd
import MicroProviders
import Synchronization
import Testing

/// Start-up failures, without a server: each one a typed error that names the URL.
@Suite struct EtcdRegistryConnectionTests {
    /// Answers each request with a canned status and body, by path.
    struct ScriptedTransport: HTTPTransport {
        var answers: [String: (Int, String)]
        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            let path = String(request.url.drop { $0 != "/" }.dropFirst(2).drop { $0 != "/" })
            let (status, body) = answers[path] ?? (404, #"{"error":"no such path","code":5}"#)
            return HTTPResponse(status: status, headers: [], body: AsyncThrowingStream { continuation in
                continuation.yield(Array(body.utf8))
                continuation.finish()
            })
        }
    }

    @Test func downAtStartNamesTheURL() async throws {
        let port = try EtcdServerProcess.freePort()  // nothing listens there
        await #expect {
            _ = try await EtcdRegistry.connect(url: "http://127.0.0.1:\(port)")
        } throws: { error in
            guard let error = error as? RegistryError else { return false }
            return error.code == .unavailable && error.message.contains("http://127.0.0.1:\(port)")
                && (error.underlying as? EtcdError)?.isRetryable == true
        }
    }

    @Test(arguments: ["nats://127.0.0.1:2379", "http://127.0.0.1:2379/v2/keys", "not a url"])
    func malformedURL(_ url: String) async {
        await #expect {
            _ = try await EtcdRegistry.connect(url: url)
        } throws: { error in
            (error as? RegistryError)?.code == .invalidURL && (error as? RegistryError)?.message.contains(url) == true
        }
    }

    @Test(arguments: [#"{"etcdserver":"3.3.27","etcdcluster":"3.3.0"}"#, #"{"etcdcluster":"3.4.0"}"#, #"{"version":"2.3.8"}"#])
    func versionMismatch(_ version: String) async {
        let transport = ScriptedTransport(answers: ["/version": (200, version)])
        await #expect {
            _ = try await EtcdRegistry.connect(url: "http://etcd.test:2379", transport: transport)
        } throws: { error in
            (error as? RegistryError)?.code == .versionMismatch && (error as? RegistryError)?.message.contains("http://etcd.test:2379") == true
        }
    }

    @Test func rejectedCredentials() async {
        let transport = ScriptedTransport(answers: [
            "/version": (200, #"{"etcdserver":"3.4.23","etcdcluster":"3.4.0"}"#),
            "/v3/auth/authenticate": (400, #"{"error":"etcdserver: authentication failed, invalid user ID or password","code":3}"#),
        ])
        await #expect {
            _ = try await EtcdRegistry.connect(url: "http://root:wrong@etcd.test:2379", transport: transport)
        } throws: { error in
            (error as? RegistryError)?.code == .unauthenticated && (error as? RegistryError)?.message.contains("root:wrong") == false
        }
    }

    @Test func gatewayErrorOnARequestIsTyped() async throws {
        let transport = ScriptedTransport(answers: [
            "/version": (200, #"{"etcdserver":"3.5.9","etcdcluster":"3.5.0"}"#),
            "/v3/kv/range": (403, #"{"error":"etcdserver: permission denied","code":7}"#),
        ])
        let registry = try await EtcdRegistry.connect(url: "http://etcd.test:2379", transport: transport)
        await #expect {
            _ = try await registry.listServices()
        } throws: { error in
            (error as? RegistryError)?.code == .permissionDenied && ((error as? RegistryError)?.underlying as? EtcdError)?.grpcCode == 7
        }
    }

    /// A healthy etcd 3.5 with no keys, whose watch streams say "created" and end (so they are reopened).
    static let healthy: [String: (Int, String)] = [
        "/version": (200, #"{"etcdserver":"3.5.9","etcdcluster":"3.5.0"}"#),
        "/v3/kv/range": (200, #"{"header":{"revision":"7"},"kvs":[]}"#),
        "/v3/watch": (200, #"{"result":{"header":{"revision":"7"},"created":true,"compact_revision":"0"}}"# + "\n"),
    ]

    @Test func watchNeedsRun() async throws {
        let registry = try await EtcdRegistry.connect(url: "http://etcd.test:2379", transport: ScriptedTransport(answers: Self.healthy))
        await #expect {
            _ = try await registry.watch()
        } throws: { error in
            (error as? RegistryError)?.code == .unavailable && (error as? RegistryError)?.message.contains("run()") == true
        }
        #expect(registry.watcherCount == 0)
    }

    @Test func runIsActiveOnce() async throws {
        let registry = try await EtcdRegistry.connect(url: "http://etcd.test:2379", transport: ScriptedTransport(answers: Self.healthy))
        let outcomes = await withTaskGroup(of: String.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    do {
                        try await registry.run()
                        return "returned"
                    } catch {
                        return "\((error as? RegistryError)?.code.description ?? "\(error)")"
                    }
                }
            }
            let first = await group.next()!  // the second run() throws at once; the first runs until cancelled
            group.cancelAll()
            return [first, await group.next()!]
        }
        #expect(outcomes == ["invalidArgument", "returned"])
    }

    /// A watcher's stream is a child of run(): when the registry's scope ends, the watcher ends too.
    @Test(.timeLimit(.minutes(1))) func watchersEndWithTheScope() async throws {
        let watcher = try await EtcdRegistry.withRegistry(url: "http://etcd.test:2379", transport: ScriptedTransport(answers: Self.healthy)) {
            registry in
            let watcher = try await registry.watch()
            #expect(registry.watcherCount == 1)
            return watcher
        }
        var events = 0
        for try await _ in watcher { events += 1 }
        #expect(events == 0)
    }

    /// A watch stream that says "created" and then delivers nothing, without ending.
    struct StalledWatchTransport: HTTPTransport {
        final class Once: Sendable {
            let sent = Mutex(false)
        }

        var scripted: ScriptedTransport
        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            guard request.url.hasSuffix("/v3/watch") else { return try await scripted.send(request) }
            let once = Once()
            let created = Array((#"{"result":{"header":{"revision":"7"},"created":true,"compact_revision":"0"}}"# + "\n").utf8)
            return HTTPResponse(status: 200, headers: [], body: AsyncThrowingStream(unfolding: {
                if once.sent.withLock({ sent in defer { sent = true }; return !sent }) { return created }
                try await Task.sleep(for: .seconds(3600))
                return nil
            }))
        }
    }

    /// A write waits for this registry's connected watchers to deliver it, but not for ever: a stream that
    /// stalled without breaking lets writers go after the request timeout.
    @Test(.timeLimit(.minutes(1))) func aStalledWatcherDoesNotHoldWritersForEver() async throws {
        var answers = Self.healthy
        answers["/v3/kv/txn"] = (200, #"{"header":{"revision":"9"},"succeeded":true}"#)
        let configuration = try EtcdConfiguration("http://etcd.test:2379", requestTimeout: .milliseconds(200))
        try await EtcdRegistry.withRegistry(configuration, transport: StalledWatchTransport(scripted: ScriptedTransport(answers: answers))) {
            registry in
            let watcher = try await registry.watch()
            try await registry.register(ServiceRecord(
                name: "stalled", version: "1.0.0", endpoints: [EndpointRecord(name: "get")],
                nodes: [NodeRecord(id: "n1", address: "local://n1")]))
            watcher.cancel()
        }
    }
}
