import Micro

/// The wire form of one service call between processes (`POST <node>/micro/call/<service>/<endpoint>`,
/// canonical JSON both ways).
///
/// Request body: `{"request": <JSON>, "context": {"runId", "idempotencyKey", "caller", "metadata",
/// "deadline"?: {"kind", "atMs", "limitMs"?, "subject"}}}`. The deadline is wall time (milliseconds since
/// 1970), so both processes must run on live clocks.
///
/// Answer: `200 {"result": <JSON>}`, or a non-2xx status with `{"error": {"code", "message", "details"?}}` (a
/// ``ServiceError``'s ``ServiceError/jsonValue``).
enum RemoteCall {
    /// The path prefix every call goes to (``RemoteServiceServer``'s route).
    static let pathPrefix = "/micro/call"

    static func path(service: String, endpoint: String) -> String { "\(pathPrefix)/\(service)/\(endpoint)" }

    /// The body a client sends.
    static func requestBody(_ request: JSONValue, context: CallContext) -> JSONValue {
        var wire: [String: JSONValue] = [
            "runId": .string(context.runID), "idempotencyKey": .string(context.idempotencyKey),
            "caller": .string(context.caller), "metadata": .object(context.metadata.mapValues(JSONValue.string)),
        ]
        if let deadline = context.timeLimit { wire["deadline"] = deadline.jsonValue }
        return ["request": request, "context": .object(wire)]
    }

    /// What a server reads off a request body: the request and the caller's context (in `environment`).
    static func decode(_ body: JSONValue, environment: Environment) throws(ServiceError) -> (JSONValue, CallContext) {
        guard let object = body.objectValue else { throw invalid("the body is not a JSON object") }
        guard let request = object["request"] else { throw invalid("the body has no \"request\"") }
        guard let wire = object["context"]?.objectValue else { throw invalid("the body has no \"context\" object") }
        guard let runID = wire["runId"]?.stringValue, !runID.isEmpty else { throw invalid("context.runId is missing") }
        guard let key = wire["idempotencyKey"]?.stringValue, !key.isEmpty else {
            throw invalid("context.idempotencyKey is missing")
        }
        guard let caller = wire["caller"]?.stringValue else { throw invalid("context.caller is missing") }
        var metadata: [String: String] = [:]
        if let fields = wire["metadata"] {
            guard let fields = fields.objectValue else { throw invalid("context.metadata is not an object") }
            for (name, value) in fields {
                guard let text = value.stringValue else { throw invalid("context.metadata.\(name) is not a string") }
                metadata[name] = text
            }
        }
        var deadline: Deadline?
        if let value = wire["deadline"], value != .null { deadline = try self.deadline(value) }
        let context = CallContext(
            runID: runID, idempotencyKey: key, timeLimit: deadline, caller: caller, metadata: metadata,
            environment: environment)
        return (request, context)
    }

    /// Parses ``Deadline/jsonValue``.
    static func deadline(_ value: JSONValue) throws(ServiceError) -> Deadline {
        guard let kind = value["kind"]?.stringValue, let at = value["atMs"]?.intValue else {
            throw invalid("context.deadline needs kind and atMs")
        }
        var limit: Duration?
        if let ms = value["limitMs"], ms != .null {
            guard let ms = ms.intValue else { throw invalid("context.deadline.limitMs is not an integer") }
            limit = .milliseconds(ms)
        }
        return Deadline(
            Deadline.Kind(rawValue: kind), at: Timestamp(millisecondsSinceEpoch: Int64(at)), limit: limit,
            subject: value["subject"]?.stringValue ?? "")
    }

    /// The HTTP status a ``ServiceError`` is answered with.
    static func status(of code: ServiceError.Code) -> Int {
        switch code {
        case .notFound: 404
        case .invalidArguments: 400
        case .deadlineExceeded: 504
        case .unavailable, .unreachable: 503
        case .rejected, .conflict: 409
        default: 500
        }
    }

    private static func invalid(_ message: String) -> ServiceError {
        ServiceError(.invalidArguments, "malformed remote call: \(message)")
    }
}
