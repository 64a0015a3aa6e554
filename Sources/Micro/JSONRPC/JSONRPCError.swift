/// A JSON-RPC 2.0 error object: sent in an error response, and thrown by handlers to produce one.
public struct JSONRPCError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    /// Invalid JSON was received (-32700).
    public static func parseError(_ message: String) -> JSONRPCError { JSONRPCError(code: -32700, message: message) }
    /// The JSON is not a valid request object (-32600).
    public static func invalidRequest(_ message: String) -> JSONRPCError { JSONRPCError(code: -32600, message: message) }
    /// The method does not exist or is not available (-32601).
    public static func methodNotFound(_ method: String) -> JSONRPCError {
        JSONRPCError(code: -32601, message: "method not found: \(method)")
    }
    /// Invalid method parameters (-32602).
    public static func invalidParams(_ message: String, data: JSONValue? = nil) -> JSONRPCError {
        JSONRPCError(code: -32602, message: message, data: data)
    }
    /// An internal error (-32603).
    public static func internalError(_ message: String) -> JSONRPCError { JSONRPCError(code: -32603, message: message) }

    /// The error object as JSON.
    public var json: JSONValue {
        var object: [String: JSONValue] = ["code": .integer(code), "message": .string(message)]
        if let data { object["data"] = data }
        return .object(object)
    }

    public var description: String { "JSON-RPC error \(code): \(message)" }
}
