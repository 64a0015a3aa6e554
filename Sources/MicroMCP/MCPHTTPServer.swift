import HTTPTypes
import Hummingbird
import Logging
import Micro
import MicroProviders
import NIOCore
import ServiceLifecycle
import Synchronization

/// Serves an ``MCPServer`` over Streamable HTTP on one endpoint (default `/mcp`), on loopback by default.
///
/// - `POST` carries one JSON-RPC message. `initialize` opens a session and answers with `MCP-Session-Id`;
///   later handshake-era requests must send it (missing: 400, unknown or expired: 404). A 2026-07-28
///   request (protocol version in `_meta`) needs no session; its `MCP-Protocol-Version`, `Mcp-Method` and
///   `Mcp-Name` headers, when sent, must agree with the body (-32020). A `tools/call` with a `progressToken`
///   from a client accepting `text/event-stream` is answered as an SSE stream (progress, then the result).
/// - `GET` opens an SSE stream of server notifications (`list_changed`) for a session.
/// - `DELETE` ends a session.
///
/// Guards: an `Origin` that is not loopback (or listed in ``allowedOrigins``) gets 403; with a ``token``, a
/// request without `Authorization: Bearer <token>` gets 401; a body over ``maximumBodySize`` 413; a POST
/// that is not `application/json` 415; an `Accept` that rules out JSON (POST) or SSE (GET) 406.
public struct MCPHTTPServer: Sendable {
    public var server: MCPServer
    public var host: String
    public var port: Int
    public var path: String
    /// Required bearer token, or nil for none.
    public var token: String?
    /// Origins accepted besides loopback ones (`http://localhost:*`, `http://127.0.0.1:*`, `http://[::1]:*`).
    public var allowedOrigins: Set<String>
    public var maximumBodySize: Int
    /// A session unused for this long is forgotten (its id then gets 404).
    public var sessionTimeout: Duration
    /// Most sessions kept at once; the least recently used goes first.
    public var maximumSessions: Int
    public var logger: Logger
    let sessions: SessionTable

    public init(
        server: MCPServer, host: String = "127.0.0.1", port: Int = 0, path: String = "/mcp", token: String? = nil,
        allowedOrigins: Set<String> = [], maximumBodySize: Int = 4 << 20, sessionTimeout: Duration = .seconds(3600),
        maximumSessions: Int = 1024, logger: Logger = Logger(label: "micro-mcp")
    ) {
        self.server = server
        self.host = host
        self.port = port
        self.path = path
        self.token = token
        self.allowedOrigins = allowedOrigins
        self.maximumBodySize = maximumBodySize
        self.sessionTimeout = sessionTimeout
        self.maximumSessions = maximumSessions
        self.logger = logger
        self.sessions = SessionTable()
    }

    /// The Hummingbird application (with the registry watch as a service); `onRunning` gets the bound port.
    public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            responder: Responder(http: self),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "micro-mcp"),
            services: [NotificationService(server: server, sessions: sessions)],
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) }, logger: logger)
    }

    /// Sessions by id, with when each was last used.
    final class SessionTable: Sendable {
        private let table = Mutex([String: (session: MCPSession, lastUsed: Timestamp)]())

        func open(_ session: MCPSession, now: Timestamp, limit: Int) {
            let evicted: MCPSession? = table.withLock { table in
                table[session.id] = (session, now)
                guard table.count > limit, let oldest = table.min(by: { $0.value.lastUsed < $1.value.lastUsed }) else { return nil }
                table.removeValue(forKey: oldest.key)
                return oldest.value.session
            }
            evicted?.close()
        }

        /// The live session `id`, touched; nil (and forgotten) when unknown or idle past `timeout`.
        func session(_ id: String, now: Timestamp, timeout: Duration) -> MCPSession? {
            let (found, expired): (MCPSession?, MCPSession?) = table.withLock { table in
                guard let entry = table[id] else { return (nil, nil) }
                if now.duration(since: entry.lastUsed) > timeout {
                    table.removeValue(forKey: id)
                    return (nil, entry.session)
                }
                table[id]!.lastUsed = now
                return (entry.session, nil)
            }
            expired?.close()
            return found
        }

        func remove(_ id: String) -> Bool {
            let removed = table.withLock { $0.removeValue(forKey: id)?.session }
            removed?.close()
            return removed != nil
        }

        func broadcast(_ message: JSONRPCMessage) {
            for session in table.withLock({ $0.values.map(\.session) }) where session.isInitialized { session.send(message) }
        }

        func closeAll() {
            for session in table.withLock({ $0.values.map(\.session) }) { session.close() }
        }
    }

    /// Watches the registry and forwards notifications to every session's GET streams; on shutdown it ends
    /// those streams so open responses finish.
    struct NotificationService: ServiceLifecycle.Service {
        let server: MCPServer
        let sessions: SessionTable

        func run() async throws {
            let notifications = server.notifications()
            defer { sessions.closeAll() }
            await cancelWhenGracefulShutdown {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { try? await server.watchRegistry() }
                    group.addTask {
                        for await message in notifications { sessions.broadcast(message) }
                    }
                    await group.next()
                    group.cancelAll()
                }
            }
        }
    }

    struct Responder: HTTPResponder {
        typealias Context = BasicRequestContext
        let http: MCPHTTPServer

        func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
            guard request.uri.path == http.path else { return Self.status(.notFound, "no MCP endpoint at \(request.uri.path)") }
            if let origin = request.headers[.origin], !http.isAllowed(origin: origin) {
                return Self.status(.forbidden, "origin \(origin) is not allowed")
            }
            if let token = http.token, !LoopbackGuard.sameSecret(request.headers[.authorization] ?? "", "Bearer \(token)") {
                var response = Self.status(.unauthorized, "a bearer token is required")
                response.headers[.wwwAuthenticate] = "Bearer"
                return response
            }
            switch request.method {
            case .post: return try await post(request)
            case .get: return get(request)
            case .delete: return delete(request)
            default:
                var response = Self.status(.methodNotAllowed, "\(request.method) is not supported; use POST, GET or DELETE")
                response.headers[.allow] = "GET, POST, DELETE"
                return response
            }
        }

        private func post(_ request: Request) async throws -> Response {
            let contentType = request.headers[.contentType]?.lowercased() ?? ""
            guard contentType.split(separator: ";").first?.trimmingCharacters(in: " ") == "application/json" else {
                return Self.status(.unsupportedMediaType, "Content-Type must be application/json, not \(contentType.isEmpty ? "missing" : contentType)")
            }
            let accept = Accept(request.headers[.accept])
            guard accept.json else { return Self.status(.notAcceptable, "Accept must allow application/json (and text/event-stream)") }
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: http.maximumBodySize)
            } catch {
                return Self.status(.contentTooLarge, "the request body passed \(http.maximumBodySize) bytes")
            }
            let bytes = body.readableBytesView
            let message: JSONRPCMessage
            do {
                message = try JSONRPCMessage(parsing: bytes)
            } catch {
                return Self.rpc(.error(error, id: MCPServer.salvageID(bytes)), status: .badRequest)
            }
            guard case .request(let id, let method, let params) = message else {
                _ = await http.server.handle(message, session: sessionFor(request))
                return Response(status: .accepted)
            }
            let fail = { (error: JSONRPCError, status: HTTPResponse.Status) in Self.rpc(.error(error, id: id), status: status) }
            let session: MCPSession
            let opened: Bool
            let modern: String?
            do {
                modern = try MCPServer.modernVersion(of: params)
            } catch {
                return fail(error, .badRequest)
            }
            if let modern {
                if let error = Self.headerMismatch(request, version: modern, method: method, params: params) { return fail(error, .badRequest) }
                session = MCPSession(id: "stateless")
                opened = false
            } else if method == "initialize" {
                session = MCPSession(id: Self.newSessionID())
                opened = true
            } else if method == "server/discover" || method == "ping" {
                session = sessionFor(request) ?? MCPSession(id: "stateless")
                opened = false
            } else {
                guard let id = request.headers[.mcpSessionID] else {
                    return fail(.invalidRequest("\(method) needs an MCP-Session-Id header (from initialize) or a 2026-07-28 _meta"), .badRequest)
                }
                guard let found = sessionFor(request) else {
                    return fail(.invalidRequest("session \(id) is unknown or expired; initialize again"), .notFound)
                }
                if let version = request.headers[.mcpProtocolVersion], !MCPProtocol.handshakeVersions.contains(version) {
                    return fail(.invalidRequest("MCP-Protocol-Version \(version) is not supported"), .badRequest)
                }
                session = found
                opened = false
            }
            let progressToken = params?["_meta"]?["progressToken"]
            if method == "tools/call", accept.eventStream, let progressToken {
                return stream(message, session: session, progressToken: progressToken, toolName: params?["name"]?.stringValue ?? "")
            }
            guard let response = await http.server.handle(message, session: session) else { return Response(status: .accepted) }
            var result = Self.rpc(response, status: Self.status(of: response))
            if opened, case .response(_, .success) = response {
                http.sessions.open(session, now: http.server.runtime.environment.now(), limit: http.maximumSessions)
                result.headers[.mcpSessionID] = session.id
            }
            return result
        }

        /// Answers a tool call as an SSE stream: a progress notification, then the response.
        private func stream(_ message: JSONRPCMessage, session: MCPSession, progressToken: JSONValue, toolName: String) -> Response {
            let server = http.server
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: ResponseBody { writer in
                    let progress = JSONRPCMessage.notification(
                        method: "notifications/progress",
                        params: ["progressToken": progressToken, "progress": 0, "message": .string("calling \(toolName)")])
                    try await writer.write(Self.event(progress))
                    if let response = await server.handle(message, session: session) {
                        try await writer.write(Self.event(response))
                    }
                    try await writer.finish(nil)
                })
        }

        private func get(_ request: Request) -> Response {
            guard Accept(request.headers[.accept]).eventStream else {
                return Self.status(.notAcceptable, "GET opens an event stream: Accept must allow text/event-stream")
            }
            guard let id = request.headers[.mcpSessionID] else {
                var response = Self.status(.methodNotAllowed, "GET needs an MCP-Session-Id (handshake-era sessions only)")
                response.headers[.allow] = "POST, DELETE"
                return response
            }
            guard let session = sessionFor(request) else { return Self.status(.notFound, "session \(id) is unknown or expired") }
            let notifications = session.subscribe()
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: ": stream open\n\n"))
                    for await message in notifications { try await writer.write(Self.event(message)) }
                    try await writer.finish(nil)
                })
        }

        private func delete(_ request: Request) -> Response {
            guard let id = request.headers[.mcpSessionID] else { return Self.status(.badRequest, "DELETE needs an MCP-Session-Id") }
            guard http.sessions.remove(id) else { return Self.status(.notFound, "session \(id) is unknown or expired") }
            return Response(status: .ok)
        }

        private func sessionFor(_ request: Request) -> MCPSession? {
            guard let id = request.headers[.mcpSessionID] else { return nil }
            return http.sessions.session(id, now: http.server.runtime.environment.now(), timeout: http.sessionTimeout)
        }

        /// The 2026-07-28 routing headers, when present, must repeat what the body says.
        static func headerMismatch(_ request: Request, version: String, method: String, params: JSONValue?) -> JSONRPCError? {
            if let header = request.headers[.mcpProtocolVersion], header != version {
                return .headerMismatch("MCP-Protocol-Version \(header) differs from _meta protocol version \(version)")
            }
            if let header = request.headers[.mcpMethod], header != method {
                return .headerMismatch("Mcp-Method \(header) differs from the body's method \(method)")
            }
            let named: String? =
                switch method {
                case "tools/call", "prompts/get": params?["name"]?.stringValue
                case "resources/read": params?["uri"]?.stringValue
                default: nil
                }
            if let header = request.headers[.mcpName], let named, header != named {
                return .headerMismatch("Mcp-Name \(header) differs from the body's \(named)")
            }
            return nil
        }

        static func status(of response: JSONRPCMessage) -> HTTPResponse.Status {
            guard case .response(_, .failure(let error)) = response else { return .ok }
            switch error.code {
            case -32700, -32600, -32020, -32022: return .badRequest
            default: return .ok
            }
        }

        static func newSessionID() -> String {
            (0..<2).map { _ in
                let hex = String(UInt64.random(in: .min ... .max), radix: 16)
                return String(repeating: "0", count: 16 - hex.count) + hex
            }.joined()
        }

        static func event(_ message: JSONRPCMessage) -> ByteBuffer {
            var buffer = ByteBuffer(string: "event: message\ndata: ")
            buffer.writeBytes(message.json.canonicalBytes())
            buffer.writeString("\n\n")
            return buffer
        }

        static func rpc(_ message: JSONRPCMessage, status: HTTPResponse.Status) -> Response {
            Response(
                status: status, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: message.json.canonicalBytes())))
        }

        static func status(_ status: HTTPResponse.Status, _ message: String) -> Response {
            let json: JSONValue = ["error": ["code": .integer(status.code), "message": .string(message)]]
            return Response(
                status: status, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: json.canonicalBytes())))
        }
    }

    func isAllowed(origin: String) -> Bool {
        allowedOrigins.contains(origin) || LoopbackGuard.isLoopback(origin: origin)
    }
}

/// What an `Accept` header allows, for the two media types MCP uses. A missing header allows everything.
struct Accept {
    var json: Bool
    var eventStream: Bool

    init(_ header: String?) {
        guard let header else {
            (json, eventStream) = (true, true)
            return
        }
        let types = header.lowercased().split(separator: ",").map {
            $0.split(separator: ";").first.map { $0.trimmingCharacters(in: " ") } ?? ""
        }
        let any = types.contains("*/*")
        json = any || types.contains("application/json") || types.contains("application/*")
        eventStream = any || types.contains("text/event-stream") || types.contains("text/*")
    }
}

extension HTTPField.Name {
    static let mcpSessionID = HTTPField.Name("MCP-Session-Id")!
    static let mcpProtocolVersion = HTTPField.Name("MCP-Protocol-Version")!
    static let mcpMethod = HTTPField.Name("Mcp-Method")!
    static let mcpName = HTTPField.Name("Mcp-Name")!
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var slice = Substring(self)
        while slice.first == set { slice.removeFirst() }
        while slice.last == set { slice.removeLast() }
        return String(slice)
    }
}
