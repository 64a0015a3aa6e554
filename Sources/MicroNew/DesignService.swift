import Micro

/// The `design` service: `design_submit` takes the model's ``AppDesign`` (validated against its derived
/// schema by the toolset, then by ``AppDesign/validate()``), keeps it, and writes the files that follow from it
/// through the ``Workspace``. It answers with the files written and the logic files still to write.
public enum DesignService {
    public static let name = "design"
    /// The store namespace holding the accepted design.
    static let namespace = "micro-new"

    public struct Accepted: Codable, Sendable, SchemaDescribing {
        /// Files written from the design.
        public var written: [String]
        /// Files the model writes next, each with the declarations it must hold.
        public var toWrite: [LogicFile]
    }

    public struct LogicFile: Codable, Sendable, SchemaDescribing {
        public var path: String
        public var declarations: String
    }

    public static func service(name packageName: String, micro: MicroDependency, workspace: Workspace, store: any Store) -> Service {
        let submit = Endpoint(
            "submit",
            description: "Submit the design (services, endpoints with typed fields, agents, scenarios); "
                + "the files that follow from it are written and the logic files to write are returned.",
            request: AppDesign.self, response: Accepted.self
        ) { design, _ in
            try await accept(design, name: packageName, micro: micro, workspace: workspace, store: store)
        }
        return Service(name, description: "The design of the package being generated.", endpoints: [submit])
    }

    static func accept(_ design: AppDesign, name: String, micro: MicroDependency, workspace: Workspace, store: any Store) async throws -> Accepted {
        do {
            try design.validate()
        } catch {
            throw ServiceError(
                .invalidArguments, error.description,
                details: .array(error.problems.map { ["path": .string($0.path), "message": .string($0.message)] }))
        }
        try await StoreNamespace(store: store, name: namespace).write("design", design)
        let template = PackageTemplate(name: name, design: design, micro: micro)
        var written: [String] = []
        for file in template.files() {
            try WorkspaceService.mapped { try workspace.write(file.path, content: file.content) }
            written.append(file.path)
        }
        return Accepted(written: written, toWrite: template.logicFiles.map { LogicFile(path: $0.path, declarations: $0.declarations) })
    }

    /// The design accepted in `store`, if any.
    public static func accepted(in store: any Store) async throws -> AppDesign? {
        try await StoreNamespace(store: store, name: namespace).read("design", as: AppDesign.self)
    }
}
