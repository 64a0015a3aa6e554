import Foundation
import Micro

/// One compiler diagnostic, as `swift build` prints it: `FILE:LINE:COLUMN: error: MESSAGE`.
public struct SwiftDiagnostic: Codable, Sendable, Hashable, SchemaDescribing, CustomStringConvertible {
    /// Relative to the package directory when inside it, else as printed.
    public var file: String
    public var line: Int
    public var column: Int
    /// `error` or `warning`.
    public var severity: String
    public var message: String

    public init(file: String, line: Int, column: Int, severity: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.severity = severity
        self.message = message
    }

    public var description: String { "\(file):\(line):\(column): \(severity): \(message)" }

    /// The errors and warnings in `output`, each once, in the order first printed; paths under `root` made
    /// relative to it. Notes, source excerpts and progress lines are skipped.
    public static func parse(_ output: String, root: String) -> [SwiftDiagnostic] {
        var found: [SwiftDiagnostic] = []
        var seen: Set<SwiftDiagnostic> = []
        for line in output.split(whereSeparator: \.isNewline) {
            guard let diagnostic = parseLine(Substring(line), root: root), seen.insert(diagnostic).inserted else { continue }
            found.append(diagnostic)
        }
        return found
    }

    static func parseLine(_ line: Substring, root: String) -> SwiftDiagnostic? {
        for severity in ["error", "warning"] {
            guard let marker = line.range(of: ": \(severity): ") else { continue }
            let location = line[..<marker.lowerBound].split(separator: ":", omittingEmptySubsequences: false)
            guard location.count >= 3, let lineNumber = Int(location[location.count - 2]), let column = Int(location[location.count - 1]),
                lineNumber > 0
            else { continue }
            var file = location.dropLast(2).joined(separator: ":")
            if file.hasPrefix(root + "/") { file = String(file.dropFirst(root.count + 1)) }
            let message = line[marker.upperBound...].trimmingCharacters(in: .whitespaces)
            guard !file.isEmpty, !message.isEmpty else { continue }
            return SwiftDiagnostic(file: file, line: lineNumber, column: column, severity: severity, message: message)
        }
        return nil
    }
}
