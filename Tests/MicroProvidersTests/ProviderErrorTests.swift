import Foundation
import Micro
import MicroAgent
import Testing

@testable import MicroProviders

@Suite struct ProviderErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var status: Int
        var body: String
        var code: ModelError.Code
        var testDescription: String { "\(status) → \(code)" }
    }

    @Test(arguments: [
        Case(status: 429, body: "slow down", code: .rateLimited),
        Case(status: 401, body: #"{"error":{"message":"Incorrect API key","type":"invalid_request_error"}}"#, code: .authentication),
        Case(status: 403, body: "", code: .authentication),
        Case(status: 500, body: "", code: .overloaded),
        Case(status: 503, body: "", code: .overloaded),
        Case(status: 529, body: "", code: .overloaded),
        Case(status: 400, body: #"{"error":{"message":"bad","type":"invalid_request_error"}}"#, code: .invalidRequest),
        Case(status: 400, body: #"{"object":"error","message":"Prompt contains 40000 tokens, too large for model with 32768 maximum context length","type":"invalid_request_error"}"#, code: .contextLengthExceeded),
        Case(status: 413, body: #"{"type":"error","error":{"type":"request_too_large","message":"Request exceeds the maximum size"}}"#, code: .invalidRequest),
        Case(status: 404, body: "", code: .invalidRequest),
    ])
    func mapsStatus(_ test: Case) {
        let error = ProviderError.http(status: test.status, headers: [], body: Array(test.body.utf8), now: Date(timeIntervalSince1970: 0))
        #expect(error.code == test.code)
        #expect(error.status == test.status)
    }

    @Test func retryAfterForms() {
        let now = Date(timeIntervalSince1970: 1_000_000_000)
        #expect(ProviderError.retryAfter(headers: [("retry-after-ms", "1500")], now: now) == .milliseconds(1500))
        #expect(ProviderError.retryAfter(headers: [("retry-after-ms", "250"), ("retry-after", "9")], now: now) == .milliseconds(250))
        #expect(ProviderError.retryAfter(headers: [("Retry-After", "2")], now: now) == .seconds(2))
        let date = "Sun, 09 Sep 2001 01:47:10 GMT"  // 1_000_000_030
        #expect(ProviderError.retryAfter(headers: [("retry-after", date)], now: now) == .seconds(30))
        #expect(ProviderError.retryAfter(headers: [("retry-after", "soon")], now: now) == nil)
        #expect(ProviderError.protobufDuration("1.5s") == .milliseconds(1500))
    }

    /// Every adapter measures an HTTP-date `retry-after` from the injected wall time, not the system clock.
    @Test(arguments: ["anthropic", "openai", "gemini", "ollama"])
    func httpDateRetryAfterUsesTheInjectedNow(_ provider: String) async throws {
        let clock = VirtualClock(mode: .manual, epoch: Timestamp(millisecondsSinceEpoch: 1_000_000_000_000))
        let environment = Environment.simulated(clock: clock)
        let date = "Sun, 09 Sep 2001 01:47:10 GMT"  // 1_000_000_030 s: 30 s after the virtual now
        let transport = ScriptedHTTPTransport(.init(status: 429, headers: [("Retry-After", date)], body: "slow down"))
        let model = try ProviderCatalog.model(
            provider, transport: transport,
            environment: ["ANTHROPIC_API_KEY": "k", "OPENAI_API_KEY": "k", "GEMINI_API_KEY": "k"], now: environment.now)
        let error = await modelError(model, ModelRequest(model: "", messages: [.user("Hi")]))
        #expect(error?.code == .rateLimited)
        #expect(error?.retryAfter == .seconds(30))
        clock.advance(by: .seconds(10))
        let later = await modelError(
            try ProviderCatalog.model(
                provider, transport: ScriptedHTTPTransport(.init(status: 429, headers: [("Retry-After", date)], body: "")),
                environment: ["ANTHROPIC_API_KEY": "k", "OPENAI_API_KEY": "k", "GEMINI_API_KEY": "k"], now: environment.now),
            ModelRequest(model: "", messages: [.user("Hi")]))
        #expect(later?.retryAfter == .seconds(20))
    }

    @Test func cancellationPassesThrough() {
        #expect(ProviderError.wrap(HTTPError(.cancelled, "x")) is CancellationError)
        #expect((ProviderError.wrap(HTTPError(.timedOut, "x")) as? ModelError)?.code == .transport)
    }
}
