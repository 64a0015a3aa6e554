import Foundation

/// A fresh directory under the system's temporary directory, removed after use.
struct TemporaryDirectory {
    let url: URL

    func file(_ name: String) -> String { url.appendingPathComponent(name).path }

    static func with<R>(_ body: (TemporaryDirectory) async throws -> R) async throws -> R {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("micro-sqlite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        return try await body(TemporaryDirectory(url: url))
    }
}
