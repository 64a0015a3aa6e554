import Micro
import MicroExamples
import MicroMCP

/// A server over the bundled travel services and agents, on a fresh in-memory runtime.
func travelServer() async throws -> MCPServer {
    let runtime = Runtime.inMemory()
    try await TravelServices.serve(on: runtime)
    return MCPServer(runtime: runtime, agents: TravelAgents.all(), info: MCPServer.Info(instructions: "travel"))
}

/// The `_meta` envelope of a 2026-07-28 request.
let modernMeta: JSONValue = [
    "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": [:],
]

let weatherArguments: JSONValue = ["city": "Lisbon", "from": "2026-05-01", "days": 1]

/// A request message.
func request(_ id: Int, _ method: String, _ params: JSONValue? = nil) -> JSONRPCMessage {
    .request(id: .integer(id), method: method, params: params)
}

/// A session that has completed the handshake at `version`.
func initializedSession(_ server: MCPServer, version: String = "2025-11-25") async -> MCPSession {
    let session = MCPSession(id: "test")
    _ = await server.handle(
        request(0, "initialize", ["protocolVersion": .string(version), "capabilities": [:], "clientInfo": ["name": "t", "version": "1"]]),
        session: session)
    _ = await server.handle(.notification(method: "notifications/initialized", params: nil), session: session)
    return session
}

/// A simple service to register while a server runs.
struct Echo: Codable, Sendable {
    var text: String
}

let echoService = Service("echo", description: "Echoes") {
    Endpoint("say", description: "Echo the text") { (request: Echo, _) in request }
}

extension JSONRPCMessage {
    /// The result of a success response.
    var result: JSONValue? {
        if case .response(_, .success(let value)) = self { value } else { nil }
    }

    /// The error of an error response.
    var error: JSONRPCError? {
        if case .response(_, .failure(let error)) = self { error } else { nil }
    }
}
