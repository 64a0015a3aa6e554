import Micro

/// The MCP protocol revisions Micro speaks, and the names and codes they define.
///
/// Two eras share one server: the handshake era (`initialize`, then requests on a session) and the stateless
/// 2026-07-28 era, where every request carries its protocol version and client capabilities in `_meta` and
/// `server/discover` replaces the handshake.
public enum MCPProtocol {
    /// Revisions negotiated by `initialize`, oldest first.
    public static let handshakeVersions = ["2025-03-26", "2025-06-18", "2025-11-25"]
    /// Stateless revisions, selected per request in `_meta`.
    public static let modernVersions = ["2026-07-28"]
    /// What `initialize` answers when the client asks for a revision it does not know.
    public static let latestHandshakeVersion = "2025-11-25"
    /// What our client proposes in `server/discover`.
    public static let latestModernVersion = "2026-07-28"

    /// `_meta` key of a 2026-07-28 request's protocol version.
    public static let protocolVersionKey = "io.modelcontextprotocol/protocolVersion"
    /// `_meta` key of a 2026-07-28 request's client capabilities.
    public static let clientCapabilitiesKey = "io.modelcontextprotocol/clientCapabilities"
    /// `_meta` key of a 2026-07-28 request's client info (optional).
    public static let clientInfoKey = "io.modelcontextprotocol/clientInfo"
    /// `_meta` key of the server info stamped on 2026-07-28 results.
    public static let serverInfoKey = "io.modelcontextprotocol/serverInfo"

    /// Whether `version` is one this server speaks, in either era.
    public static func isSupported(_ version: String) -> Bool {
        handshakeVersions.contains(version) || modernVersions.contains(version)
    }
}

extension JSONRPCError {
    /// An HTTP header disagrees with the body (-32020, 2026-07-28).
    public static func headerMismatch(_ message: String) -> JSONRPCError {
        JSONRPCError(code: -32020, message: message)
    }

    /// The request's protocol version is not one the server speaks (-32022, 2026-07-28), listing those it does.
    public static func unsupportedProtocolVersion(_ requested: String) -> JSONRPCError {
        JSONRPCError(
            code: -32022, message: "Unsupported protocol version \(requested)",
            data: [
                "supported": .array(MCPProtocol.modernVersions.map(JSONValue.string)), "requested": .string(requested),
            ])
    }
}
