import Micro

/// What an agent publishes about itself at `/.well-known/agent-card.json`: who it is, where its JSON-RPC and
/// HTTP+JSON endpoints are and for which protocol versions, and whether it streams.
public struct A2AAgentCard: Sendable, Hashable {
    /// One endpoint the agent serves.
    public struct Interface: Sendable, Hashable {
        public var url: String
        /// `JSONRPC`, `HTTP+JSON` or `GRPC`.
        public var binding: String
        public var version: String

        public init(url: String, binding: String = "JSONRPC", version: String) {
            self.url = url
            self.binding = binding
            self.version = version
        }
    }

    /// Something the agent can do.
    public struct Skill: Sendable, Hashable {
        public var id: String
        public var name: String
        public var description: String

        public init(id: String, name: String, description: String) {
            self.id = id
            self.name = name
            self.description = description
        }
    }

    public var name: String
    public var description: String
    public var version: String
    public var interfaces: [Interface]
    public var streaming: Bool
    public var skills: [Skill]

    public init(
        name: String, description: String, version: String = "1.0.0", interfaces: [Interface], streaming: Bool = true,
        skills: [Skill] = []
    ) {
        self.name = name
        self.description = description
        self.version = version
        self.interfaces = interfaces
        self.streaming = streaming
        self.skills = skills
    }

    /// The card of an agent served at `url`: JSON-RPC in both protocol versions, and HTTP+JSON 1.0 under the
    /// same base (its operations are paths below it, so the URL is given without a trailing slash).
    public static func served(name: String, description: String, url: String, streaming: Bool = true) -> A2AAgentCard {
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        return A2AAgentCard(
            name: name, description: description,
            interfaces: [
                Interface(url: url, version: A2AVersion.v1_0.rawValue), Interface(url: base, binding: "HTTP+JSON", version: A2AVersion.v1_0.rawValue),
                Interface(url: url, version: A2AVersion.v0_3.rawValue),
            ],
            streaming: streaming,
            skills: [Skill(id: name, name: name, description: description.isEmpty ? name : description)])
    }

    /// The JSON-RPC endpoint and version a client should use: 1.0 when offered, else 0.3.
    public var jsonRPCEndpoint: (url: String, version: A2AVersion)? {
        let jsonRPC = interfaces.filter { $0.binding == "JSONRPC" }
        for wanted in [A2AVersion.v1_0, .v0_3] {
            if let match = jsonRPC.first(where: { A2AVersion(header: $0.version) == wanted && !$0.version.isEmpty }) {
                return (match.url, wanted)
            }
        }
        return jsonRPC.first.map { ($0.url, .v1_0) }
    }

    /// The card as A2A 1.0 defines it (`supportedInterfaces`, no 0.3 fields, which the 1.0 card schema
    /// rejects): what 1.0 clients get.
    public var jsonV1: JSONValue {
        guard var object = json.objectValue else { return json }
        for legacy in ["url", "preferredTransport", "protocolVersion"] { object[legacy] = nil }
        return .object(object)
    }

    /// The card as JSON: the 1.0 fields (`supportedInterfaces`) and the 0.3 ones (`url`, `protocolVersion`,
    /// `preferredTransport`) for older clients.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "name": .string(name), "description": .string(description), "version": .string(version),
            "supportedInterfaces": .array(interfaces.map {
                ["url": .string($0.url), "protocolBinding": .string($0.binding), "protocolVersion": .string($0.version)]
            }),
            "capabilities": ["streaming": .bool(streaming), "pushNotifications": false],
            "defaultInputModes": ["text/plain"], "defaultOutputModes": ["text/plain"],
            "skills": .array(skills.map {
                ["id": .string($0.id), "name": .string($0.name), "description": .string($0.description), "tags": ["agent"]]
            }),
        ]
        if let legacy = interfaces.first(where: { $0.binding == "JSONRPC" }) {
            object["url"] = .string(legacy.url)
            object["preferredTransport"] = "JSONRPC"
            object["protocolVersion"] = "0.3.0"
        }
        return .object(object)
    }

    /// Reads a card in the 1.0 shape, or the 0.3 one (`url` and `protocolVersion`).
    public init(json: JSONValue) throws(A2AClientError) {
        guard let object = json.objectValue, let name = object["name"]?.stringValue else {
            throw A2AClientError(.invalidResponse, "an agent card must be an object with a name")
        }
        self.name = name
        description = object["description"]?.stringValue ?? ""
        version = object["version"]?.stringValue ?? ""
        var interfaces: [Interface] = (object["supportedInterfaces"]?.arrayValue ?? []).compactMap { value in
            guard let url = value["url"]?.stringValue else { return nil }
            return Interface(
                url: url, binding: value["protocolBinding"]?.stringValue ?? "JSONRPC",
                version: value["protocolVersion"]?.stringValue ?? "")
        }
        if interfaces.isEmpty, let url = object["url"]?.stringValue {
            interfaces.append(Interface(
                url: url, binding: object["preferredTransport"]?.stringValue ?? "JSONRPC",
                version: object["protocolVersion"]?.stringValue ?? "0.3"))
        }
        self.interfaces = interfaces
        streaming = object["capabilities"]?["streaming"]?.boolValue ?? false
        skills = (object["skills"]?.arrayValue ?? []).map {
            Skill(id: $0["id"]?.stringValue ?? "", name: $0["name"]?.stringValue ?? "", description: $0["description"]?.stringValue ?? "")
        }
    }
}
