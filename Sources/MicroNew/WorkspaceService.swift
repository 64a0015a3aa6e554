import Micro

/// The `workspace` service: `write_file`, `read_file` and `list_files`, scoped to one ``Workspace`` (the
/// generated package's directory). Refusals come back to the model as tool errors carrying the
/// ``WorkspaceError`` code in their details.
public enum WorkspaceService {
    public static let name = "workspace"

    public struct WriteFile: Codable, Sendable, SchemaDescribing {
        public var path: String
        public var content: String
        public static var fieldDescriptions: [String: String] {
            ["path": "Relative to the package directory, e.g. Sources/App/Notes.swift.", "content": "The whole file."]
        }
    }

    public struct Written: Codable, Sendable, SchemaDescribing {
        public var path: String
        public var bytes: Int
    }

    public struct ReadFile: Codable, Sendable, SchemaDescribing {
        public var path: String
        public static var fieldDescriptions: [String: String] { ["path": "Relative to the package directory."] }
    }

    public struct FileText: Codable, Sendable, SchemaDescribing {
        public var path: String
        public var content: String
    }

    public struct ListFiles: Codable, Sendable, SchemaDescribing {
        public var path: String?
        public static var fieldDescriptions: [String: String] { ["path": "A folder relative to the package directory; omit for all."] }
    }

    public struct FileList: Codable, Sendable, SchemaDescribing {
        public var files: [String]
    }

    public static func service(_ workspace: Workspace) -> Service {
        Service(name, description: "The files of the package being generated (nothing outside it).") {
            Endpoint("write_file", description: "Write a whole file of the package, creating its folders.") {
                (request: WriteFile, _: CallContext) async throws -> Written in
                try mapped { try workspace.write(request.path, content: request.content) }
                return Written(path: request.path, bytes: request.content.utf8.count)
            }
            Endpoint("read_file", description: "Read a file of the package.") {
                (request: ReadFile, _: CallContext) async throws -> FileText in
                FileText(path: request.path, content: try mapped { try workspace.read(request.path) })
            }
            Endpoint("list_files", description: "List the package's files (build products left out).") {
                (request: ListFiles, _: CallContext) async throws -> FileList in
                FileList(files: try mapped { try workspace.list(request.path ?? "") })
            }
        }
    }

    /// Runs `body`, turning a ``WorkspaceError`` into the service error the model reads.
    static func mapped<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as WorkspaceError {
            let code: ServiceError.Code = switch error.code {
            case .notFound: .notFound
            case .ioFailed: .handlerFailed
            default: .rejected
            }
            throw ServiceError(code, error.description, details: ["code": .string(error.code.rawValue), "path": .string(error.path)])
        }
    }
}
