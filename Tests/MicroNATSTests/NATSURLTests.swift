import MicroNATS
import Testing

@Suite struct NATSURLTests {
    @Test func fullURL() throws {
        let url = try NATSURL("nats://alice:s%40cret@example.org:4333")
        #expect(url == NATSURL(host: "example.org", port: 4333, user: "alice", password: "s@cret"))
        #expect(url.description == "nats://example.org:4333")
    }

    @Test func defaultsAndToken() throws {
        #expect(try NATSURL("nats://localhost") == NATSURL(host: "localhost", port: 4222))
        #expect(try NATSURL("NATS://tok@127.0.0.1:1/") == NATSURL(host: "127.0.0.1", port: 1, token: "tok"))
        let v6 = try NATSURL("nats://[::1]:5000")
        #expect(v6 == NATSURL(host: "::1", port: 5000))
        #expect(v6.description == "nats://[::1]:5000")
    }

    @Test("malformed URLs are typed errors", arguments: [
        "", "localhost:4222", "http://localhost", "tls://localhost", "nats://", "nats://host:0", "nats://host:99999",
        "nats://host:port", "nats://host/path", "nats://:pw@host", "nats://[::1", "nats://a b", "nats://u:%zz@host",
        "nats://host?", "nats://host?&",
    ])
    func malformed(_ text: String) {
        let error = #expect(throws: NATSError.self) { try NATSURL(text) }
        #expect(error?.code == .invalidURL)
    }

    @Test func errorsDoNotLeakCredentials() {
        let error = #expect(throws: NATSError.self) { try NATSURL("nats://bob:hunter2@host:notaport") }
        #expect(error?.message.contains("hunter2") == false)
        #expect(error?.message.contains("host:notaport") == true)
    }
}
