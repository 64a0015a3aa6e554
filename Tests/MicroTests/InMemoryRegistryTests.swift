import Foundation
import Micro
import Testing

@Suite struct InMemoryRegistryTests {
    @Test func serviceRecordIsCanonicalJSON() throws {
        let record = ServiceRecord(
            name: "travel.hotels", version: "1.0.0", metadata: ["b": "2", "a": "1"],
            endpoints: [EndpointRecord(
                name: "book", description: "Books",
                requestSchema: ["type": "object", "required": ["city"], "properties": ["city": ["type": "string"]]],
                responseSchema: ["type": "object", "minimum": 1.5, "default": nil, "flag": true])],
            nodes: [NodeRecord(id: "n1", address: "local://n1")])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(record), as: UTF8.self)
        #expect(json == #"{"endpoints":[{"description":"Books","metadata":{},"name":"book","#
            + #""requestSchema":{"properties":{"city":{"type":"string"}},"required":["city"],"type":"object"},"#
            + #""responseSchema":{"default":null,"flag":true,"minimum":1.5,"type":"object"}}],"#
            + #""metadata":{"a":"1","b":"2"},"name":"travel.hotels","nodes":[{"address":"local://n1","id":"n1","#
            + #""metadata":{}}],"version":"1.0.0"}"#)
        #expect(try JSONDecoder().decode(ServiceRecord.self, from: Data(json.utf8)) == record)
    }

    @Test func watchersStopOnCancelAndOnTaskCancellation() async throws {
        let registry = InMemoryRegistry(environment: .simulated(clock: VirtualClock(mode: .manual)))
        let watcher = try await registry.watch()
        #expect(registry.watcherCount == 1)
        watcher.cancel()
        #expect(registry.watcherCount == 0)

        let iterated = try await registry.watch(service: "x")
        await withTaskGroup(of: Void.self) { group in
            group.addTask { do { for try await _ in iterated {} } catch {} }
            group.cancelAll()
            await group.waitForAll()
        }
        #expect(registry.watcherCount == 0)
    }

    @Test func purgeExpiredSendsDeletedEvents() async throws {
        let clock = VirtualClock(mode: .manual)
        let registry = InMemoryRegistry(environment: .simulated(clock: clock))
        try await registry.register(ServiceRecord(name: "s", version: "1", nodes: [NodeRecord(id: "n", address: "a")]),
                                    ttl: .seconds(3))
        let watcher = try await registry.watch()
        clock.advance(by: .seconds(3))
        registry.purgeExpired()
        watcher.cancel()
        var kinds: [RegistryEvent.Kind] = []
        for try await event in watcher { kinds.append(event.kind) }
        #expect(kinds == [.deleted])
    }
}
