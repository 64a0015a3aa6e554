/// One endpoint of a service as registered: its name, description and JSON Schemas of request and response.
public struct EndpointRecord: Codable, Sendable, Hashable {
    public var name: String
    public var description: String
    public var requestSchema: JSONValue
    public var responseSchema: JSONValue
    public var metadata: [String: String]

    public init(
        name: String, description: String = "", requestSchema: JSONValue = .object([:]),
        responseSchema: JSONValue = .object([:]), metadata: [String: String] = [:]
    ) {
        self.name = name
        self.description = description
        self.requestSchema = requestSchema
        self.responseSchema = responseSchema
        self.metadata = metadata
    }

    // Decoding tolerates missing `description`, schemas and `metadata` (records from other registries).
    private enum CodingKeys: String, CodingKey {
        case name, description, requestSchema, responseSchema, metadata
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        description = try c.decodeIfPresent(String.self, forKey: .description) ?? ""
        requestSchema = try c.decodeIfPresent(JSONValue.self, forKey: .requestSchema) ?? .object([:])
        responseSchema = try c.decodeIfPresent(JSONValue.self, forKey: .responseSchema) ?? .object([:])
        metadata = try c.decodeIfPresent([String: String].self, forKey: .metadata) ?? [:]
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(description, forKey: .description)
        try c.encode(requestSchema, forKey: .requestSchema)
        try c.encode(responseSchema, forKey: .responseSchema)
        try c.encode(metadata, forKey: .metadata)
    }
}
