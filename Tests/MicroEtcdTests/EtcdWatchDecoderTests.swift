import Micro
@testable import MicroEtcd
import Testing

@Suite struct EtcdWatchDecoderTests {
    static let url = "http://127.0.0.1:2379"
    /// `/micro/a` = L21pY3JvL2E=, `{"x":1}` = eyJ4IjoxfQ==
    static let stream = Array("""
        {"result":{"header":{"cluster_id":"1","member_id":"2","revision":"7","raft_term":"2"},"created":true}}
        {"result":{"header":{"revision":"9"},"events":[{"kv":{"key":"L21pY3JvL2E=","create_revision":"8","mod_revision":"9","version":"2","value":"eyJ4IjoxfQ==","lease":"42"}},{"type":"DELETE","kv":{"key":"L21pY3JvL2E=","mod_revision":"9"}}]}}

        {"result":{"header":{"revision":"12"},"canceled":true,"compact_revision":"10","cancel_reason":"mvcc: required revision has been compacted"}}

        """.utf8)

    static let expected = [
        EtcdWatchResponse(revision: 7, created: true),
        EtcdWatchResponse(revision: 9, events: [
            EtcdEvent(kind: .put, kv: EtcdKeyValue(key: "/micro/a", value: Array(#"{"x":1}"#.utf8), createRevision: 8, modRevision: 9, lease: 42)),
            EtcdEvent(kind: .delete, kv: EtcdKeyValue(key: "/micro/a", value: [], createRevision: 0, modRevision: 9)),
        ]),
        EtcdWatchResponse(revision: 12, canceled: true, cancelReason: "mvcc: required revision has been compacted", compactRevision: 10),
    ]

    @Test(arguments: [1, 2, 3, 7, 64, 100_000])
    func decodesAcrossChunkBoundaries(chunkSize: Int) throws {
        var decoder = EtcdWatchDecoder(url: Self.url)
        var responses: [EtcdWatchResponse] = []
        for start in stride(from: 0, to: Self.stream.count, by: chunkSize) {
            responses += try decoder.read(Array(Self.stream[start..<min(start + chunkSize, Self.stream.count)]))
        }
        #expect(responses == Self.expected)
    }

    @Test func splitsAtEveryByte() throws {
        for cut in 1..<Self.stream.count {
            var decoder = EtcdWatchDecoder(url: Self.url)
            let responses = try decoder.read(Array(Self.stream[..<cut])) + decoder.read(Array(Self.stream[cut...]))
            #expect(responses == Self.expected, "cut at \(cut)")
        }
    }

    @Test func throwsTheStreamsGatewayError() {
        var decoder = EtcdWatchDecoder(url: Self.url)
        let line = #"{"error":{"grpc_code":16,"http_code":401,"message":"etcdserver: invalid auth token","http_status":"Unauthorized"}}"# + "\n"
        #expect {
            _ = try decoder.read(Array(line.utf8))
        } throws: { error in
            (error as? EtcdError)?.code == .unauthenticated && (error as? EtcdError)?.url == Self.url
        }
    }

    @Test(arguments: ["{\"result\": 3}\n", "{\"result\":{\"header\":{\"revision\":\"x\"}}}\n", "{nope\n",
                      "{\"result\":{\"header\":{\"revision\":\"1\"},\"events\":[{\"type\":\"PATCH\",\"kv\":{}}]}}\n"])
    func rejectsMalformedMessages(_ line: String) {
        var decoder = EtcdWatchDecoder(url: Self.url)
        #expect {
            _ = try decoder.read(Array(line.utf8))
        } throws: { error in
            (error as? EtcdError)?.code == .protocolError
        }
    }
}
