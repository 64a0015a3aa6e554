import Micro
@testable import MicroEtcd
import Testing

@Suite struct EtcdServiceTableTests {
    let layout = EtcdKeyLayout(prefix: "/r/")
    let id = EtcdKeyLayout.VersionID(service: "svc", version: "1")
    let t0 = Timestamp(millisecondsSinceEpoch: 1_000)

    func put(_ key: String, _ value: some Encodable, create: Int64, mod: Int64) throws -> EtcdEvent {
        EtcdEvent(kind: .put, kv: EtcdKeyValue(key: key, value: try EtcdServiceTable.encode(value), createRevision: create, modRevision: mod))
    }

    func node(_ name: String, expiresAt: Timestamp? = nil, address: String? = nil) -> EtcdServiceTable.NodeEntry {
        .init(node: NodeRecord(id: name, address: address ?? "local://\(name)"), expiresAt: expiresAt)
    }

    @Test func keyChangesBecomeServiceEvents() throws {
        var table = EtcdServiceTable(layout: layout)
        let version = ServiceRecord(name: "svc", version: "1", metadata: ["rev": "1"])
        let created = table.applyBatch([
            try put(layout.versionKey(id), version, create: 2, mod: 2), try put(layout.nodeKey(id, node: "a"), node("a"), create: 2, mod: 2),
        ], at: t0)
        #expect(created.map(\.kind) == [.created])
        #expect(created.first?.service.nodes.map(\.id) == ["a"])
        // A renewal (only the expiry changes) is no event.
        let renewed = table.applyBatch([
            try put(layout.versionKey(id), version, create: 2, mod: 3),
            try put(layout.nodeKey(id, node: "a"), node("a", expiresAt: t0), create: 2, mod: 3),
        ], at: t0)
        #expect(renewed.isEmpty)
        let added = table.applyBatch([try put(layout.nodeKey(id, node: "b"), node("b"), create: 4, mod: 4)], at: t0)
        #expect(added.map(\.kind) == [.updated])
        #expect(added.first?.service.nodes.map(\.id) == ["a", "b"])
        let deleted = table.applyBatch([
            EtcdEvent(kind: .delete, kv: EtcdKeyValue(key: layout.nodeKey(id, node: "a"), value: [], createRevision: 0, modRevision: 5)),
            EtcdEvent(kind: .delete, kv: EtcdKeyValue(key: layout.nodeKey(id, node: "b"), value: [], createRevision: 0, modRevision: 5)),
            EtcdEvent(kind: .delete, kv: EtcdKeyValue(key: layout.versionKey(id), value: [], createRevision: 0, modRevision: 5)),
        ], at: t0)
        #expect(deleted.map(\.kind) == [.deleted])
        #expect(deleted.first?.service.nodes.map(\.id) == ["a", "b"])
        #expect(table.versions.isEmpty)
    }

    @Test func expiryFollowsTheGivenTime() throws {
        let table = EtcdServiceTable(layout: layout, kvs: [
            try put(layout.versionKey(id), ServiceRecord(name: "svc", version: "1"), create: 2, mod: 2).kv,
            try put(layout.nodeKey(id, node: "a"), node("a", expiresAt: t0), create: 2, mod: 3).kv,
            try put(layout.nodeKey(id, node: "b"), node("b"), create: 4, mod: 4).kv,
        ])
        #expect(table.records(liveAt: t0.advanced(by: .milliseconds(-1))).first?.nodes.map(\.id) == ["a", "b"])
        #expect(table.records(liveAt: t0).first?.nodes.map(\.id) == ["b"])
        #expect(table.expired(at: t0) == [layout.nodeKey(id, node: "a"): 3])
    }

    @Test func resynchronisingDiffsTables() throws {
        let before = EtcdServiceTable(layout: layout, kvs: [try put(layout.nodeKey(id, node: "a"), node("a"), create: 2, mod: 2).kv])
        let other = EtcdKeyLayout.VersionID(service: "other", version: "1")
        let after = EtcdServiceTable(layout: layout, kvs: [
            try put(layout.nodeKey(id, node: "a"), node("a", address: "local://moved"), create: 2, mod: 5).kv,
            try put(layout.nodeKey(other, node: "o"), node("o"), create: 6, mod: 6).kv,
        ])
        #expect(before.changes(to: after, at: t0).map { "\($0.kind) \($0.service.name)" } == ["created other", "updated svc"])
        #expect(after.changes(to: before, at: t0).map { "\($0.kind) \($0.service.name)" } == ["deleted other", "updated svc"])
    }
}
