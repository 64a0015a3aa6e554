import ArgumentParser
import Foundation
import Micro
import Synchronization

/// Where commands write. Tests bind ``current`` to a capturing console to read what a command printed.
public final class Console: Sendable {
    private let captured = Mutex((standardOutput: "", standardError: ""))
    private let isCapturing: Bool

    private init(capturing: Bool) { isCapturing = capturing }

    /// Writes to the process's standard output and standard error.
    public static let standard = Console(capturing: false)

    /// Keeps everything written in memory.
    public static func capturing() -> Console { Console(capturing: true) }

    @TaskLocal public static var current: Console = .standard

    public func out(_ text: String) {
        if isCapturing {
            captured.withLock { $0.standardOutput += text + "\n" }
        } else {
            // Unbuffered, so a process reading a server's "serving on …" line through a pipe sees it at once.
            FileHandle.standardOutput.write(Data((text + "\n").utf8))
        }
    }

    public func err(_ text: String) {
        if isCapturing {
            captured.withLock { $0.standardError += text + "\n" }
        } else {
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }

    /// What was written to standard output (capturing consoles only).
    public var standardOutput: String { captured.withLock { $0.standardOutput } }
    /// What was written to standard error (capturing consoles only).
    public var standardError: String { captured.withLock { $0.standardError } }
}

extension Console {
    /// `--args` parsed as JSON; malformed JSON is reported with its line and column and exits 2.
    func arguments(_ text: String) throws -> JSONValue {
        do {
            return try JSONValue(parsing: text)
        } catch {
            err("error: --args is not valid JSON: \(error)")
            throw ExitCode(2)
        }
    }
}
