import Micro
import MicroProviders
import Synchronization

/// The few v3 gateway calls the registry needs, over an ``HTTPTransport`` (libcurl when live).
final class EtcdClient: Sendable {
    let configuration: EtcdConfiguration
    let transport: any HTTPTransport
    private let token = Mutex<String?>(nil)

    var url: String { configuration.url.base }

    init(configuration: EtcdConfiguration, transport: any HTTPTransport) {
        self.configuration = configuration
        self.transport = transport
    }

    // MARK: - Start

    /// Checks the server is etcd 3.4 or later, and signs in when the URL carries credentials.
    func start() async throws {
        let version = try await serverVersion()
        guard Self.isSupported(version) else {
            throw EtcdError(.versionMismatch, "etcd 3.4 or later is required, the server is etcd \(version)", url: url)
        }
        if configuration.url.user != nil { try await authenticate() }
    }

    /// `etcdserver` of `GET /version`.
    func serverVersion() async throws -> String {
        let body = try await exchange(HTTPRequest(method: "GET", url: url + "/version", timeout: configuration.requestTimeout))
        guard let version = body["etcdserver"]?.stringValue else {
            throw EtcdError(.versionMismatch, "GET /version did not name an etcdserver version: \(body)", url: url)
        }
        return version
    }

    /// Whether `version` (`major.minor.patch`) is 3.4 or later.
    static func isSupported(_ version: String) -> Bool {
        let parts = version.split(separator: ".").prefix(2).map { Int($0.prefix(while: \.isNumber)) ?? -1 }
        guard parts.count == 2 else { return false }
        return parts[0] > 3 || (parts[0] == 3 && parts[1] >= 4)
    }

    private func authenticate() async throws {
        let body: JSONValue = [
            "name": .string(configuration.url.user ?? ""), "password": .string(configuration.url.password ?? ""),
        ]
        let answer = try await exchange(request("/v3/auth/authenticate", body, authorized: false))
        guard let value = answer["token"]?.stringValue else {
            throw EtcdError(.unauthenticated, "authentication returned no token", url: url)
        }
        token.withLock { $0 = value }
    }

    // MARK: - Unary calls

    /// POSTs `body` to `path`, retrying with backoff while etcd is unreachable; re-authenticates once when a
    /// token went stale.
    func call(_ path: String, _ body: JSONValue) async throws -> JSONValue {
        var attempt = 1
        var reauthenticated = false
        while true {
            do {
                return try await exchange(request(path, body))
            } catch let error as EtcdError where error.code == .unauthenticated && configuration.url.user != nil && !reauthenticated {
                reauthenticated = true
                try await authenticate()
            } catch let error as EtcdError where error.isRetryable && attempt < configuration.attempts {
                try await ContinuousClock().sleep(for: configuration.backoff(attempt: attempt))
                attempt += 1
            }
        }
    }

    func request(_ path: String, _ body: JSONValue, authorized: Bool = true, timeout: Duration? = nil) -> HTTPRequest {
        var headers = [(name: "Content-Type", value: "application/json")]
        if authorized, let token = token.withLock({ $0 }) { headers.append((name: "Authorization", value: token)) }
        return HTTPRequest(
            method: "POST", url: url + path, headers: headers, body: body.canonicalBytes(),
            timeout: timeout ?? configuration.requestTimeout)
    }

    private func exchange(_ request: HTTPRequest) async throws -> JSONValue {
        let response = try await send(request)
        let bytes: [UInt8]
        do {
            bytes = try await response.collectBody()
        } catch {
            throw mapTransport(error)
        }
        let body = try? JSONValue(parsing: bytes)
        guard response.status == 200 else {
            throw EtcdError(gatewayError: body, httpStatus: response.status, url: url)
        }
        guard let body else {
            throw EtcdError(.protocolError, "\(request.url) answered with something other than JSON", url: url)
        }
        return body
    }

    /// Sends `request`, mapping transport failures (refused, timed out) to ``EtcdError/Code/unavailable``.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        do {
            return try await transport.send(request)
        } catch {
            throw mapTransport(error)
        }
    }

    func mapTransport(_ error: any Error) -> any Error {
        guard let error = error as? HTTPError else { return error }
        switch error.code {
        case .cancelled: return CancellationError()
        case .invalidRequest: return EtcdError(.invalidURL, "the request to etcd was rejected: \(error.message)", url: url, underlying: error)
        default: return EtcdError(.unavailable, "etcd is unreachable: \(error.message)", url: url, underlying: error)
        }
    }

    // MARK: - KV and leases

    /// Every key starting with `prefix`, with the store revision they were read at.
    func range(prefix: String) async throws -> (kvs: [EtcdKeyValue], revision: Int64) {
        let key = Array(prefix.utf8)
        let answer = try await call("/v3/kv/range", [
            "key": .string(EtcdWire.base64(key)), "range_end": .string(EtcdWire.base64(EtcdWire.rangeEnd(prefix: key))),
        ])
        guard let revision = EtcdWire.int64(answer["header"]?["revision"]) else {
            throw EtcdError(.protocolError, "range answer without a revision: \(answer)", url: url)
        }
        return (try (answer["kvs"]?.arrayValue ?? []).map(EtcdKeyValue.init(json:)), revision)
    }

    /// One operation of a transaction.
    enum Operation {
        case put(String, [UInt8], lease: Int64)
        case delete(String)

        var json: JSONValue {
            switch self {
            case .put(let key, let value, let lease):
                var put: [String: JSONValue] = ["key": .string(EtcdWire.base64(key)), "value": .string(EtcdWire.base64(value))]
                if lease != 0 { put["lease"] = EtcdWire.int64String(lease) }
                return ["request_put": .object(put)]
            case .delete(let key):
                return ["request_delete_range": ["key": .string(EtcdWire.base64(key))]]
            }
        }
    }

    /// Runs `operations` atomically if every key in `expected` still has that mod revision (0: absent).
    /// Returns whether it ran and the revision after it.
    func transaction(expecting expected: [String: Int64] = [:], _ operations: [Operation]) async throws -> (succeeded: Bool, revision: Int64) {
        let compare: [JSONValue] = expected.keys.sorted().map { key in
            ["key": .string(EtcdWire.base64(key)), "target": "MOD", "result": "EQUAL",
             "mod_revision": EtcdWire.int64String(expected[key]!)]
        }
        let answer = try await call("/v3/kv/txn", ["compare": .array(compare), "success": .array(operations.map(\.json))])
        guard let revision = EtcdWire.int64(answer["header"]?["revision"]) else {
            throw EtcdError(.protocolError, "txn answer without a revision: \(answer)", url: url)
        }
        return (answer["succeeded"]?.boolValue ?? false, revision)
    }

    /// A new lease living `ttl` seconds unless kept alive.
    func grantLease(seconds: Int64) async throws -> Int64 {
        let answer = try await call("/v3/lease/grant", ["TTL": EtcdWire.int64String(seconds)])
        guard let id = EtcdWire.int64(answer["ID"]), id != 0 else {
            throw EtcdError(.protocolError, "lease grant without an ID: \(answer)", url: url)
        }
        return id
    }

    /// Renews lease `id` once; false when it has already expired.
    func keepAlive(lease id: Int64) async throws -> Bool {
        let answer = try await call("/v3/lease/keepalive", ["ID": EtcdWire.int64String(id)])
        let result = answer["result"] ?? answer
        return (EtcdWire.int64(result["TTL"]) ?? 0) > 0
    }

    /// Ends lease `id`, deleting its keys; a lease already gone is fine.
    func revoke(lease id: Int64) async throws {
        do {
            _ = try await call("/v3/lease/revoke", ["ID": EtcdWire.int64String(id)])
        } catch let error as EtcdError where error.code == .notFound {
        }
    }

    // MARK: - Watch

    /// Opens a watch on every key starting with `prefix`, from `revision` on; the body streams NDJSON.
    func openWatch(prefix: String, from revision: Int64) async throws -> HTTPResponse {
        let key = Array(prefix.utf8)
        let body: JSONValue = [
            "create_request": [
                "key": .string(EtcdWire.base64(key)), "range_end": .string(EtcdWire.base64(EtcdWire.rangeEnd(prefix: key))),
                "start_revision": EtcdWire.int64String(revision),
            ],
        ]
        var request = request("/v3/watch", body)
        request.timeout = nil
        let response = try await send(request)
        guard response.status == 200 else {
            let bytes = (try? await response.collectBody(limit: 1 << 20)) ?? []
            throw EtcdError(gatewayError: try? JSONValue(parsing: bytes), httpStatus: response.status, url: url)
        }
        return response
    }
}
