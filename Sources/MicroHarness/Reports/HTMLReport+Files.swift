import Foundation

/// Writing a report's files failed: which file, and why.
public struct ReportWriteError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "cannot write \(path): \(message)" }
}

extension HTMLReport {
    /// Writes `index.html` and one page per scenario (named by ``fileNames(for:)``) into `directory`,
    /// creating it if needed and replacing files of the same names.
    public static func write(_ outcomes: [ScenarioOutcome], to directory: String) throws(ReportWriteError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ReportWriteError(path: directory, message: error.localizedDescription)
        }
        let folder = URL(fileURLWithPath: directory, isDirectory: true)
        var files = [("index.html", index(outcomes))]
        for (outcome, name) in zip(outcomes, fileNames(for: outcomes)) { files.append((name, page(for: outcome))) }
        for (name, text) in files {
            let url = folder.appendingPathComponent(name)
            do {
                try Data(text.utf8).write(to: url, options: .atomic)
            } catch {
                throw ReportWriteError(path: url.path, message: error.localizedDescription)
            }
        }
    }
}
