/// One JSON-RPC 2.0 message: a request (with an id), a notification (without) or a response.
///
/// Parsing is strict and never traps: whatever is wrong comes back as a ``JSONRPCError`` with the standard
/// code (-32700 for bytes that are not JSON, -32600 for JSON that is not a message) and a message naming the
/// field. Batches are not messages; callers that accept them split the array first.
public enum JSONRPCMessage: Sendable, Hashable {
    case request(id: JSONRPCID, method: String, params: JSONValue?)
    case notification(method: String, params: JSONValue?)
    case response(id: JSONRPCID?, result: Result<JSONValue, JSONRPCError>)

    /// Parses one message from UTF-8 bytes.
    public init(parsing bytes: some Collection<UInt8>) throws(JSONRPCError) {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            throw .parseError("invalid JSON at \(error)")
        }
        try self.init(value)
    }

    /// Reads one message from a parsed JSON value.
    public init(_ value: JSONValue) throws(JSONRPCError) {
        guard case .object(let object) = value else {
            throw .invalidRequest("a JSON-RPC message must be an object, not \(value.typeName)")
        }
        guard object["jsonrpc"] == .string("2.0") else {
            throw .invalidRequest("field jsonrpc must be \"2.0\"")
        }
        let rawID = object["id"]
        if let method = object["method"] {
            guard case .string(let name) = method else {
                throw .invalidRequest("field method must be a string, not \(method.typeName)")
            }
            let params = object["params"]
            if let params, params.objectValue == nil, params.arrayValue == nil {
                throw .invalidRequest("field params must be an object or an array, not \(params.typeName)")
            }
            guard let rawID else {
                self = .notification(method: name, params: params)
                return
            }
            guard let id = JSONRPCID(rawID) else {
                throw .invalidRequest("field id must be a string or an integer, not \(rawID.typeName)")
            }
            self = .request(id: id, method: name, params: params)
            return
        }
        let id: JSONRPCID?
        switch rawID {
        case .none: throw .invalidRequest("a message needs a method (request) or an id (response)")
        case .null?: id = nil
        case let raw?:
            guard let parsed = JSONRPCID(raw) else {
                throw .invalidRequest("field id must be a string or an integer, not \(raw.typeName)")
            }
            id = parsed
        }
        switch (object["result"], object["error"]) {
        case (let result?, nil):
            self = .response(id: id, result: .success(result))
        case (nil, .object(let error)?):
            guard let code = error["code"]?.intValue, let message = error["message"]?.stringValue else {
                throw .invalidRequest("field error needs an integer code and a string message")
            }
            self = .response(id: id, result: .failure(JSONRPCError(code: code, message: message, data: error["data"])))
        default:
            throw .invalidRequest("a response needs exactly one of result and error (an object)")
        }
    }

    /// A success response to `id`.
    public static func result(_ result: JSONValue, id: JSONRPCID) -> JSONRPCMessage {
        .response(id: id, result: .success(result))
    }

    /// An error response; `id` is nil when the request's id could not be read.
    public static func error(_ error: JSONRPCError, id: JSONRPCID?) -> JSONRPCMessage {
        .response(id: id, result: .failure(error))
    }

    /// The message as JSON (write it with `canonicalBytes()`).
    public var json: JSONValue {
        var object: [String: JSONValue] = ["jsonrpc": "2.0"]
        switch self {
        case .request(let id, let method, let params):
            object["id"] = id.json
            object["method"] = .string(method)
            if let params { object["params"] = params }
        case .notification(let method, let params):
            object["method"] = .string(method)
            if let params { object["params"] = params }
        case .response(let id, let result):
            object["id"] = id?.json ?? .null
            switch result {
            case .success(let value): object["result"] = value
            case .failure(let error): object["error"] = error.json
            }
        }
        return .object(object)
    }
}
