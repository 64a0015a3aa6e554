import Micro

/// What a server announces in its `INFO` line (the fields this client uses).
public struct NATSServerInfo: Sendable, Hashable {
    public var serverID: String
    public var version: String
    public var proto: Int
    /// Largest message (headers and payload) the server accepts.
    public var maxPayload: Int
    /// Whether the server supports message headers (HPUB/HMSG; nats-server 2.2 and later).
    public var headers: Bool
    public var authRequired: Bool
    public var tlsRequired: Bool

    public init(serverID: String = "", version: String = "", proto: Int = 1, maxPayload: Int = 1_048_576,
                headers: Bool = true, authRequired: Bool = false, tlsRequired: Bool = false) {
        self.serverID = serverID
        self.version = version
        self.proto = proto
        self.maxPayload = maxPayload
        self.headers = headers
        self.authRequired = authRequired
        self.tlsRequired = tlsRequired
    }

    /// Decodes the JSON object of an `INFO` line.
    init(json: JSONValue) throws(NATSError) {
        guard json.objectValue != nil else { throw NATSError(.protocolError, "INFO is not a JSON object") }
        guard let maxPayload = json["max_payload"]?.intValue, maxPayload > 0 else {
            throw NATSError(.protocolError, "INFO lacks a positive max_payload")
        }
        self.init(
            serverID: json["server_id"]?.stringValue ?? "",
            version: json["version"]?.stringValue ?? "",
            proto: json["proto"]?.intValue ?? 0,
            maxPayload: maxPayload,
            headers: json["headers"]?.boolValue ?? false,
            authRequired: json["auth_required"]?.boolValue ?? false,
            tlsRequired: json["tls_required"]?.boolValue ?? false)
    }
}
