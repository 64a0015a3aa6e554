import Micro

extension JSONRPCError {
    /// No task with this id (-32001).
    public static func taskNotFound(_ id: String) -> JSONRPCError {
        a2a(-32001, "TASK_NOT_FOUND", "task not found: \(id)", ["taskId": .string(id)])
    }
    /// The task is finished and cannot be canceled (-32002).
    public static func taskNotCancelable(_ id: String, state: A2ATaskState) -> JSONRPCError {
        a2a(-32002, "TASK_NOT_CANCELABLE", "task \(id) cannot be canceled: it is \(state.rawValue)", ["taskId": .string(id)])
    }
    /// The agent does not take push notification configs (-32003).
    public static func pushNotificationNotSupported() -> JSONRPCError {
        a2a(-32003, "PUSH_NOTIFICATION_NOT_SUPPORTED", "push notifications are not supported by this agent")
    }
    /// The operation is not supported, such as a message to a finished task (-32004).
    public static func unsupportedOperation(_ message: String) -> JSONRPCError {
        a2a(-32004, "UNSUPPORTED_OPERATION", message)
    }
    /// The request's content type is not JSON (-32005).
    public static func contentTypeNotSupported(_ message: String) -> JSONRPCError {
        a2a(-32005, "CONTENT_TYPE_NOT_SUPPORTED", message)
    }
    /// The agent has no extended card (-32007).
    public static func extendedAgentCardNotConfigured() -> JSONRPCError {
        a2a(-32007, "EXTENDED_AGENT_CARD_NOT_CONFIGURED", "this agent has no extended card")
    }
    /// The `A2A-Version` the request named is not served for this method (-32009).
    public static func versionNotSupported(_ message: String) -> JSONRPCError {
        a2a(-32009, "VERSION_NOT_SUPPORTED", message)
    }

    /// The domain of the `ErrorInfo` details of A2A errors.
    public static let a2aErrorDomain = "a2a-protocol.org"

    /// An A2A error: its code and message, and `data` holding one `google.rpc.ErrorInfo` (`reason`, `domain`,
    /// `metadata`), as A2A 1.0 details errors.
    static func a2a(_ code: Int, _ reason: String, _ message: String, _ metadata: [String: JSONValue] = [:]) -> JSONRPCError {
        var info: [String: JSONValue] = [
            "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": .string(reason), "domain": .string(a2aErrorDomain),
        ]
        if !metadata.isEmpty { info["metadata"] = .object(metadata) }
        return JSONRPCError(code: code, message: message, data: [.object(info)])
    }
}
