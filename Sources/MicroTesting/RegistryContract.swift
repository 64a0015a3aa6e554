import Micro

/// The ``Registry`` contract as runnable checks (see ``StoreContract`` for how to run them).
public enum RegistryContract {
    public static let checks: [ContractCheck<any Registry>] = [
        registerAndGet, mergeNodes, deregister, ttl, watchEvents, invalidRecords,
    ]

    private static func service(
        _ name: String, _ version: String = "1.0.0", nodes: [String], metadata: [String: String] = [:]
    ) -> ServiceRecord {
        ServiceRecord(
            name: name, version: version, metadata: metadata,
            endpoints: [EndpointRecord(name: "get", description: "Gets", requestSchema: ["type": "object"],
                                       responseSchema: ["type": "object", "properties": ["n": ["type": "integer"]]])],
            nodes: nodes.map { NodeRecord(id: $0, address: "local://\($0)", metadata: ["zone": "a"]) })
    }

    private static func drain(_ watcher: RegistryWatcher) async throws -> [RegistryEvent] {
        watcher.cancel()
        var events: [RegistryEvent] = []
        for try await event in watcher { events.append(event) }
        return events
    }

    /// A registered service is found by name and listed; unknown names find nothing.
    public static let registerAndGet = ContractCheck<any Registry>("registerAndGet") { subject in
        let name = "registerAndGet"
        try await subject.with(Simulation().environment) { registry in
            let hotels = service("travel.hotels", nodes: ["n1"], metadata: ["description": "Hotels"])
            try await registry.register(hotels)
            try await registry.register(service("travel.flights", nodes: ["n1"]))
            try expectEqual(try await registry.getService("travel.hotels"), [hotels], "getService", in: name)
            try expectEqual(try await registry.getService("nope"), [], "unknown service", in: name)
            try expectEqual(try await registry.listServices().map(\.name), ["travel.flights", "travel.hotels"],
                            "listServices by name", in: name)
            try await expectThrows(RegistryError.self, "requireService of an unknown service", in: name,
                                   matching: { $0.code == .notFound }) {
                _ = try await registry.requireService("nope")
            }
        }
    }

    /// Registering the same name and version merges nodes; metadata and endpoints follow the latest.
    public static let mergeNodes = ContractCheck<any Registry>("mergeNodes") { subject in
        let name = "mergeNodes"
        try await subject.with(Simulation().environment) { registry in
            try await registry.register(service("svc", nodes: ["a"], metadata: ["rev": "1"]))
            try await registry.register(service("svc", nodes: ["b"], metadata: ["rev": "2"]))
            var moved = service("svc", nodes: ["a"], metadata: ["rev": "2"])
            moved.nodes[0].address = "local://a-moved"
            try await registry.register(moved)
            let found = try await registry.getService("svc")
            try expectEqual(found.count, 1, "one version", in: name)
            try expectEqual(found.first?.nodes.map(\.id), ["a", "b"], "nodes merged, in registration order", in: name)
            try expectEqual(found.first?.nodes.first?.address, "local://a-moved", "a node re-registered is replaced", in: name)
            try expectEqual(found.first?.metadata, ["rev": "2"], "metadata of the latest registration", in: name)
            try await registry.register(service("svc", "2.0.0", nodes: ["c"]))
            let versions = try await registry.getService("svc")
            try expectEqual(versions.map(\.version), ["1.0.0", "2.0.0"], "every version, in registration order", in: name)
            try expectEqual(try await registry.listServices().count, 2, "listServices lists every version", in: name)
        }
    }

    /// Deregistering removes nodes; a version with none left disappears; unknown records are ignored.
    public static let deregister = ContractCheck<any Registry>("deregister") { subject in
        let name = "deregister"
        try await subject.with(Simulation().environment) { registry in
            try await registry.register(service("svc", nodes: ["a", "b"]))
            try await registry.register(service("svc", "2.0.0", nodes: ["x", "y"]))
            try await registry.deregister(service("svc", nodes: ["a"]))
            try expectEqual(try await registry.getService("svc").map { $0.nodes.map(\.id) }, [["b"], ["x", "y"]],
                            "node a removed", in: name)
            try await registry.deregister(service("svc", nodes: ["b"]))
            try expectEqual(try await registry.getService("svc").map(\.version), ["2.0.0"], "version 1 gone", in: name)
            try await registry.deregister(service("svc", "2.0.0", nodes: []))
            try expectEqual(try await registry.getService("svc"), [], "no nodes: the whole version goes", in: name)
            try expectEqual(try await registry.listServices(), [], "nothing listed", in: name)
            try await registry.deregister(service("never", nodes: ["z"]))
        }
    }

    /// Nodes registered with a TTL vanish when it passes on the registry's clock; re-registering renews.
    public static let ttl = ContractCheck<any Registry>("ttl") { subject in
        let name = "ttl"
        let simulation = Simulation()
        try await subject.with(simulation.environment) { registry in
            try await registry.register(service("svc", nodes: ["short"]), ttl: .seconds(10))
            try await registry.register(service("svc", nodes: ["renewed"]), ttl: .seconds(10))
            try await registry.register(service("svc", nodes: ["forever"]), ttl: nil)
            try await registry.register(service("lonely", nodes: ["l"]), ttl: .seconds(5))
            simulation.clock.advance(by: .seconds(5))
            try expectEqual(try await registry.getService("lonely"), [], "a service whose only node expired", in: name)
            try await registry.register(service("svc", nodes: ["renewed"]), ttl: .seconds(10))
            simulation.clock.advance(by: .milliseconds(4_999))
            try expectEqual(try await registry.getService("svc").first?.nodes.map(\.id), ["short", "renewed", "forever"],
                            "all alive just before the TTL", in: name)
            simulation.clock.advance(by: .milliseconds(1))
            try expectEqual(try await registry.getService("svc").first?.nodes.map(\.id), ["renewed", "forever"],
                            "short expired, renewed kept", in: name)
            simulation.clock.advance(by: .seconds(5))
            try expectEqual(try await registry.listServices().first?.nodes.map(\.id), ["forever"], "renewal expired too", in: name)
            try await expectThrows(RegistryError.self, "a zero TTL", in: name, matching: { $0.code == .invalidArgument }) {
                try await registry.register(service("svc", nodes: ["z"]), ttl: .zero)
            }
        }
    }

    /// Watchers see created, updated and deleted events in order, filtered by service when asked.
    public static let watchEvents = ContractCheck<any Registry>("watchEvents") { subject in
        let name = "watchEvents"
        let simulation = Simulation()
        try await subject.with(simulation.environment) { registry in
            try await registry.register(service("before", nodes: ["n"]))
            let all = try await registry.watch()
            let onlySvc = try await registry.watch(service: "svc")
            try await registry.register(service("svc", nodes: ["a"]))
            try await registry.register(service("svc", nodes: ["a"]))  // a renewal alone is no change
            try await registry.register(service("svc", nodes: ["b"]))
            try await registry.register(service("other", nodes: ["o"]), ttl: .seconds(1))
            try await registry.deregister(service("svc", nodes: ["a"]))
            try await registry.deregister(service("svc", nodes: ["b"]))
            simulation.clock.advance(by: .seconds(1))
            _ = try await registry.getService("other")
            let events = try await drain(all)
            let summary = events.map { "\($0.kind.rawValue) \($0.service.name) \($0.service.nodes.map(\.id))" }
            try expectEqual(summary, [
                "created svc [\"a\"]", "updated svc [\"a\", \"b\"]", "created other [\"o\"]",
                "updated svc [\"b\"]", "deleted svc [\"b\"]", "deleted other [\"o\"]",
            ], "events for all services", in: name)
            try expectEqual(events.last?.timestamp, simulation.clock.timestamp, "event timestamps follow the clock", in: name)
            try expectEqual(try await drain(onlySvc).map(\.kind), [.created, .updated, .updated, .deleted],
                            "events for one service", in: name)
        }
    }

    /// Records without a name or nodes, or with bad node ids, are rejected with a typed error.
    public static let invalidRecords = ContractCheck<any Registry>("invalidRecords") { subject in
        let name = "invalidRecords"
        try await subject.with(Simulation().environment) { registry in
            let bad = [service("", nodes: ["a"]), service("svc", nodes: []), service("svc", nodes: [""]),
                       service("svc", nodes: ["a", "a"])]
            for record in bad {
                try await expectThrows(RegistryError.self, "register \(record.name) \(record.nodes.map(\.id))", in: name,
                                       matching: { $0.code == .invalidRecord }) {
                    try await registry.register(record)
                }
            }
            try expectEqual(try await registry.listServices(), [], "nothing registered", in: name)
        }
    }
}
