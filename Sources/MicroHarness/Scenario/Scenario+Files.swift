import Foundation

extension Scenario {
    /// The scenario files (`*.yaml`, `*.yml`) under `folder`, recursively, as paths relative to it, sorted.
    /// Empty when `folder` does not exist.
    public static func files(under folder: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return [] }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            if relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") { files.append(relative) }
        }
        return files.sorted()
    }
}
