import Micro
import Synchronization

/// A client of one MCP server, over any ``MCPClientTransport``.
///
/// ``connect()`` settles the protocol era: ``Mode/legacy`` runs the `initialize` handshake;
/// ``Mode/modern`` sends every request with a 2026-07-28 `_meta` envelope; ``Mode/auto`` (the default)
/// probes `server/discover` and falls back to the handshake when the server does not answer it.
/// ``agentTools(prefix:)`` turns the server's tools into ``Tool``s an ``Agent`` can use next to service tools.
public final class MCPClient: Sendable {
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        case legacy, modern, auto
    }

    /// A tool as the server lists it.
    public struct ToolInfo: Sendable, Hashable {
        public var name: String
        public var description: String
        public var inputSchema: JSONValue
        public var outputSchema: JSONValue?

        /// `{name, description, inputSchema, outputSchema?}`.
        public var json: JSONValue {
            var object: [String: JSONValue] = [
                "name": .string(name), "description": .string(description), "inputSchema": inputSchema,
            ]
            if let outputSchema { object["outputSchema"] = outputSchema }
            return .object(object)
        }
    }

    /// A `tools/call` result.
    public struct CallResult: Sendable, Hashable {
        public var content: [JSONValue]
        public var structuredContent: JSONValue?
        public var isError: Bool

        /// The text parts of ``content``, joined by newlines.
        public var text: String {
            content.compactMap { $0["type"] == "text" ? $0["text"]?.stringValue : nil }.joined(separator: "\n")
        }

        /// `{content, structuredContent?, isError}`.
        public var json: JSONValue {
            var object: [String: JSONValue] = ["content": .array(content), "isError": .bool(isError)]
            if let structuredContent { object["structuredContent"] = structuredContent }
            return .object(object)
        }
    }

    public let transport: any MCPClientTransport
    public let mode: Mode
    public let clientInfo: JSONValue
    private let state = Mutex(State())

    struct State {
        var nextID = 0
        var protocolVersion: String?
        var modern = false
        var serverInfo: JSONValue?
        var instructions: String?
    }

    public init(transport: any MCPClientTransport, mode: Mode = .auto, name: String = "micro", version: String = "0.1.0") {
        self.transport = transport
        self.mode = mode
        self.clientInfo = ["name": .string(name), "version": .string(version)]
    }

    /// The protocol version settled by ``connect()``.
    public var protocolVersion: String? { state.withLock { $0.protocolVersion } }
    /// The server's `serverInfo`, when it sent one.
    public var serverInfo: JSONValue? { state.withLock { $0.serverInfo } }
    /// The server's instructions, when it sent some.
    public var instructions: String? { state.withLock { $0.instructions } }

    /// Settles the protocol era and version with the server (see ``Mode``).
    public func connect() async throws {
        if mode != .legacy {
            do {
                let result = try await request(
                    "server/discover", [:], envelope: MCPProtocol.latestModernVersion)
                let versions = result["supportedVersions"]?.arrayValue?.compactMap(\.stringValue) ?? []
                if let version = MCPProtocol.modernVersions.last(where: versions.contains) {
                    state.withLock {
                        $0.protocolVersion = version
                        $0.modern = true
                        $0.serverInfo = result["_meta"]?[MCPProtocol.serverInfoKey]
                        $0.instructions = result["instructions"]?.stringValue
                    }
                    return
                }
                if mode == .modern {
                    throw MCPClientError(.unavailable, "the server speaks none of \(MCPProtocol.modernVersions) (it lists \(versions))")
                }
            } catch let error as MCPClientError where mode == .auto && (error.code == .server || error.code == .transport) {
                // Not a 2026-07-28 server (a JSON-RPC error, or an HTTP error status): use the handshake.
            }
        }
        let result = try await request(
            "initialize",
            [
                "protocolVersion": .string(MCPProtocol.latestHandshakeVersion), "capabilities": [:], "clientInfo": clientInfo,
            ], envelope: nil)
        guard case .string(let version)? = result["protocolVersion"], MCPProtocol.isSupported(version) else {
            throw MCPClientError(.invalidResponse, "initialize answered protocol version \(result["protocolVersion"]?.canonicalString() ?? "none"), which we do not speak")
        }
        state.withLock {
            $0.protocolVersion = version
            $0.serverInfo = result["serverInfo"]
            $0.instructions = result["instructions"]?.stringValue
        }
        try await transport.send(notification: .notification(method: "notifications/initialized", params: nil), protocolVersion: version)
    }

    /// Sends `method` with `params` in the settled era and returns its result; a JSON-RPC error throws
    /// ``MCPClientError`` with code ``MCPClientError/Code/server``.
    public func request(_ method: String, _ params: [String: JSONValue] = [:]) async throws -> JSONValue {
        let (modern, version) = state.withLock { ($0.modern, $0.protocolVersion) }
        return try await request(method, params, envelope: modern ? version : nil)
    }

    private func request(_ method: String, _ params: [String: JSONValue], envelope: String?) async throws -> JSONValue {
        var params = params
        if let envelope {
            var meta = params["_meta"]?.objectValue ?? [:]
            meta[MCPProtocol.protocolVersionKey] = .string(envelope)
            meta[MCPProtocol.clientCapabilitiesKey] = .object([:])
            meta[MCPProtocol.clientInfoKey] = clientInfo
            params["_meta"] = .object(meta)
        }
        let id = JSONRPCID.integer(state.withLock {
            $0.nextID += 1
            return $0.nextID
        })
        let version = envelope ?? protocolVersion
        let response = try await transport.send(request: .request(id: id, method: method, params: .object(params)), protocolVersion: version)
        switch response {
        case .response(_, .success(let result)): return result
        case .response(_, .failure(let error)): throw MCPClientError(.server, "\(method): \(error.message)", rpcError: error)
        default: throw MCPClientError(.invalidResponse, "\(method) was answered by a message that is not a response")
        }
    }

    /// Every tool the server lists (following `nextCursor`).
    public func listTools() async throws -> [ToolInfo] {
        var tools: [ToolInfo] = []
        var cursor: JSONValue?
        repeat {
            let result = try await request("tools/list", cursor.map { ["cursor": $0] } ?? [:])
            guard let list = result["tools"]?.arrayValue else { throw MCPClientError(.invalidResponse, "tools/list answered no tools array") }
            for tool in list {
                guard case .string(let name)? = tool["name"] else { throw MCPClientError(.invalidResponse, "a listed tool has no name") }
                tools.append(ToolInfo(
                    name: name, description: tool["description"]?.stringValue ?? "",
                    inputSchema: tool["inputSchema"] ?? ["type": "object"], outputSchema: tool["outputSchema"]))
            }
            cursor = result["nextCursor"].flatMap { $0.isNull ? nil : $0 }
        } while cursor != nil
        return tools
    }

    /// Calls tool `name` with `arguments` (a JSON object).
    public func callTool(_ name: String, arguments: JSONValue = [:]) async throws -> CallResult {
        let result = try await request("tools/call", ["name": .string(name), "arguments": arguments])
        return CallResult(
            content: result["content"]?.arrayValue ?? [], structuredContent: result["structuredContent"],
            isError: result["isError"]?.boolValue ?? false)
    }

    /// Every resource the server lists: `{uri, name, description?, mimeType?}` objects.
    public func listResources() async throws -> [JSONValue] {
        try await request("resources/list")["resources"]?.arrayValue ?? []
    }

    /// The contents of resource `uri`: `{uri, mimeType?, text | blob}` objects.
    public func readResource(_ uri: String) async throws -> [JSONValue] {
        try await request("resources/read", ["uri": .string(uri)])["contents"]?.arrayValue ?? []
    }

    /// Ends the connection.
    public func close() async { await transport.close() }
}
