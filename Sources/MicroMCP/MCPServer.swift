import Micro
import MicroAgent
import Synchronization

/// An MCP server over a ``Runtime``: every registered service's endpoints as tools, the registry as
/// resources (one per service) and agents' instructions as prompts.
///
/// The server is transport-free: ``handle(_:session:)`` answers one JSON-RPC message, and the stdio and
/// Streamable HTTP transports (``MCPStdioServer``, ``MCPHTTPServer``) carry the bytes. Both protocol eras are
/// served at once: a request whose `params._meta` names a 2026-07-28 protocol version is answered statelessly
/// (with `resultType`); any other request belongs to a handshake-era session opened by `initialize`.
/// ``watchRegistry()`` keeps the tool list current and tells subscribers (``notifications()``) when it changes.
public final class MCPServer: Sendable {
    /// What the server says about itself in `initialize` and `server/discover`.
    public struct Info: Sendable, Hashable {
        public var name: String
        public var version: String
        public var instructions: String?

        public init(name: String = "micro", version: String = "0.1.0", instructions: String? = nil) {
            self.name = name
            self.version = version
            self.instructions = instructions
        }

        var json: JSONValue { ["name": .string(name), "version": .string(version)] }
    }

    public let runtime: Runtime
    public let prompts: [MCPPrompt]
    public let info: Info
    private let state = Mutex(State())

    struct CachedTools {
        var toolset: Toolset
        var list: JSONValue
    }

    /// The tool list (nil until asked for, and after every registry change), notification subscribers and
    /// how many registry watches run.
    struct State {
        var tools: CachedTools?
        var nextSubscriber = 0
        var subscribers: [Int: AsyncStream<JSONRPCMessage>.Continuation] = [:]
        var watches = 0
    }

    /// A server for `runtime`'s services, offering `agents`' instructions as prompts.
    public convenience init(runtime: Runtime, agents: [Agent] = [], info: Info = Info()) {
        self.init(runtime: runtime, prompts: agents.map(MCPPrompt.init(agent:)), info: info)
    }

    /// A server for `runtime`'s services, offering `prompts`.
    public init(runtime: Runtime, prompts: [MCPPrompt], info: Info = Info()) {
        self.runtime = runtime
        self.prompts = prompts.sorted { $0.name < $1.name }
        self.info = info
    }

    // MARK: - Dispatch

    /// Answers one message: a response for a request, nil for a notification or a response. Never throws:
    /// every problem becomes a JSON-RPC error naming what was wrong.
    public func handle(_ message: JSONRPCMessage, session: MCPSession?) async -> JSONRPCMessage? {
        switch message {
        case .request(let id, let method, let params):
            do {
                return .result(try await respond(method: method, params: params, session: session), id: id)
            } catch {
                return .error(error, id: id)
            }
        case .notification(let method, _):
            if method == "notifications/initialized" { session?.confirm() }
            return nil
        case .response:
            return nil
        }
    }

    /// Parses `bytes` as one message and answers it; bad JSON gets -32700, a bad message -32600.
    public func handle(bytes: some Collection<UInt8>, session: MCPSession?) async -> JSONRPCMessage? {
        let message: JSONRPCMessage
        do {
            message = try JSONRPCMessage(parsing: bytes)
        } catch {
            return .error(error, id: Self.salvageID(bytes))
        }
        return await handle(message, session: session)
    }

    /// The era a request belongs to, read from its `_meta`: the 2026-07-28 version it names, or nil for a
    /// handshake-era request. Throws -32602 for a malformed envelope and -32022 for an unknown version.
    public static func modernVersion(of params: JSONValue?) throws(JSONRPCError) -> String? {
        guard let meta = params?["_meta"], let raw = meta[MCPProtocol.protocolVersionKey] else { return nil }
        guard case .string(let version) = raw else {
            throw .invalidParams("_meta.\(MCPProtocol.protocolVersionKey) must be a string, not \(raw.typeName)")
        }
        guard meta[MCPProtocol.clientCapabilitiesKey]?.objectValue != nil else {
            throw .invalidParams("_meta.\(MCPProtocol.clientCapabilitiesKey) (an object) is required with a protocol version")
        }
        guard MCPProtocol.modernVersions.contains(version) else { throw .unsupportedProtocolVersion(version) }
        return version
    }

    private func respond(method: String, params: JSONValue?, session: MCPSession?) async throws(JSONRPCError) -> JSONValue {
        if let params, params.objectValue == nil {
            throw .invalidParams("params of \(method) must be an object, not \(params.typeName)")
        }
        let arguments = params ?? .object([:])
        if method == "initialize" { return try initialize(arguments, session: session) }
        if let version = try Self.modernVersion(of: params) {
            switch method {
            case "ping", "notifications/initialized":
                throw .methodNotFound(method)
            default:
                return try await stamped(answer(method: method, params: arguments, era: version), method: method)
            }
        }
        switch method {
        case "ping":
            return .object([:])
        case "server/discover":
            return try await stamped(answer(method: method, params: arguments, era: MCPProtocol.latestModernVersion), method: method)
        default:
            guard let session, session.protocolVersion != nil else {
                throw .invalidRequest(
                    "\(method) needs a session: send initialize first, or a \(MCPProtocol.latestModernVersion) request "
                        + "with _meta.\(MCPProtocol.protocolVersionKey)")
            }
            return try await answer(method: method, params: arguments, era: session.protocolVersion!)
        }
    }

    /// Adds the 2026-07-28 result fields: `resultType`, cache hints on list and read results, and the server
    /// info stamp on `server/discover`.
    private func stamped(_ result: JSONValue, method: String) -> JSONValue {
        guard case .object(var object) = result else { return result }
        object["resultType"] = "complete"
        if Self.cacheableMethods.contains(method) {
            object["ttlMs"] = 0
            object["cacheScope"] = "public"
        }
        if method == "server/discover" {
            var meta = object["_meta"]?.objectValue ?? [:]
            meta[MCPProtocol.serverInfoKey] = info.json
            object["_meta"] = .object(meta)
        }
        return .object(object)
    }

    static let cacheableMethods: Set<String> = [
        "server/discover", "tools/list", "resources/list", "resources/templates/list", "resources/read", "prompts/list",
    ]

    private func answer(method: String, params: JSONValue, era: String) async throws(JSONRPCError) -> JSONValue {
        switch method {
        case "server/discover": discover()
        case "tools/list": try await tools().list
        case "tools/call": try await callTool(params)
        case "resources/list": try await listResources()
        case "resources/templates/list": ["resourceTemplates": []]
        case "resources/read": try await readResource(params)
        case "prompts/list": listPrompts()
        case "prompts/get": try getPrompt(params)
        default: throw .methodNotFound(method)
        }
    }

    // MARK: - Lifecycle

    private func initialize(_ params: JSONValue, session: MCPSession?) throws(JSONRPCError) -> JSONValue {
        guard let session else { throw .internalError("initialize reached the server without a session") }
        guard case .string(let requested)? = params["protocolVersion"] else {
            throw .invalidParams("initialize needs params.protocolVersion (a string)")
        }
        let version = MCPProtocol.handshakeVersions.contains(requested) ? requested : MCPProtocol.latestHandshakeVersion
        session.begin(version: version, clientName: params["clientInfo"]?["name"]?.stringValue)
        var result: [String: JSONValue] = [
            "protocolVersion": .string(version),
            "capabilities": [
                "tools": ["listChanged": true], "resources": ["listChanged": true], "prompts": ["listChanged": false],
            ],
            "serverInfo": info.json,
        ]
        if let instructions = info.instructions { result["instructions"] = .string(instructions) }
        return .object(result)
    }

    private func discover() -> JSONValue {
        var result: [String: JSONValue] = [
            "supportedVersions": .array((MCPProtocol.modernVersions + MCPProtocol.handshakeVersions).map(JSONValue.string)),
            "capabilities": ["tools": [:], "resources": [:], "prompts": [:]],
        ]
        if let instructions = info.instructions { result["instructions"] = .string(instructions) }
        return .object(result)
    }

    /// Salvages the id of a message whose JSON parsed but whose shape did not, for the error response.
    static func salvageID(_ bytes: some Collection<UInt8>) -> JSONRPCID? {
        guard let value = try? JSONValue(parsing: bytes), let raw = value["id"] else { return nil }
        return JSONRPCID(raw)
    }

    // MARK: - Registry changes

    /// Server-to-client notifications (`notifications/tools/list_changed`, `…/resources/list_changed`) from
    /// now on, until the returned stream is dropped or its consumer is cancelled.
    public func notifications() -> AsyncStream<JSONRPCMessage> {
        let (stream, continuation) = AsyncStream.makeStream(of: JSONRPCMessage.self)
        let key = state.withLock {
            $0.nextSubscriber += 1
            $0.subscribers[$0.nextSubscriber] = continuation
            return $0.nextSubscriber
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: key) }
        }
        return stream
    }

    /// Watches the registry until cancelled: each change drops the cached tool list and notifies subscribers.
    /// `ready` runs once the watch is in place (changes from then on are seen).
    public func watchRegistry(ready: @Sendable () -> Void = {}) async throws {
        let watcher = try await runtime.registry.watch()
        state.withLock {
            $0.tools = nil  // whatever changed before the watch began
            $0.watches += 1
        }
        defer { state.withLock { $0.watches -= 1 } }
        ready()
        for try await _ in watcher {
            registryChanged()
        }
    }

    /// Whether a ``watchRegistry(ready:)`` is running with its watch in place.
    public var isWatchingRegistry: Bool { state.withLock { $0.watches > 0 } }

    /// Drops the cached tool list and tells subscribers the tools and resources changed.
    public func registryChanged() {
        let targets = state.withLock {
            $0.tools = nil
            return Array($0.subscribers.values)
        }
        for continuation in targets {
            continuation.yield(.notification(method: "notifications/tools/list_changed", params: nil))
            continuation.yield(.notification(method: "notifications/resources/list_changed", params: nil))
        }
    }

    // MARK: - Tools

    func tools() async throws(JSONRPCError) -> CachedTools {
        if let cached = state.withLock({ $0.tools }) { return cached }
        let toolset: Toolset
        do {
            toolset = try await runtime.toolset()
        } catch {
            throw .internalError("could not list the services' tools: \(error)")
        }
        let list: JSONValue = ["tools": .array(toolset.specs.map(Self.toolJSON))]
        let cached = CachedTools(toolset: toolset, list: list)
        state.withLock { $0.tools = cached }
        return cached
    }

    static func toolJSON(_ spec: ToolSpec) -> JSONValue {
        var object: [String: JSONValue] = [
            "name": .string(spec.name), "description": .string(spec.description), "inputSchema": objectSchema(spec.inputSchema.jsonValue),
        ]
        if let output = spec.outputSchema?.jsonValue, output["type"] == "object" { object["outputSchema"] = output }
        return .object(object)
    }

    /// MCP requires `"type": "object"` at the top of an input schema.
    static func objectSchema(_ schema: JSONValue) -> JSONValue {
        guard case .object(var object) = schema else { return ["type": "object"] }
        if object["type"] == nil { object["type"] = "object" }
        return .object(object)
    }

    /// The `_meta` field of `tools/call` that carries the client's idempotency key: calls with the same key are
    /// the same call to the services (their ledger records its side effect once), so a client that retries or
    /// restarts can send a call again safely. Without it each call is new.
    public static let idempotencyKeyMeta = "io.micro/idempotency-key"

    private func callTool(_ params: JSONValue) async throws(JSONRPCError) -> JSONValue {
        guard case .string(let name)? = params["name"] else { throw .invalidParams("tools/call needs params.name (a string)") }
        let arguments = params["arguments"] ?? .object([:])
        guard arguments.objectValue != nil else {
            throw .invalidParams("params.arguments of tools/call must be an object, not \(arguments.typeName)")
        }
        let cached = try await tools()
        guard cached.toolset.tool(named: name) != nil else {
            let near = cached.toolset.nearestNames(to: name)
            throw .invalidParams(
                "unknown tool \(name)" + (near.isEmpty ? "" : "; did you mean \(near.joined(separator: ", "))?"),
                data: ["suggestions": .array(near.map(JSONValue.string))])
        }
        var context = CallContext.standalone(caller: "mcp", environment: runtime.environment)
        if let meta = params["_meta"]?[Self.idempotencyKeyMeta] {
            guard let key = meta.stringValue, !key.isEmpty, key.utf8.count <= 256 else {
                throw .invalidParams("params._meta[\"\(Self.idempotencyKeyMeta)\"] must be a string of 1 to 256 bytes")
            }
            context.idempotencyKey = "mcp/" + key
            context.metadata[Self.idempotencyKeyMeta] = key
        }
        let result: ToolResult
        do {
            result = try await cached.toolset.call(name, arguments: arguments, context: context)
        } catch {
            throw .internalError("\(name) was cancelled")
        }
        return Self.callResult(result)
    }

    /// `{content: [text], structuredContent?, isError}` for a tool result.
    static func callResult(_ result: ToolResult) -> JSONValue {
        var object: [String: JSONValue] = ["isError": .bool(result.isError)]
        if result.isError {
            let message = result.content["error"]?["message"]?.stringValue ?? result.content.canonicalString()
            object["content"] = [["type": "text", "text": .string(message)]]
            object["structuredContent"] = result.content.objectValue.map(JSONValue.object)
        } else {
            object["content"] = [["type": "text", "text": .string(result.content.canonicalString())]]
            if result.content.objectValue != nil { object["structuredContent"] = result.content }
        }
        return .object(object)
    }

    // MARK: - Resources

    static let serviceURIPrefix = "micro://services/"

    private func services() async throws(JSONRPCError) -> [String: [ServiceRecord]] {
        do {
            return Dictionary(grouping: try await runtime.registry.listServices(), by: \.name)
        } catch {
            throw .internalError("could not list the registry: \(error)")
        }
    }

    private func listResources() async throws(JSONRPCError) -> JSONValue {
        let grouped = try await services()
        let resources: [JSONValue] = grouped.keys.sorted().map { name in
            let endpoints = Set(grouped[name]!.flatMap { $0.endpoints.map(\.name) }).sorted()
            return [
                "uri": .string(Self.serviceURIPrefix + name), "name": .string(name),
                "description": .string("Service \(name): \(endpoints.joined(separator: ", "))"),
                "mimeType": "application/json",
            ]
        }
        return ["resources": .array(resources)]
    }

    private func readResource(_ params: JSONValue) async throws(JSONRPCError) -> JSONValue {
        guard case .string(let uri)? = params["uri"] else { throw .invalidParams("resources/read needs params.uri (a string)") }
        let grouped = try await services()
        guard uri.hasPrefix(Self.serviceURIPrefix), let records = grouped[String(uri.dropFirst(Self.serviceURIPrefix.count))] else {
            throw JSONRPCError(code: -32002, message: "resource not found: \(uri)", data: ["uri": .string(uri)])
        }
        let versions: [JSONValue] = records.map { record in
            [
                "version": .string(record.version),
                "metadata": .object(record.metadata.mapValues(JSONValue.string)),
                "endpoints": .array(record.endpoints.map { endpoint in
                    [
                        "name": .string(endpoint.name), "description": .string(endpoint.description),
                        "requestSchema": endpoint.requestSchema, "responseSchema": endpoint.responseSchema,
                    ]
                }),
            ]
        }
        let text: JSONValue = ["name": .string(records[0].name), "versions": .array(versions)]
        return ["contents": [["uri": .string(uri), "mimeType": "application/json", "text": .string(text.canonicalString())]]]
    }

    // MARK: - Prompts

    private func listPrompts() -> JSONValue {
        let list: [JSONValue] = prompts.map { prompt in
            [
                "name": .string(prompt.name), "description": .string(prompt.description),
                "arguments": [["name": "task", "description": "The task to give the agent", "required": false]],
            ]
        }
        return ["prompts": .array(list)]
    }

    private func getPrompt(_ params: JSONValue) throws(JSONRPCError) -> JSONValue {
        guard case .string(let name)? = params["name"] else { throw .invalidParams("prompts/get needs params.name (a string)") }
        guard let prompt = prompts.first(where: { $0.name == name }) else {
            throw .invalidParams("unknown prompt \(name); prompts: \(prompts.map(\.name).joined(separator: ", "))")
        }
        var text = prompt.instructions
        if let task = params["arguments"]?["task"]?.stringValue, !task.isEmpty { text += "\n\nTask: \(task)" }
        return [
            "description": .string(prompt.description),
            "messages": [["role": "user", "content": ["type": "text", "text": .string(text)]]],
        ]
    }
}
