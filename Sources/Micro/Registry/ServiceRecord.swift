/// What the ``Registry`` knows of one version of a service: its metadata, endpoints and the nodes serving it.
public struct ServiceRecord: Codable, Sendable, Hashable {
    public var name: String
    public var version: String
    public var metadata: [String: String]
    public var endpoints: [EndpointRecord]
    public var nodes: [NodeRecord]

    public init(
        name: String, version: String, metadata: [String: String] = [:],
        endpoints: [EndpointRecord] = [], nodes: [NodeRecord] = []
    ) {
        self.name = name
        self.version = version
        self.metadata = metadata
        self.endpoints = endpoints
        self.nodes = nodes
    }
}
