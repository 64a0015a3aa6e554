import Foundation

/// A directory that tools may write, read and list in, and nowhere else: relative paths only, no `..` out
/// of it, no symbolic link (on any component) leading out of it. Every refusal is a ``WorkspaceError``
/// naming the path, before anything is touched.
public struct Workspace: Sendable {
    /// The directory, absolute and with symbolic links resolved.
    public let root: String
    /// The largest file written or read.
    public var maximumFileSize = 1 << 20

    /// Opens `directory`, creating it when missing.
    public init(directory: String) throws(WorkspaceError) {
        let absolute = directory.hasPrefix("/") ? directory : FileManager.default.currentDirectoryPath + "/" + directory
        do {
            try FileManager.default.createDirectory(atPath: absolute, withIntermediateDirectories: true)
        } catch {
            throw WorkspaceError(.ioFailed, path: directory, "cannot create the directory: \(error.localizedDescription)")
        }
        guard let real = Self.realPath(absolute) else {
            throw WorkspaceError(.ioFailed, path: directory, "cannot resolve the directory")
        }
        root = real
    }

    /// The absolute location of `path`, after checking that it stays inside ``root``.
    public func resolve(_ path: String) throws(WorkspaceError) -> String {
        if path.isEmpty || path.contains("\0") { throw WorkspaceError(.invalidPath, path: path, "an empty path or one with NUL") }
        if path.hasPrefix("/") || path.hasPrefix("~") {
            throw WorkspaceError(.absolutePath, path: path, "paths are relative to the package directory")
        }
        var components: [Substring] = []
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..":
                if components.isEmpty { throw WorkspaceError(.escapesRoot, path: path, "\"..\" leads out of the package directory") }
                components.removeLast()
            default: components.append(component)
            }
        }
        if components.isEmpty { return root }
        // Every existing prefix that is a symbolic link must resolve inside the root.
        var current = root
        for component in components {
            current += "/" + component
            var info = stat()
            guard lstat(current, &info) == 0 else { continue }  // not there (yet): nothing below it is either
            if (info.st_mode & mode_t(S_IFMT)) == mode_t(S_IFLNK) {
                guard let target = Self.realPath(current), target == root || target.hasPrefix(root + "/") else {
                    throw WorkspaceError(.symlinkEscapes, path: path, "\(current.dropFirst(root.count + 1)) is a symbolic link out of the package directory")
                }
            }
        }
        return current
    }

    /// Writes `content` to `path`, creating the folders it needs.
    public func write(_ path: String, content: String) throws(WorkspaceError) {
        let location = try resolve(path)
        if location == root { throw WorkspaceError(.isDirectory, path: path, "the package directory itself is not a file") }
        if content.utf8.count > maximumFileSize {
            throw WorkspaceError(.tooLarge, path: path, "\(content.utf8.count) bytes; at most \(maximumFileSize)")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: location, isDirectory: &isDirectory), isDirectory.boolValue {
            throw WorkspaceError(.isDirectory, path: path, "a directory is there")
        }
        do {
            try FileManager.default.createDirectory(
                atPath: (location as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(content.utf8).write(to: URL(fileURLWithPath: location), options: .atomic)
        } catch {
            throw WorkspaceError(.ioFailed, path: path, "cannot write: \(error.localizedDescription)")
        }
    }

    /// The text of the file at `path`.
    public func read(_ path: String) throws(WorkspaceError) -> String {
        let location = try resolve(path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: location, isDirectory: &isDirectory) else {
            throw WorkspaceError(.notFound, path: path, "no such file")
        }
        if isDirectory.boolValue { throw WorkspaceError(.isDirectory, path: path, "a directory, not a file") }
        guard let data = FileManager.default.contents(atPath: location) else {
            throw WorkspaceError(.ioFailed, path: path, "cannot read")
        }
        if data.count > maximumFileSize { throw WorkspaceError(.tooLarge, path: path, "\(data.count) bytes; at most \(maximumFileSize)") }
        guard let text = String(data: data, encoding: .utf8) else { throw WorkspaceError(.notText, path: path, "not UTF-8 text") }
        return text
    }

    /// The files under `path` (the whole package when empty), relative to the root, sorted; build products
    /// (`.build`, `.swiftpm`) are left out and symbolic links are not followed.
    public func list(_ path: String = "") throws(WorkspaceError) -> [String] {
        let start = path.isEmpty ? root : try resolve(path)
        var files: [String] = []
        func walk(_ directory: String) {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
            for name in names.sorted() where name != ".build" && name != ".swiftpm" {
                let full = directory + "/" + name
                var info = stat()
                guard lstat(full, &info) == 0 else { continue }
                let kind = info.st_mode & mode_t(S_IFMT)
                if kind == mode_t(S_IFDIR) {
                    walk(full)
                } else if kind == mode_t(S_IFREG) {
                    files.append(String(full.dropFirst(root.count + 1)))
                }
            }
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: start, isDirectory: &isDirectory) else {
            throw WorkspaceError(.notFound, path: path, "no such directory")
        }
        guard isDirectory.boolValue else { throw WorkspaceError(.notDirectory, path: path, "a file, not a directory") }
        walk(start)
        return files.sorted()
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// A workspace operation refused or failed, with the path as the caller gave it.
public struct WorkspaceError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }
        public static let invalidPath = Code(rawValue: "invalid_path")
        public static let absolutePath = Code(rawValue: "absolute_path")
        public static let escapesRoot = Code(rawValue: "escapes_root")
        public static let symlinkEscapes = Code(rawValue: "symlink_escapes")
        public static let notFound = Code(rawValue: "not_found")
        public static let isDirectory = Code(rawValue: "is_directory")
        public static let notDirectory = Code(rawValue: "not_directory")
        public static let tooLarge = Code(rawValue: "too_large")
        public static let notText = Code(rawValue: "not_text")
        public static let ioFailed = Code(rawValue: "io_failed")
    }

    public var code: Code
    public var path: String
    public var message: String

    public init(_ code: Code, path: String, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { "\(code): \(path): \(message)" }
}
