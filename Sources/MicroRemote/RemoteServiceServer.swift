import HTTPTypes
import Hummingbird
import Logging
import Micro
import MicroProviders
import MicroReplay
import NIOCore

/// Serves the services a ``Runtime`` hosts (those it ``Runtime/serve(_:)``d) to other processes over HTTP, on
/// loopback by default: `POST /micro/call/<service>/<endpoint>` with the body of ``RemoteCall``. Another
/// process reaches them through a ``RemoteTransport`` once they are registered under this server's address
/// (``Runtime/advertise(_:at:ttl:)``).
///
/// Each call runs the endpoint's handler through the runtime's in-process transport with the caller's run id,
/// idempotency key, caller, metadata and deadline; the deadline is enforced here too (on the runtime's clock,
/// which must be live: deadlines cross processes as wall time), so a handler still running when it passes is
/// cancelled and the caller gets `deadline_exceeded`.
///
/// Guards (router middleware): an `Origin` that is not loopback gets 403; with a ``token``, a request without
/// `Authorization: Bearer <token>` gets 401; a body that is not `application/json` 415, over
/// ``maximumBodySize`` 413, malformed 400 (`invalid_arguments`). Handler failures are answered with the
/// ``ServiceError`` as JSON and a status for its code (404, 400, 409, 503, 504, 500).
public struct RemoteServiceServer: Sendable {
    public var runtime: Runtime
    public var host: String
    public var port: Int
    /// Required bearer token, or nil for none.
    public var token: String?
    public var maximumBodySize: Int
    public var logger: Logger

    public init(
        runtime: Runtime, host: String = "127.0.0.1", port: Int = 0, token: String? = nil, maximumBodySize: Int = 4 << 20,
        logger: Logger = .quiet("micro-remote")
    ) {
        self.runtime = runtime
        self.host = host
        self.port = port
        self.token = token
        self.maximumBodySize = maximumBodySize
        self.logger = logger
    }

    /// The Hummingbird application; `onRunning` gets the bound port once the server listens.
    public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: Guard(token: token))
        let server = self
        router.post("/micro/call/:service/:endpoint") { request, context in
            try await server.call(request, context: context)
        }
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "micro-remote"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) }, logger: logger)
    }

    /// Runs the server for the duration of `body`, which gets its base URL (`http://127.0.0.1:PORT`).
    public func withRunning<R: Sendable>(_ body: @escaping @Sendable (String) async throws -> R) async throws -> R {
        let host = host
        return try await withLoopbackServer({ onRunning in application(onRunning: onRunning) }) { port in
            try await body("http://\(EngineURL.authority(host: host, port: port))")
        }
    }

    func call(_ request: Request, context: BasicRequestContext) async throws -> Response {
        guard let service = context.parameters.get("service"), let endpoint = context.parameters.get("endpoint") else {
            return Self.answer(error: ServiceError(.notFound, "no service and endpoint in \(request.uri.path)"))
        }
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.split(separator: ";").first.map({ $0.filter { $0 != " " } }) == "application/json" else {
            return Self.answer(
                error: ServiceError(.invalidArguments, "Content-Type must be application/json, not \(contentType.isEmpty ? "missing" : contentType)"),
                status: .unsupportedMediaType)
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maximumBodySize)
        } catch {
            return Self.answer(
                error: ServiceError(.invalidArguments, "the request body passed \(maximumBodySize) bytes"), status: .contentTooLarge)
        }
        let environment = runtime.environment
        let arguments: JSONValue, callContext: CallContext
        do {
            (arguments, callContext) = try RemoteCall.decode(try JSONValue(parsing: body.readableBytesView), environment: environment)
        } catch let error as ServiceError {
            return Self.answer(error: error)
        } catch {
            return Self.answer(error: ServiceError(.invalidArguments, "malformed remote call: the body is not JSON: \(error)"))
        }
        let local = runtime.local, node = runtime.node
        let what = "\(service).\(endpoint)"
        do {
            var limit = callContext.timeLimit
            if limit?.subject.isEmpty == true { limit?.subject = what }
            let result = try await withDeadline(limit, environment: environment) {
                try await local.call(node: node, service: service, endpoint: endpoint, request: arguments, context: callContext)
            }
            return Self.json(["result": result], status: .ok)
        } catch let exceeded as DeadlineExceeded {
            return Self.answer(error: ServiceError(.deadlineExceeded, exceeded.description, details: ["deadline": exceeded.jsonValue]))
        } catch let error as ServiceError {
            return Self.answer(error: error)
        } catch {
            return Self.answer(error: ServiceError(.handlerFailed, "\(what) failed: \(error)"))
        }
    }

    static func answer(error: ServiceError, status: HTTPResponse.Status? = nil) -> Response {
        json(["error": error.jsonValue], status: status ?? HTTPResponse.Status(code: RemoteCall.status(of: error.code)))
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.canonicalBytes())))
    }

    /// Origin and bearer-token checks before any route runs.
    struct Guard: RouterMiddleware {
        typealias Context = BasicRequestContext
        let token: String?

        func handle(
            _ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response
        ) async throws -> Response {
            if let origin = request.headers[.origin], !LoopbackGuard.isLoopback(origin: origin) {
                return RemoteServiceServer.answer(error: ServiceError(.rejected, "origin \(origin) is not allowed"), status: .forbidden)
            }
            if let token, !LoopbackGuard.sameSecret(request.headers[.authorization] ?? "", "Bearer \(token)") {
                var response = RemoteServiceServer.answer(
                    error: ServiceError(.rejected, "a bearer token is required"), status: .unauthorized)
                response.headers[.wwwAuthenticate] = "Bearer"
                return response
            }
            return try await next(request, context)
        }
    }
}
