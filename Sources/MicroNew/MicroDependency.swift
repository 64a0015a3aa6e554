import Foundation

/// Where the generated package gets Micro from: this repository by path when `micro new` runs inside it,
/// else the published package by URL and version.
public enum MicroDependency: Codable, Sendable, Hashable {
    case path(String)
    case url(String, version: String)

    /// The published package, for a `micro new` run outside this repository.
    public static let published = MicroDependency.url("https://github.com/micro/micro-swift.git", version: "0.1.0")

    /// `.path` relative to `directory` when `directory` (or the working directory) lies inside a checkout of
    /// Micro, else ``published``.
    public static func detect(for directory: String, from start: String = FileManager.default.currentDirectoryPath) -> MicroDependency {
        var candidate = URL(fileURLWithPath: start).standardizedFileURL
        while true {
            if isMicroCheckout(candidate.path) {
                return .path(relativePath(from: directory, to: candidate.path))
            }
            let parent = candidate.deletingLastPathComponent()
            if parent.path == candidate.path { return .published }
            candidate = parent
        }
    }

    /// Whether `folder` holds Micro's own Package.swift.
    static func isMicroCheckout(_ folder: String) -> Bool {
        guard let manifest = FileManager.default.contents(atPath: folder + "/Package.swift") else { return false }
        return String(decoding: manifest, as: UTF8.self).contains("name: \"Micro\"")
            && FileManager.default.fileExists(atPath: folder + "/Sources/MicroCLI")
    }

    /// `to` as a path relative to `from` (both absolute or both relative to the working directory).
    public static func relativePath(from: String, to: String) -> String {
        let source = URL(fileURLWithPath: from).standardizedFileURL.pathComponents
        let target = URL(fileURLWithPath: to).standardizedFileURL.pathComponents
        var common = 0
        while common < min(source.count, target.count), source[common] == target[common] { common += 1 }
        let ups = Array(repeating: "..", count: source.count - common)
        let path = (ups + target[common...]).joined(separator: "/")
        return path.isEmpty ? "." : path
    }

    /// The `dependencies:` entry and the package name products refer to.
    var manifestEntry: (dependency: String, package: String) {
        switch self {
        case .path(let path):
            return (".package(name: \"Micro\", path: \(SwiftSource.literal(path)))", "Micro")
        case .url(let url, let version):
            var identity = URL(string: url)?.lastPathComponent ?? "micro"
            if identity.hasSuffix(".git") { identity.removeLast(4) }
            return (".package(url: \(SwiftSource.literal(url)), from: \(SwiftSource.literal(version)))", identity.lowercased())
        }
    }
}

/// Spelling values in generated Swift source.
enum SwiftSource {
    /// `text` as a Swift string literal.
    static func literal(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
