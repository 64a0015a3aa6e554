/// One running instance of a service, reachable at `address` (e.g. `local://node-1`, `http://10.0.0.2:8080`).
public struct NodeRecord: Codable, Sendable, Hashable {
    public var id: String
    public var address: String
    public var metadata: [String: String]

    public init(id: String, address: String, metadata: [String: String] = [:]) {
        self.id = id
        self.address = address
        self.metadata = metadata
    }
}
