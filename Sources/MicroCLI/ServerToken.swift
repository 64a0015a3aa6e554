import ArgumentParser
import Foundation

/// The bearer token a server command requires: from its flag, else its token file (kept off the command line),
/// else its environment variable; nil for none. An unreadable or empty token file is an error naming it.
enum ServerToken {
    static func resolve(
        flag: String? = nil, file: String?, variable: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> String? {
        if let flag { return flag }
        if let file {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ValidationError("cannot read the token file \(file)")
            }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw ValidationError("the token file \(file) is empty") }
            return trimmed
        }
        return environment[variable].flatMap { $0.isEmpty ? nil : $0 }
    }
}
