import Micro

extension JSONRPCError {
    /// No task with this id (-32001).
    public static func taskNotFound(_ id: String) -> JSONRPCError {
        JSONRPCError(code: -32001, message: "task not found: \(id)")
    }
    /// The task is finished and cannot be canceled (-32002).
    public static func taskNotCancelable(_ id: String, state: A2ATaskState) -> JSONRPCError {
        JSONRPCError(code: -32002, message: "task \(id) cannot be canceled: it is \(state.rawValue)")
    }
    /// The operation is not supported, such as a message to a finished task (-32004).
    public static func unsupportedOperation(_ message: String) -> JSONRPCError {
        JSONRPCError(code: -32004, message: message)
    }
    /// The `A2A-Version` the request named is not served for this method (-32009).
    public static func versionNotSupported(_ message: String) -> JSONRPCError {
        JSONRPCError(code: -32009, message: message)
    }
}
