/// A failed contract check: which check, what was expected, and where in the contract source.
public struct ContractViolation: Error, CustomStringConvertible {
    public var check: String
    public var message: String
    public var fileID: String
    public var line: Int

    public init(check: String, message: String, fileID: String = #fileID, line: Int = #line) {
        self.check = check
        self.message = message
        self.fileID = fileID
        self.line = line
    }

    public var description: String { "contract \(check) violated at \(fileID):\(line): \(message)" }
}
