/// A set of tools with unique names, callable by name with JSON arguments.
///
/// ``call(_:arguments:context:)`` never throws for tool failures: invalid arguments (every schema violation
/// with its JSON path), unknown tools (with the nearest names), handler errors and a passed deadline
/// (``CallContext/timeLimit``; the handler is cancelled, the error's `details.deadline` says which deadline)
/// come back as ``ToolResult`` with `isError`, for the model to read and correct. Only cancellation propagates.
public struct Toolset: Sendable {
    private let byName: [String: Tool]
    /// The tools, sorted by name.
    public let tools: [Tool]

    /// A toolset of `tools`; throws ``ServiceError/Code/conflict`` if two share a name.
    public init(_ tools: [Tool]) throws {
        var byName: [String: Tool] = [:]
        for tool in tools {
            if let other = byName[tool.name] {
                throw ServiceError(
                    .conflict,
                    "two tools are named \(tool.name) (\(other.target?.description ?? "free-standing") and "
                        + "\(tool.target?.description ?? "free-standing"))")
            }
            byName[tool.name] = tool
        }
        self.byName = byName
        self.tools = byName.values.sorted { $0.name < $1.name }
    }

    /// One tool per endpoint of every registered service in `scope`, calling through `client`.
    /// Throws ``ServiceError/Code/notFound`` when the scope names a service that is not registered.
    public static func services(registry: any Registry, client: Client, scope: ToolScope = .all) async throws -> Toolset {
        var records: [ServiceRecord] = []
        switch scope {
        case .all:
            records = try await registry.listServices()
        case .services(let names):
            for name in Set(names).sorted() {
                let found = try await registry.getService(name)
                guard let first = found.first else {
                    throw ServiceError(.notFound, "tool scope names service \(name), which is not registered")
                }
                records.append(first)
            }
        }
        var endpoints: [ToolTarget: EndpointRecord] = [:]
        for record in records.sorted(by: { $0.name < $1.name }) {
            for endpoint in record.endpoints {
                let target = ToolTarget(service: record.name, endpoint: endpoint.name)
                if endpoints[target] == nil { endpoints[target] = endpoint }  // first version listed wins
            }
        }
        let names = try ToolNaming.assign(Array(endpoints.keys))
        let tools = try endpoints.map { target, endpoint in
            Tool(
                spec: ToolSpec(
                    name: names[target]!, description: endpoint.description,
                    inputSchema: try JSONSchema(endpoint.requestSchema),
                    outputSchema: try JSONSchema(endpoint.responseSchema)),
                target: target,
                handler: { arguments, context in
                    try await client.call(target.service, target.endpoint, request: arguments, context: context)
                })
        }
        return try Toolset(tools)
    }

    /// This toolset plus `extra` tools; throws on a name clash.
    public func adding(_ extra: [Tool]) throws -> Toolset { try Toolset(tools + extra) }

    /// The specs to send to a model, sorted by name.
    public var specs: [ToolSpec] { tools.map(\.spec) }

    public func tool(named name: String) -> Tool? { byName[name] }

    /// The tool that stands for `service`.`endpoint`, if any.
    public func tool(for target: ToolTarget) -> Tool? { tools.first { $0.target == target } }

    /// Validates `arguments`, runs the tool and returns its result or a structured error result.
    public func call(_ name: String, arguments: JSONValue, context: CallContext) async throws -> ToolResult {
        guard let tool = byName[name] else {
            let near = nearestNames(to: name)
            let hint = near.isEmpty ? "" : "; did you mean \(near.joined(separator: ", "))?"
            return .failure(ServiceError(
                .notFound, "no tool named \(name)\(hint)", details: ["suggestions": .array(near.map(JSONValue.string))]))
        }
        let violations = tool.spec.inputSchema.validate(arguments)
        guard violations.isEmpty else {
            return .failure(ServiceError(
                .invalidArguments,
                "arguments of \(name) do not match its schema: "
                    + violations.map(\.description).joined(separator: "; "),
                details: ["violations": .array(violations.map { ["path": .string($0.path), "message": .string($0.message)] })]))
        }
        do {
            // The deadline cancels a handler still running when it passes (the handler sees the cancellation).
            let content = try await withDeadline(context.timeLimit(naming: "tool \(name)"), environment: context.environment) {
                try await tool.invoke(arguments, context)
            }
            return ToolResult(content: content)
        } catch let exceeded as DeadlineExceeded {
            return .failure(ServiceError(.deadlineExceeded, exceeded.description, details: ["deadline": exceeded.jsonValue]))
        } catch let error as ServiceError {
            return .failure(error)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            return .failure(ServiceError(.handlerFailed, "\(name) failed: \(error)"))
        }
    }

    /// Up to three tool names closest to `name` (edit distance, then shared substrings), best first.
    public func nearestNames(to name: String, limit: Int = 3) -> [String] {
        NearestNames.of(name, among: byName.keys, limit: limit)
    }
}
