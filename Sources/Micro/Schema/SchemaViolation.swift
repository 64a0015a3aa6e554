/// One way a JSON value fails a ``JSONSchema``: where, and what is wrong. `description` reads
/// `$.nights: expected integer, got string "two"`.
public struct SchemaViolation: Sendable, Hashable, CustomStringConvertible {
    /// A readable path to the offending value: `$` is the root, then `.member` / `["odd member"]` / `[index]`.
    public var path: String
    /// What is wrong, e.g. `expected integer, got string "two"` or `missing required property "city"`.
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
