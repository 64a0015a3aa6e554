import Foundation
import Micro
import MicroAgent
import MicroProviders
@testable import MicroReplay
import Testing

/// The stand-in as a chaos upstream: seeded faults, and a judge of how clients retry them.
@Suite struct StandInChaosTests {
    static let body = Array(#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#.utf8)

    @Test func aRequestMeetsAtMostItsShareOfFaultsAndAnImmediateRetryIgnoresRetryAfter() {
        let judge = RetryJudge(chaos: StandInChaos(rateLimit: 1, retryAfter: .seconds(30)))
        #expect(judge.arrive(Self.body) == .rateLimit)
        #expect(judge.arrive(Self.body) == nil, "one fault per request: the retry gets through")
        let report = judge.report
        #expect(report["requests"] == 2)
        #expect(report["faults"] == ["rate_limit": 1])
        #expect(report["retries"]?[0]?["ok"] == false, "retried at once where 30 s were advertised")
        #expect(report["retryAfterIgnored"] == 1)
        #expect(report["gaveUp"] == 0)
    }

    @Test func aRetryAfterNothingAdvertisedIsJudgedOkAndAFaultNeverRetriedIsGivingUp() {
        let judge = RetryJudge(chaos: StandInChaos(cut: 1))
        #expect(judge.arrive(Self.body) == .cut)
        #expect(judge.arrive(Self.body) == nil)
        #expect(judge.arrive(Array("other".utf8)) == .cut)
        #expect(judge.report["retries"]?[0]?["ok"] == true)
        #expect(judge.report["retries"]?[0]?["advertisedMs"] == .null)
        #expect(judge.report["gaveUp"] == 1)
    }

    @Test func contextWindowRejectionsAreNotExpectedToBeRetried() {
        let judge = RetryJudge(chaos: StandInChaos(contextWindow: 1))
        #expect(judge.arrive(Self.body) == .contextWindow)
        #expect(judge.report["gaveUp"] == 0)
    }

    /// The same seed draws the same faults in the same order; the rates split the draws.
    @Test func drawsFollowTheSeedAndTheRates() {
        let chaos = StandInChaos(seed: 7, rateLimit: 0.3, serverError: 0.2, cut: 0.1)
        func draws() -> [StandInChaos.Fault?] {
            let judge = RetryJudge(chaos: chaos)
            return (0..<200).map { judge.arrive(Array("request \($0)".utf8)) }
        }
        let first = draws()
        #expect(first == draws())
        let limits = first.count { $0 == .rateLimit }
        #expect((40...80).contains(limits), "\(limits) rate limits in 200 at 30 %")
        #expect(!first.contains(.malformed))
    }

    /// Through HTTP, with our own adapter as the client: each fault is what the adapter reads it as.
    @Test(arguments: [
        (StandInChaos(rateLimit: 1, retryAfter: .seconds(3)), ModelError.Code.rateLimited),
        (StandInChaos(serverError: 1), .overloaded),
        (StandInChaos(cut: 1), .truncated),
        (StandInChaos(malformed: 1), .malformedResponse),
        (StandInChaos(contextWindow: 1), .contextLengthExceeded),
    ])
    func eachFaultReachesTheClientAsItsKindOfError(chaos: StandInChaos, code: ModelError.Code) async throws {
        let server = StandInServer(logger: quietLogger, judge: RetryJudge(chaos: chaos))
        let error = try await withLoopbackServer({ server.application(onRunning: $0) }) { port in
            let model = try StandInServerTests.model("openai", port: port)
            do {
                _ = try await model.respond(to: ModelRequest(model: "", messages: [.user("hi")]))
                return ModelError?.none
            } catch let error as ModelError {
                return error
            }
        }
        #expect(error?.code == code, "\(String(describing: error))")
        if code == .rateLimited { #expect(error?.retryAfter == .seconds(3)) }
    }
}

/// A cassette's recorded requests sent again to an upstream (here the stand-in), answers compared by shape.
@Suite struct CassetteDriftCheckTests {
    static let recordings = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Recordings").path

    @Test(arguments: ["openai-tool-call", "anthropic-tool-call", "gemini-tool-call", "ollama-tool-call", "scenario-openai"])
    func theBundledRecordingsMatchTheStandInTheyWereMadeFrom(name: String) async throws {
        let cassette = try Cassette.load(from: "\(Self.recordings)/\(name).json")
        let server = StandInServer(logger: quietLogger)
        let drifts = try await withLoopbackServer({ server.application(onRunning: $0) }) { port in
            await CassetteDrift.check(cassette, upstream: "http://127.0.0.1:\(port)", transport: CurlTransport(), environment: [:])
        }
        #expect(drifts.count == cassette.interactions.count)
        #expect(drifts.allSatisfy { !$0.drifted }, "\(drifts.map(\.description))")
    }

    @Test func anEditedRecordingDriftsFromTheUpstream() async throws {
        var cassette = try Cassette.load(from: "\(Self.recordings)/openai-tool-call.json")
        let body = String(decoding: cassette.interactions[0].response!.chunks.flatMap(\.data.bytes), as: UTF8.self)
            .replacingOccurrences(of: #""finish_reason":"tool_calls""#, with: #""finish_reason":"tool_calls","seed":7"#)
        cassette.interactions[0].response!.chunks = [Cassette.Chunk(offsetMs: 0, data: Cassette.Body(bytes: Array(body.utf8)))]
        let edited = cassette
        let server = StandInServer(logger: quietLogger)
        let drifts = try await withLoopbackServer({ server.application(onRunning: $0) }) { port in
            await CassetteDrift.check(edited, upstream: "http://127.0.0.1:\(port)", transport: CurlTransport(), environment: [:])
        }
        #expect(drifts.first?.changes == ["missing fields: $.choices[].seed: number"], "\(drifts.map(\.description))")
    }

    @Test func anUpstreamThatDoesNotAnswerIsReportedNotChecked() async throws {
        let cassette = try Cassette.load(from: "\(Self.recordings)/openai-answer.json")
        let drifts = await CassetteDrift.check(cassette, upstream: "http://127.0.0.1:9", transport: CurlTransport(), environment: [:])
        #expect(drifts.first?.error != nil)
        #expect(drifts.first?.description.contains("not checked") == true)
    }
}
