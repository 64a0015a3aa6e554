import Foundation
import Micro
import MicroEtcd
import Testing

/// ``EtcdRegistry`` across clients and server restarts, on a real etcd.
@Suite(.timeLimit(.minutes(2))) struct EtcdRegistryLiveTests {
    static func record(_ name: String, node: String = "n1") -> ServiceRecord {
        ServiceRecord(name: name, version: "1.0.0", endpoints: [EndpointRecord(name: "get")],
                      nodes: [NodeRecord(id: node, address: "local://\(node)")])
    }

    /// Two registries (as two processes would have) on one etcd see each other's changes through watch:
    /// what an MCP server's `watchRegistry()` turns into `notifications/tools/list_changed`.
    @Test(.enabled(if: EtcdServerProcess.isAvailable, EtcdServerProcess.skipReason))
    func twoClientsSeeEachOther() async throws {
        try await EtcdServerProcess.with { url, _ in
            let prefix = "/micro-test/\(UUID().uuidString)/"
            try await EtcdRegistry.withRegistry(url: url, prefix: prefix) { a in
                try await EtcdRegistry.withRegistry(url: url, prefix: prefix) { b in
                    let watchA = try await a.watch()
                    let watchB = try await b.watch(service: "travel.hotels")
                    try await b.register(Self.record("travel.hotels"))
                    try await a.register(Self.record("travel.flights"))
                    try await a.deregister(Self.record("travel.flights"))
                    try await b.register(Self.record("travel.hotels", node: "n2"), ttl: .seconds(30))

                    var seenByA: [String] = []
                    for try await event in watchA {
                        seenByA.append("\(event.kind) \(event.service.name) \(event.service.nodes.map(\.id))")
                        if seenByA.count == 4 { break }
                    }
                    #expect(seenByA == [
                        "created travel.hotels [\"n1\"]", "created travel.flights [\"n1\"]", "deleted travel.flights [\"n1\"]",
                        "updated travel.hotels [\"n1\", \"n2\"]",
                    ])
                    let seenByB = try await Self.drain(watchB)  // b wrote the last change, so b's own watcher has it
                    #expect(seenByB.map(\.kind) == [.created, .updated])
                    #expect(try await a.getService("travel.hotels").first?.nodes.map(\.id) == ["n1", "n2"])
                    #expect(try await b.listServices().map(\.name) == ["travel.hotels"])
                }
            }
        }
    }

    /// A watch whose server restarts resumes from the last revision + 1: changes made while it was down are
    /// delivered once, none is repeated.
    @Test(.enabled(if: EtcdServerProcess.canStartServers, EtcdServerProcess.startSkipReason))
    func watchResumesAfterRestart() async throws {
        try await EtcdServerProcess.with(ownServer: true) { url, server in
            let server = try #require(server)
            let configuration = try EtcdConfiguration(url, initialBackoff: .milliseconds(50), maximumBackoff: .milliseconds(200))
            try await EtcdRegistry.withRegistry(configuration) { watcherRegistry in
                let writer = try await EtcdRegistry.connect(url: url)
                let watcher = try await watcherRegistry.watch()
                try await writer.register(Self.record("before"))
                var iterator = watcher.makeAsyncIterator()
                #expect(try await iterator.next()?.service.name == "before")

                await server.stop()
                try await server.start()
                // Written by another client while the watcher's stream is (or was just) down.
                try await writer.register(Self.record("during"))
                try await writer.register(Self.record("during", node: "n2"))
                try await writer.deregister(Self.record("before"))
                var seen: [String] = []
                while seen.count < 3, let event = try await iterator.next() {
                    seen.append("\(event.kind) \(event.service.name) \(event.service.nodes.map(\.id))")
                }
                #expect(seen == ["created during [\"n1\"]", "updated during [\"n1\", \"n2\"]", "deleted before [\"n1\"]"])
                // Nothing repeated afterwards: the next event is the next change.
                try await writer.register(Self.record("after"))
                let next = try await iterator.next()
                #expect(next.map { "\($0.kind) \($0.service.name)" } == "created after")
                watcher.cancel()
            }
        }
    }

    /// keepRegistered keeps a service registered until its task is cancelled, then deregisters it as a child
    /// of run(); without run() that last step fails with a typed error instead of leaving a task behind.
    @Test(.enabled(if: EtcdServerProcess.isAvailable, EtcdServerProcess.skipReason))
    func keepRegisteredDeregistersThroughRun() async throws {
        try await EtcdServerProcess.with { url, _ in
            let prefix = "/micro-test/\(UUID().uuidString)/"
            try await EtcdRegistry.withRegistry(url: url, prefix: prefix) { registry in
                let watcher = try await registry.watch(service: "kept")
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await registry.keepRegistered(Self.record("kept"), ttl: .seconds(30), every: .seconds(10)) }
                    var iterator = watcher.makeAsyncIterator()
                    #expect(try await iterator.next()?.kind == .created)
                    group.cancelAll()
                    try await group.waitForAll()
                    #expect(try await iterator.next()?.kind == .deleted)
                }
                #expect(try await registry.getService("kept").isEmpty)
            }
            let bare = try await EtcdRegistry.connect(url: url, prefix: prefix)
            await #expect {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await bare.keepRegistered(Self.record("kept"), ttl: .seconds(30), every: .seconds(10)) }
                    while try await bare.getService("kept").isEmpty { try await Task.sleep(for: .milliseconds(10)) }
                    group.cancelAll()
                    try await group.waitForAll()
                }
            } throws: { error in
                (error as? RegistryError)?.code == .unavailable && (error as? RegistryError)?.message.contains("run()") == true
            }
        }
    }

    static func drain(_ watcher: RegistryWatcher) async throws -> [RegistryEvent] {
        watcher.cancel()
        var events: [RegistryEvent] = []
        for try await event in watcher { events.append(event) }
        return events
    }
}
