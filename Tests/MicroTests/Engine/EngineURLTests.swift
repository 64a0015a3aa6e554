import Micro
import Testing

@Suite struct EngineURLTests {
    @Test func allParts() throws {
        let url = try EngineURL("Postgres://us%40r:p%3Aw@[::1]:6000/my%20db?sslmode=require&x=%2F")
        #expect(url.scheme == "postgres")
        #expect(url.user == "us@r")
        #expect(url.password == "p:w")
        #expect(url.host == "::1")
        #expect(url.port == 6000)
        #expect(url.path == "/my db")
        #expect(url.query.map { "\($0.name)=\($0.value)" } == ["sslmode=require", "x=/"])
        #expect(url.authority(defaultPort: 1) == "[::1]:6000")
    }

    @Test func optionalParts() throws {
        let url = try EngineURL("nats://token@localhost")
        #expect(url.user == "token")
        #expect(url.password == nil)
        #expect(url.port == nil)
        #expect(url.path == "")
        #expect(url.authority(defaultPort: 4222) == "localhost:4222")
        #expect(try EngineURL("nats://u:@h").password == "")
        #expect(try EngineURL("etcd://h/").path == "/")
        #expect(try EngineURL("etcd://h").hasQuery == false)
        #expect(try EngineURL("etcd://h?").hasQuery && EngineURL("etcd://h?").query.isEmpty)
        #expect(EngineURL.authority(host: "[::1]", port: 1) == "[::1]:1")
    }

    @Test(arguments: [
        ("", "expected scheme://host"), ("localhost:4222", "expected scheme://host"), ("1x://h", "malformed scheme"),
        ("nats://", "no host"), ("nats://u:p@", "no host"), ("nats://h:0", "port must be"), ("nats://h:99999", "port must be"),
        ("nats://h:", "port must be"), ("nats://h:abc", "port must be"), ("nats://[::1", "unclosed ["),
        ("nats://[zz]:1", "malformed IPv6 host"), ("nats://[::1]x", "after the IPv6 host"), ("nats://a b", "malformed host"),
        ("nats://u:%zz@h", "in the password"), ("nats://%zz@h", "in the user name"), ("nats://h/%zz", "in the path"),
        ("nats://h#frag", "fragment"), ("nats://h?novalue", "is not name=value"), ("nats://h?=v", "is not name=value"),
    ])
    func rejects(_ text: String, _ reason: String) {
        let error = #expect(throws: EngineURLError.self) { try EngineURL(text) }
        #expect(error?.reason.contains(reason) == true, "\(String(describing: error))")
    }

    @Test(arguments: [
        ("postgres://u:hunter2@h/d", "postgres://***@h/d"), ("nats://tok@h", "nats://***@h"), ("http://h:1", "http://h:1"),
        ("u:hunter2@h", "(unparsable URL)"), ("x://h/p@q", "x://h/p@q"),
    ])
    func redacts(_ text: String, _ shown: String) {
        #expect(EngineURL.redacted(text) == shown)
    }

    @Test func percentEncodingRoundTrips() {
        let text = "a b/c@d:é"
        #expect(EngineURL.percentEncoded(text) == "a%20b%2Fc%40d%3A%C3%A9")
        #expect(EngineURL.percentDecoded(Substring(EngineURL.percentEncoded(text))) == text)
        #expect(EngineURL.percentDecoded("%C3") == nil)  // not UTF-8
    }
}
