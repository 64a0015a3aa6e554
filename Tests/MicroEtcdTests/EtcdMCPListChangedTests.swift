import Foundation
import Micro
import MicroEtcd
import MicroMCP
import Testing

/// MCP `list_changed` across processes: an MCP server whose runtime's registry is one etcd client announces
/// a service that another client (another process) registers.
@Suite(.timeLimit(.minutes(2))) struct EtcdMCPListChangedTests {
    @Test(.enabled(if: EtcdServerProcess.isAvailable, EtcdServerProcess.skipReason))
    func anotherProcessesRegistrationIsAnnounced() async throws {
        try await EtcdServerProcess.with { url, _ in
            let prefix = "/micro-test/\(UUID().uuidString)/"
            let environment = Environment.live
            try await EtcdRegistry.withRegistry(url: url, prefix: prefix) { registry in
                let runtime = Runtime(
                    environment: environment, registry: registry, broker: InMemoryBroker(), store: InMemoryStore(environment: environment))
                let server = MCPServer(runtime: runtime)
                let other = try await EtcdRegistry.connect(url: url, prefix: prefix)
                let (ready, readiness) = AsyncStream.makeStream(of: Void.self)
                let seen = try await withThrowingTaskGroup(of: [String]?.self) { group in
                    group.addTask {
                        try await server.watchRegistry { readiness.yield() }
                        return nil
                    }
                    for await _ in ready { break }
                    let notifications = server.notifications()
                    try await other.register(ServiceRecord(
                        name: "remote.echo", version: "1.0.0", endpoints: [EndpointRecord(name: "say")],
                        nodes: [NodeRecord(id: "elsewhere", address: "http://10.0.0.2:8080")]))
                    var methods: [String] = []
                    for await message in notifications {
                        if case .notification(let method, _) = message { methods.append(method) }
                        if methods.count == 2 { break }
                    }
                    group.cancelAll()
                    return methods
                }
                #expect(seen == ["notifications/tools/list_changed", "notifications/resources/list_changed"])
            }
        }
    }
}
