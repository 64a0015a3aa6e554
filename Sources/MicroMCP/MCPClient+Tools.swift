import Micro

extension MCPClient {
    /// The server's tools as ``Tool``s that forward calls to it, for ``Agent/extraTools`` next to service
    /// tools. Names get `prefix` (and characters providers refuse become `_`); a result flagged `isError`
    /// throws ``ServiceError`` (`handler_failed`) so the agent sees an error result. The result is the
    /// tool's `structuredContent`, else its text.
    public func agentTools(prefix: String = "") async throws -> [Tool] {
        try await listTools().map { info in
            let name = Self.toolName(prefix + info.name)
            let input = try (try? JSONSchema(info.inputSchema)) ?? JSONSchema(["type": "object"])
            let output = info.outputSchema.flatMap { try? JSONSchema($0) }
            let remote = info.name
            return Tool(
                spec: ToolSpec(name: name, description: info.description, inputSchema: input, outputSchema: output),
                handler: { [self] arguments, _ in
                    let result = try await callTool(remote, arguments: arguments)
                    if result.isError { throw ServiceError(.handlerFailed, "\(remote): \(result.text)") }
                    return result.structuredContent ?? .string(result.text)
                })
        }
    }

    static func toolName(_ name: String) -> String {
        let allowed = name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") ? $0 : "_" }
        return String(String(allowed).prefix(ToolNaming.maxLength))
    }
}
