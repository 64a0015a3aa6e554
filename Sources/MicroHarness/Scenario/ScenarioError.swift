/// What is wrong with a scenario file, and where: the file, the line and the field.
public struct ScenarioError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// 1-based; 0 when the problem is not tied to a line.
    public var line: Int
    /// The field's path in the document, such as `agents[0].model.cassette`; empty for the whole file.
    public var field: String
    public var message: String

    public init(file: String, line: Int, field: String, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String {
        var text = file
        if line > 0 { text += ":\(line)" }
        if !field.isEmpty { text += ": \(field)" }
        return text + ": \(message)"
    }
}
