import HTTPTypes
import Hummingbird
import Micro
import NIOCore

/// The A2A 1.0 HTTP+JSON binding beside JSON-RPC: the same operations at resource URLs (``A2ARestRoute``),
/// bodies and results in ProtoJSON without an envelope, streams as SSE whose `data` is a bare
/// `StreamResponse`, and errors in the AIP-193 shape (`{"error": {code, status, message, details}}`) with the
/// A2A `ErrorInfo` in `details` and the HTTP status the specification maps each error to.
extension A2AResponder {
    func rest(_ request: Request, path: String) async -> Response {
        let route: A2ARestRoute
        switch A2ARestRoute.match(request.method, path) {
        case .success(let matched): route = matched
        case .failure(.notFound):
            return Self.restError(JSONRPCError(code: -32601, message: "no A2A operation at \(path)"))
        case .failure(.methodNotAllowed(let allowed)):
            var response = Self.restError(
                JSONRPCError(code: -32601, message: "\(request.method.rawValue) \(path) is not an operation; use \(allowed)"),
                status: (.methodNotAllowed, "UNIMPLEMENTED"))
            response.headers[HTTPField.Name("Allow")!] = allowed
            return response
        }
        // The binding is 1.0's: no header means 1.0; any other version is refused.
        if let header = request.headers[Self.versionHeader], !header.trimmingCharacters(in: .whitespaces).isEmpty,
            A2AVersion(header: header) != .v1_0
        {
            return Self.restError(.versionNotSupported("A2A-Version \(header) is not served over HTTP+JSON; use 1.0"))
        }
        do {
            let outcome: Outcome
            switch route {
            case .pushConfigs: throw JSONRPCError.pushNotificationNotSupported()
            case .extendedCard: throw JSONRPCError.extendedAgentCardNotConfigured()
            case .send, .stream:
                guard Self.isJSON(request.headers[.contentType]) else {
                    throw JSONRPCError.contentTypeNotSupported(Self.contentTypeMessage(request.headers[.contentType]))
                }
                let body = try await Self.jsonBody(request, limit: server.maximumBodySize)
                outcome = try await perform(route == .send ? .send : .stream, body, version: .v1_0)
            case .get(let id):
                var params: [String: JSONValue] = ["id": .string(id)]
                params["historyLength"] = try Self.query(request, "historyLength", as: .integer)
                outcome = try await perform(.get, .object(params), version: .v1_0)
            case .list:
                var params: [String: JSONValue] = [:]
                for (name, kind) in Self.listQuery { params[name] = try Self.query(request, name, as: kind) }
                outcome = try await perform(.list, .object(params), version: .v1_0)
            case .cancel(let id):
                outcome = try await perform(.cancel, ["id": .string(id)], version: .v1_0)
            case .subscribe(let id):
                outcome = try await perform(.subscribe, ["id": .string(id)], version: .v1_0)
            }
            switch outcome {
            case .value(let value): return Self.json(.ok, value)
            case .stream(let first, let updates): return Self.sse(first: first, updates: updates) { A2AWire.encode($0, .v1_0) }
            }
        } catch let error as JSONRPCError {
            return Self.restError(error)
        } catch is BodyTooLarge {
            return Self.restError(.invalidRequest("the request body passed \(server.maximumBodySize) bytes"), status: (.contentTooLarge, "INVALID_ARGUMENT"))
        } catch {
            core.logger.error("A2A \(request.method.rawValue) \(path) failed: \(error)")
            return Self.restError(.internalError("\(request.method.rawValue) \(path) failed: \(error)"))
        }
    }

    private struct BodyTooLarge: Error {}

    private enum QueryKind { case integer, boolean, string }

    /// The query parameters of `GET /tasks`, camelCase as the binding names them.
    private static let listQuery: [(String, QueryKind)] = [
        ("contextId", .string), ("status", .string), ("pageSize", .integer), ("pageToken", .string),
        ("historyLength", .integer), ("includeArtifacts", .boolean), ("statusTimestampAfter", .string),
    ]

    /// A query parameter as the JSON value the operation reads, nil when absent.
    private static func query(_ request: Request, _ name: String, as kind: QueryKind) throws(JSONRPCError) -> JSONValue? {
        guard let raw = request.uri.queryParameters.get(name) else { return nil }
        switch kind {
        case .string: return .string(raw)
        case .integer:
            guard let int = Int(raw) else { throw .invalidParams("query parameter \(name) must be an integer, not \(raw)") }
            return .integer(int)
        case .boolean:
            guard let bool = Bool(raw.lowercased()) else { throw .invalidParams("query parameter \(name) must be true or false, not \(raw)") }
            return .bool(bool)
        }
    }

    /// The request body as a JSON object.
    private static func jsonBody(_ request: Request, limit: Int) async throws -> JSONValue {
        let bytes: [UInt8]
        do {
            bytes = Array(buffer: try await request.body.collect(upTo: limit))
        } catch {
            throw BodyTooLarge()
        }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            throw JSONRPCError.parseError("the request body is not JSON: \(error)")
        }
        guard value.objectValue != nil else { throw JSONRPCError.invalidParams("the request body must be a JSON object, not \(value.typeName)") }
        return value
    }

    /// An error in the AIP-193 shape, with the HTTP status and gRPC status name A2A maps its code to.
    static func restError(_ error: JSONRPCError, status override: (HTTPResponse.Status, String)? = nil) -> Response {
        let (status, name) = override ?? restStatus(of: error.code)
        let details = error.data?.arrayValue?.filter { $0["@type"] != nil } ?? []
        let body: JSONValue = [
            "error": [
                "code": .integer(status.code), "status": .string(name), "message": .string(error.message),
                "details": .array(details),
            ]
        ]
        return json(status, body)
    }

    /// The HTTP status and gRPC status name of a JSON-RPC/A2A error code (A2A 1.0, section 5.4).
    static func restStatus(of code: Int) -> (HTTPResponse.Status, String) {
        switch code {
        case -32001: (.notFound, "NOT_FOUND")
        case -32002: (.conflict, "FAILED_PRECONDITION")
        case -32003, -32004, -32009: (.badRequest, "UNIMPLEMENTED")
        case -32005: (.unsupportedMediaType, "INVALID_ARGUMENT")
        case -32006: (.badGateway, "INTERNAL")
        case -32007, -32008: (.badRequest, "FAILED_PRECONDITION")
        case -32601: (.notFound, "NOT_FOUND")
        case -32600, -32602, -32700: (.badRequest, "INVALID_ARGUMENT")
        default: (.internalServerError, "INTERNAL")
        }
    }
}
