import Micro
import MicroEtcd
import Testing

@Suite struct EtcdURLTests {
    @Test(arguments: [
        ("http://127.0.0.1:2379", "http://127.0.0.1:2379"),
        ("http://localhost", "http://localhost:2379"),
        ("HTTPS://etcd.example:4001/", "https://etcd.example:4001"),
        ("http://[::1]:2379", "http://[::1]:2379"),
        ("etcd://10.0.0.7:2380", "http://10.0.0.7:2380"),
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
        ("", "expected http://host:port"), ("127.0.0.1:2379", "expected http://host:port"), ("nats://127.0.0.1:4222", "scheme must be http, https or etcd"),
        ("http://", "no host"), ("http://127.0.0.1:2379/v3", "unexpected path"), ("http://h:2379?x=1", "query"), ("http://h:2379?", "query"), ("http://h:2379?&", "query"),
        ("http://h:0", "port must be"), ("http://root@h:2379", "without a password"),
    ])
    func rejectsMalformed(_ text: String, _ why: String) {
        #expect {
            try EtcdURL(text)
        } throws: { error in
            guard let error = error as? EtcdError else { return false }
            return error.code == .invalidURL && error.message.contains(why) && error.message.contains(EngineURL.redacted(text).debugDescription)
        }
    }

    @Test func errorsDoNotQuoteThePassword() {
        let error = #expect(throws: EtcdError.self) { try EtcdURL("http://root:hunter2@h:notaport") }
        #expect(error?.message.contains("hunter2") == false)
        #expect(error?.message.contains("h:notaport") == true)
    }
}
