import MicroProviders
import Testing

@Suite struct CurlTests {
    @Test func reportsVersionAndHTTPSupport() {
        #expect(Curl.versionDescription.hasPrefix("libcurl "))
        #expect(Curl.protocols.contains("http"))
        #expect(Curl.protocols.contains("https"))
    }

    @Test(arguments: [("a b&c=d", "a%20b%26c%3Dd"), ("plain", "plain"), ("é/", "%C3%A9%2F")])
    func escapesThroughAHandle(input: String, expected: String) {
        #expect(Curl.escape(input) == expected)
    }
}
