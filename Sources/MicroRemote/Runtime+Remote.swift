import Micro

extension Runtime {
    /// Registers `services` (already served in this runtime by ``Runtime/serve(_:)``) under the HTTP node at
    /// `address`, the base URL of a ``RemoteServiceServer`` of this runtime, so that other processes sharing the
    /// registry reach them through a ``RemoteTransport``. Returns the records registered.
    @discardableResult
    public func advertise(_ services: [Service], at address: String, ttl: Duration? = nil) async throws -> [ServiceRecord] {
        let node = NodeRecord(id: "\(nodeID)-http", address: address)
        var records: [ServiceRecord] = []
        for service in services {
            let record = try service.record(node: node)
            try await registry.register(record, ttl: ttl)
            records.append(record)
        }
        return records
    }

    /// A client that reaches the services of this process and, through `remote`, those other processes serve
    /// over HTTP.
    public func client(remote: RemoteTransport) -> Client { Client(registry: registry, transports: [local, remote]) }
}
