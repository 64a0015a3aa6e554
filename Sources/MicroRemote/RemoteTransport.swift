import Micro
import MicroProviders

/// Calls services that another process serves over HTTP (``RemoteServiceServer``): claims nodes whose address
/// is `http://…` or `https://…`, and sends each call with its run id, idempotency key, caller, metadata and
/// deadline (``CallContext/timeLimit``, as wall time) on an ``HTTPTransport`` (libcurl's by default).
///
/// Failures are ``ServiceError``s a ``Client`` and a ``Toolset`` pass on as they are:
/// - ``ServiceError/Code/unreachable``: the node could not be reached or broke the connection (its address
///   in `details.address`);
/// - ``ServiceError/Code/deadlineExceeded``: the call's deadline passed before the answer (the request is
///   given the time left as its transfer timeout), or had passed before it was sent;
/// - ``ServiceError/Code/badResponse``: the answer is not JSON, has neither `result` nor `error`, or passed
///   ``maximumResponseSize`` (its HTTP status in `details.status`);
/// - the serving process's own error (`not_found`, `invalid_arguments`, `handler_failed`, …) as it sent it.
public struct RemoteTransport: ServiceTransport {
    public let http: any HTTPTransport
    /// Sent as `Authorization: Bearer <token>` when set.
    public var token: String?
    public var maximumResponseSize: Int

    public init(http: any HTTPTransport = CurlTransport(), token: String? = nil, maximumResponseSize: Int = 16 << 20) {
        self.http = http
        self.token = token
        self.maximumResponseSize = maximumResponseSize
    }

    public func canReach(_ node: NodeRecord) -> Bool {
        node.address.hasPrefix("http://") || node.address.hasPrefix("https://")
    }

    public func call(
        node: NodeRecord, service: String, endpoint: String, request: JSONValue, context: CallContext
    ) async throws -> JSONValue {
        let base = node.address.hasSuffix("/") ? String(node.address.dropLast()) : node.address
        let url = base + RemoteCall.path(service: service, endpoint: endpoint)
        let what = "\(service).\(endpoint) at \(node.address)"
        var timeout: Duration?
        if let limit = context.timeLimit {
            let now = context.environment.now()
            guard now < limit.at else {
                let exceeded = DeadlineExceeded(limit, at: now, cancelledInFlight: false)
                throw ServiceError(.deadlineExceeded, "\(what): \(exceeded)", details: ["deadline": exceeded.jsonValue])
            }
            timeout = limit.at.duration(since: now)
        }
        var headers = [(name: "Content-Type", value: "application/json"), (name: "Accept", value: "application/json")]
        if let token { headers.append((name: "Authorization", value: "Bearer \(token)")) }
        let body = RemoteCall.requestBody(request, context: context).canonicalBytes()
        let answer: HTTPResponse
        let bytes: [UInt8]
        do {
            answer = try await http.send(HTTPRequest(method: "POST", url: url, headers: headers, body: body, timeout: timeout))
            bytes = try await answer.collectBody(limit: maximumResponseSize)
        } catch let error as HTTPError {
            throw Self.failure(error, what: what, address: node.address, context: context)
        }
        return try Self.decode(bytes, status: answer.status, what: what)
    }

    /// An HTTP failure as a ``ServiceError``.
    static func failure(_ error: HTTPError, what: String, address: String, context: CallContext) -> any Error {
        switch error.code {
        case .timedOut:
            if let limit = context.timeLimit {
                let exceeded = DeadlineExceeded(limit, at: context.environment.now(), cancelledInFlight: true)
                return ServiceError(.deadlineExceeded, "\(what): \(exceeded)", details: ["deadline": exceeded.jsonValue])
            }
            return ServiceError(.unreachable, "\(what) did not answer in time: \(error.message)", details: ["address": .string(address)])
        case .cancelled:
            return CancellationError()
        case .bodyTooLarge:
            return ServiceError(.badResponse, "\(what) answered with more than the allowed bytes: \(error.message)")
        default:
            return ServiceError(.unreachable, "\(what) is unreachable: \(error)", details: ["address": .string(address)])
        }
    }

    /// The result in an answer, or the error it carries.
    static func decode(_ bytes: [UInt8], status: Int, what: String) throws -> JSONValue {
        let bad = { (why: String) in
            ServiceError(.badResponse, "\(what) answered HTTP \(status) \(why)", details: ["status": .integer(status)])
        }
        let json: JSONValue
        do {
            json = try JSONValue(parsing: bytes)
        } catch {
            let text = String(decoding: bytes.prefix(200), as: UTF8.self)
            throw bad("with a body that is not JSON (\(error)): \(text)")
        }
        if (200..<300).contains(status), let result = json["result"] { return result }
        if let error = json["error"] {
            guard let code = error["code"]?.stringValue, let message = error["message"]?.stringValue else {
                throw bad("with an error that lacks code or message: \(json.canonicalString().prefix(200))")
            }
            let details = error["details"].flatMap { $0 == .null ? nil : $0 }
            throw ServiceError(ServiceError.Code(rawValue: code), message, details: details)
        }
        throw bad("with neither result nor error: \(json.canonicalString().prefix(200))")
    }
}
