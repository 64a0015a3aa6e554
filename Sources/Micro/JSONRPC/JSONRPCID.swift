/// A JSON-RPC 2.0 request id: a string or an integer, echoed unchanged in the response.
public enum JSONRPCID: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case integer(Int)

    /// The id as JSON.
    public var json: JSONValue {
        switch self {
        case .string(let value): .string(value)
        case .integer(let value): .integer(value)
        }
    }

    /// The id in `value`, or nil when `value` is not a string or an integer.
    public init?(_ value: JSONValue) {
        switch value {
        case .string(let string): self = .string(string)
        case .integer(let integer): self = .integer(integer)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .string(let value): "\"\(value)\""
        case .integer(let value): String(value)
        }
    }
}
