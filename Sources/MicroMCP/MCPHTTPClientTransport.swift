import Micro
import MicroProviders
import Synchronization

/// Talks to an MCP server over Streamable HTTP through an ``HTTPTransport`` (``CurlTransport`` live):
/// each message is a POST; a `text/event-stream` answer is read with ``SSEParser`` until the response
/// arrives. The `MCP-Session-Id` the server hands out is sent back on every later request and deleted by
/// ``close()``.
public final class MCPHTTPClientTransport: MCPClientTransport {
    public let url: String
    private let http: any HTTPTransport
    private let token: String?
    private let timeout: Duration?
    private let sessionID = Mutex<String?>(nil)

    /// A transport posting to `url`, with `Authorization: Bearer token` when given.
    public init(url: String, http: any HTTPTransport = CurlTransport(), token: String? = nil, timeout: Duration? = .seconds(60)) {
        self.url = url
        self.http = http
        self.token = token
        self.timeout = timeout
    }

    /// The session the server opened at `initialize`, if any.
    public var session: String? { sessionID.withLock { $0 } }

    private func headers(protocolVersion: String?, method: String?, name: String?) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"), ("Accept", "application/json, text/event-stream"),
        ]
        if let session { headers.append(("MCP-Session-Id", session)) }
        if let protocolVersion { headers.append(("MCP-Protocol-Version", protocolVersion)) }
        if let method { headers.append(("Mcp-Method", method)) }
        if let name { headers.append(("Mcp-Name", name)) }
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        return headers
    }

    public func send(request: JSONRPCMessage, protocolVersion: String?) async throws -> JSONRPCMessage {
        guard case .request(let id, let method, let params) = request else {
            throw MCPClientError(.invalidResponse, "send(request:) needs a request")
        }
        let modern = params?["_meta"]?[MCPProtocol.protocolVersionKey] != nil
        let name: String? =
            !modern ? nil
            : method == "resources/read" ? params?["uri"]?.stringValue
            : (method == "tools/call" || method == "prompts/get") ? params?["name"]?.stringValue : nil
        let response = try await post(
            request, headers: headers(protocolVersion: protocolVersion, method: modern ? method : nil, name: name))
        if let session = response.header("MCP-Session-Id") { sessionID.withLock { $0 = session } }
        let contentType = response.header("Content-Type")?.lowercased() ?? ""
        if contentType.hasPrefix("text/event-stream") {
            var parser = SSEParser()
            var found: JSONRPCMessage?
            for try await chunk in response.body {
                do {
                    try parser.parse(chunk) { event in
                        guard found == nil, let message = try? JSONRPCMessage(parsing: Array(event.data.utf8)) else { return }
                        if case .response(id, _) = message { found = message }
                    }
                } catch {
                    throw MCPClientError(.invalidResponse, "the event stream for \(method): \(error)")
                }
                if found != nil { break }
            }
            guard let found else { throw MCPClientError(.invalidResponse, "the event stream for \(method) ended without a response") }
            return found
        }
        let body = try await response.collectBody(limit: 64 << 20)
        if let message = try? JSONRPCMessage(parsing: body), case .response = message { return message }
        throw MCPClientError(
            .transport, "\(method): HTTP \(response.status): \(String(decoding: body.prefix(500), as: UTF8.self))")
    }

    public func send(notification: JSONRPCMessage, protocolVersion: String?) async throws {
        let response = try await post(notification, headers: headers(protocolVersion: protocolVersion, method: nil, name: nil))
        let body = try await response.collectBody(limit: 1 << 20)
        guard (200..<300).contains(response.status) else {
            throw MCPClientError(.transport, "notification: HTTP \(response.status): \(String(decoding: body.prefix(500), as: UTF8.self))")
        }
    }

    private func post(_ message: JSONRPCMessage, headers: [(name: String, value: String)]) async throws -> HTTPResponse {
        do {
            return try await http.send(
                HTTPRequest(method: "POST", url: url, headers: headers, body: message.json.canonicalBytes(), timeout: timeout))
        } catch let error as HTTPError {
            throw MCPClientError(.unavailable, "\(url): \(error)")
        }
    }

    /// Deletes the session, if the server opened one.
    public func close() async {
        guard let session = sessionID.withLock({ id in defer { id = nil }; return id }) else { return }
        var headers: [(name: String, value: String)] = [("MCP-Session-Id", session)]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        if let response = try? await http.send(HTTPRequest(method: "DELETE", url: url, headers: headers, timeout: timeout)) {
            _ = try? await response.collectBody(limit: 1 << 20)
        }
    }
}
