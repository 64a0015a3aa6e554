import MicroEtcd
import Testing

@Suite struct EtcdURLTests {
    @Test(arguments: [
        ("http://127.0.0.1:2379", "http://127.0.0.1:2379"),
        ("http://localhost", "http://localhost:2379"),
        ("HTTPS://etcd.example:4001/", "https://etcd.example:4001"),
        ("http://[::1]:2379", "http://[::1]:2379"),
    ])
    func parses(_ text: String, _ base: String) throws {
        #expect(try EtcdURL(text).base == base)
    }

    @Test func keepsCredentialsOutOfTheBase() throws {
        let url = try EtcdURL("http://root:s%40cret@127.0.0.1:2379")
        #expect(url.user == "root")
        #expect(url.password == "s@cret")
        #expect(url.description == "http://127.0.0.1:2379")
    }

    @Test(arguments: [
        ("", "expected http://host:port"), ("127.0.0.1:2379", "expected http://host:port"), ("nats://127.0.0.1:4222", "scheme must be http"),
        ("http://", "no host"), ("http://127.0.0.1:2379/v3", "unexpected path"), ("http://h:2379?x=1", "query"),
        ("http://h:0", "out of range"), ("http://root@h:2379", "without a password"),
    ])
    func rejectsMalformed(_ text: String, _ why: String) {
        #expect {
            try EtcdURL(text)
        } throws: { error in
            guard let error = error as? EtcdError else { return false }
            return error.code == .invalidURL && error.message.contains(why) && error.message.contains(text.debugDescription)
        }
    }
}
