import Micro
@testable import MicroEtcd
import Testing

@Suite struct EtcdWireTests {
    @Test(arguments: [("", ""), ("/micro/registry/", "L21pY3JvL3JlZ2lzdHJ5Lw=="), ("ü", "w7w=")])
    func base64Keys(_ key: String, _ encoded: String) {
        #expect(EtcdWire.base64(key) == encoded)
        #expect(EtcdWire.bytes(.string(encoded)) == Array(key.utf8))
    }

    @Test func rejectsBadBase64() {
        #expect(EtcdWire.bytes(.string("not base64!")) == nil)
        #expect(EtcdWire.bytes(nil) == [])
    }

    @Test(arguments: [
        ([0x61, 0x62], [0x61, 0x63]), ([0x61, 0xFF], [0x62]), ([0xFF, 0xFF], [0x00]), (Array("/p/".utf8), Array("/p0".utf8)),
    ] as [([UInt8], [UInt8])])
    func rangeEndIsThePrefixPlusOne(_ prefix: [UInt8], _ end: [UInt8]) {
        #expect(EtcdWire.rangeEnd(prefix: prefix) == end)
    }

    @Test(arguments: [(JSONValue.string("42"), Int64(42)), (.integer(7), 7), (.string("x"), nil), (.bool(true), nil)] as [(JSONValue, Int64?)])
    func int64Fields(_ value: JSONValue, _ expected: Int64?) {
        #expect(EtcdWire.int64(value) == expected)
    }

    @Test func absentInt64IsZero() {
        #expect(EtcdWire.int64(nil) == 0)
    }

    @Test func keyLayoutEscapesAndParses() {
        let layout = EtcdKeyLayout(prefix: "/micro/registry/")
        let id = EtcdKeyLayout.VersionID(service: "a/b%c", version: "1.0")
        #expect(layout.versionKey(id) == "/micro/registry/a%2Fb%25c/1.0")
        #expect(layout.nodeKey(id, node: "n/1") == "/micro/registry/a%2Fb%25c/1.0/n%2F1")
        #expect(layout.parse(layout.versionKey(id)) == .version(id))
        #expect(layout.parse(layout.nodeKey(id, node: "n/1")) == .node(id, "n/1"))
        #expect(layout.parse("/other/x/y") == nil)
        #expect(layout.parse("/micro/registry/only") == nil)
        #expect(layout.servicePrefix("a/b%c") == "/micro/registry/a%2Fb%25c/")
    }
}
