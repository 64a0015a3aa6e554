import Micro
import MicroEtcd
import MicroProviders
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

    @Test(arguments: ["etcd://127.0.0.1:2379", "http://127.0.0.1:2379/v2/keys", "not a url"])
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
}
