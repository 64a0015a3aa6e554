import Testing

/// `--registry` on the serving commands: a registry that cannot be used is an error naming it, before serving.
@Suite struct RegistryOptionTests {
    @Test(arguments: [
        (["a2a", "serve", "--port", "0", "--registry", "consul://x"], "--registry consul://x: use memory:// or etcd://host[:port]"),
        (["mcp", "serve", "--http", "0", "--registry", "etcd://a:b@"], "no host"),
        (["mcp", "serve", "--http", "0", "--registry", "etcd://a:b@h:2379/v2"], "unexpected path"),
        (["a2a", "serve", "--port", "0", "--registry", "etcd://127.0.0.1:1"], "etcd is unreachable"),
        (["mcp", "serve", "--http", "0", "--registry", "etcd://a:b@127.0.0.1:1"], "[http://127.0.0.1:1]"),
    ])
    func aRegistryThatCannotBeUsedIsAnErrorNamingIt(arguments: [String], message: String) async {
        let (code, _, err) = await runMicro(arguments)
        #expect(code != 0)
        #expect(err.contains(message), "\(err)")
        #expect(!err.contains("a:b"), "no credentials in the message")
    }
}
