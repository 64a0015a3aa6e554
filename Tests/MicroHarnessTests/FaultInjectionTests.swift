import Foundation
import Micro
import MicroAgent
@testable import MicroHarness
import MicroTravel
import MicroScenarioTesting
import Testing

/// Every fault kind fires, shows in the Trace, and has the effect it names.
@Suite struct FaultInjectionTests {
    /// One agent that books a hotel (store writes, a ledger charge) after a forecast, on the bus too.
    static func scenario(faults: String, retries: Int = 4, toolTimeout: String? = nil) throws -> Scenario {
        try Scenario(
            parsing: """
                name: faults
                seed: 5
                services: [hotels, payments, weather, bus]
                agents:
                  - name: agent
                    guardrails:
                      retry: {max_attempts: \(retries), initial_delay: 1s, jitter: 0}
                      \(toolTimeout.map { "tool_call_timeout: \($0)" } ?? "")
                    model:
                      script:
                        - call: {tool: weather_forecast, arguments: {city: Lisbon, from: "2026-05-01", days: 1}}
                        - call: {tool: bus_publish, arguments: {topic: news, message: hello}}
                        - call: {tool: travel_hotels_book, arguments: {hotelID: "lisbon:0", checkIn: "2026-05-01", nights: 1, guestName: Ada}}
                        - call: {tool: bus_receive, arguments: {topic: news}}
                        - text: done
                run:
                  agent: agent
                  prompt: go
                faults:
                \(faults)
                expect:
                  - fault_injected: true
                """, file: "faults.yaml", catalog: .travel)
    }

    static func injected(_ outcome: ScenarioOutcome) -> [String] {
        outcome.trace.filter { $0.kind == .faultInjected }.map { "\($0.data["target"]?.stringValue ?? "") \($0.data["kind"]?.stringValue ?? "")" }
    }

    @Test(arguments: [
        ("rate_limit", 429, "rate_limited"), ("server_error", 500, "overloaded"), ("unavailable", 503, "overloaded"),
        ("overloaded", 529, "overloaded"),
    ])
    func modelHTTPErrorsAreRetriedAfterRetryAfter(kind: String, status: Int, code: String) async throws {
        let outcome = await ScenarioRunner.run(try Self.scenario(faults: "  - {target: model, kind: \(kind), retry_after: 7s}"))
        #expect(outcome.passed, "\(outcome.failures)")
        let error = try #require(outcome.trace.first { $0.kind == .modelError })
        #expect(error.data["status"] == .integer(status))
        #expect(error.data["code"] == .string(code))
        let retry = try #require(outcome.trace.first { $0.kind == .modelRetry })
        #expect(retry.data["delayMs"] == .integer(7000))
        #expect(outcome.result?.output == "done")
    }

    @Test(arguments: ["timeout", "connection_reset", "truncated_stream", "slow_dribble", "context_length_exceeded"])
    func modelStreamFaultsAreRecoveredFrom(kind: String) async throws {
        let outcome = await ScenarioRunner.run(try Self.scenario(faults: "  - {target: model, kind: \(kind), latency: 2s}"))
        #expect(outcome.failures.isEmpty, "\(outcome.failures)")
        #expect(Self.injected(outcome) == ["model \(kind)"])
        #expect(outcome.result?.status == .completed)
        if kind == "truncated_stream" {
            #expect(outcome.trace.first { $0.kind == .modelError }?.data["code"] == "truncated")
        }
        if kind == "slow_dribble" { #expect(outcome.virtualDuration >= .seconds(2)) }
    }

    /// A chunk that is not valid JSON is a transient failure, retried as the SDKs' users would; when every
    /// attempt meets one, the run fails with a clear error.
    @Test func aMalformedChunkIsRetriedAndFailsTheRunOnlyWhenEveryAttemptMeetsOne() async throws {
        let once = await ScenarioRunner.run(try Self.scenario(faults: "  - {target: model, kind: malformed_chunk, call: 2}"))
        #expect(once.result?.status == .completed)
        #expect(once.trace.first { $0.kind == .modelError }?.data["code"] == "malformed_response")
        #expect(once.trace.contains { $0.kind == .modelRetry })
        let always = await ScenarioRunner.run(try Self.scenario(faults: "  - {target: model, kind: malformed_chunk, every: 1}", retries: 2))
        #expect(always.result?.status == .failed)
        #expect(always.result?.failure?.message.contains("malformed_response") == true)
    }

    @Test(arguments: ["error", "timeout", "wrong_shape"])
    func toolFaultsBecomeToolResults(kind: String) async throws {
        let outcome = await ScenarioRunner.run(
            try Self.scenario(faults: "  - {target: tool, kind: \(kind), tool: weather_forecast, latency: 1s}"))
        #expect(outcome.failures.isEmpty, "\(outcome.failures)")
        let result = try #require(outcome.trace.first { $0.kind == .toolResult && $0.data["tool"] == "weather_forecast" })
        #expect(result.data["isError"] == .bool(kind != "wrong_shape"))
        if kind == "wrong_shape" { #expect(result.data["content"]?["unexpected"] == "shape") }
    }

    /// A `timeout` hangs until the tool deadline cancels it; a `latency` longer than the time left is cut at
    /// the deadline, a shorter one is not. Decided by virtual time: the cut lands exactly on the deadline.
    @Test(arguments: [("timeout", nil, 5), ("latency", "90s", 5), ("latency", "3s", nil)] as [(String, String?, Int64?)])
    func toolFaultsMeetTheToolDeadline(kind: String, latency: String?, cutAfter: Int64?) async throws {
        let fault = "  - {target: tool, kind: \(kind), tool: weather_forecast\(latency.map { ", latency: \($0)" } ?? "")}"
        let outcome = await ScenarioRunner.run(try Self.scenario(faults: fault, toolTimeout: "5s"))
        #expect(outcome.failures.isEmpty, "\(outcome.failures)")
        let call = try #require(outcome.trace.first { $0.kind == .toolCall && $0.data["tool"] == "weather_forecast" })
        let result = try #require(outcome.trace.first { $0.kind == .toolResult && $0.data["tool"] == "weather_forecast" })
        let deadlines = outcome.trace.filter { $0.kind == .deadlineExceeded }
        if let cutAfter {
            #expect(result.data["content"]?["error"]?["code"] == "deadline_exceeded")
            #expect(deadlines.map { $0.data["deadline"]?["kind"] } == ["tool"])
            #expect(result.at.duration(since: call.at) == .seconds(cutAfter))
        } else {
            #expect(result.data["isError"] == false)
            #expect(deadlines.isEmpty)
            #expect(result.at.duration(since: call.at) == .seconds(3))
        }
        #expect(outcome.result?.status == .completed)
    }

    @Test func toolLatencyRunsOnTheVirtualClock() async throws {
        let outcome = await ScenarioRunner.run(try Self.scenario(faults: "  - {target: tool, kind: latency, latency: 90s}"))
        #expect(outcome.failures.isEmpty, "\(outcome.failures)")
        #expect(outcome.virtualDuration >= .seconds(90))
    }

    @Test func aFailedStoreWriteFailsTheBookingNotTheRun() async throws {
        let outcome = await ScenarioRunner.run(
            try Self.scenario(faults: "  - {target: store, kind: write_failed, times: 100}"))
        #expect(outcome.failures.isEmpty, "\(outcome.failures)")
        let booking = try #require(outcome.trace.first { $0.kind == .toolResult && $0.data["tool"] == "travel_hotels_book" })
        #expect(booking.data["isError"] == true)
    }

    @Test func aSlowStoreWriteWaitsOnTheVirtualClock() async throws {
        let outcome = await ScenarioRunner.run(try Self.scenario(faults: "  - {target: store, kind: slow_write, latency: 40s}"))
        #expect(outcome.failures.isEmpty, "\(outcome.failures)")
        #expect(outcome.virtualDuration >= .seconds(40))
    }

    @Test func aFailedCheckpointCommitStopsTheRunWithACheckpointError() async throws {
        let scenario = try Self.scenario(faults: "  - {target: checkpointer, kind: write_failed, call: 3}")
        let outcome = await ScenarioRunner.run(scenario)
        #expect(outcome.error?.contains("storage") == true, "\(outcome.error ?? "no error")")
        #expect(Self.injected(outcome) == ["checkpointer write_failed"])
    }

    @Test(arguments: [("drop", "[]"), ("duplicate", #"["hello","hello"]"#), ("delay", #"["hello"]"#)])
    func brokerFaultsChangeWhatIsDelivered(kind: String, delivered: String) async throws {
        let outcome = await ScenarioRunner.run(try Self.scenario(faults: "  - {target: broker, kind: \(kind), topic: news, latency: 3s}"))
        #expect(outcome.failures.isEmpty, "\(outcome.failures)")
        let received = try #require(outcome.trace.first { $0.kind == .toolResult && $0.data["tool"] == "bus_receive" })
        #expect(received.data["content"]?["messages"]?.canonicalString() == delivered)
    }

    @Test func aProcessCrashResumesFromTheLatestCheckpoint() async throws {
        let outcome = await ScenarioRunner.run(try Self.scenario(faults: "  - {target: process, kind: crash, call: 9}"))
        #expect(outcome.failures.isEmpty, "\(outcome.failures)")
        #expect(outcome.crashes == 1)
        #expect(outcome.trace.contains { $0.kind == .crashed })
        #expect(outcome.trace.contains { $0.kind == .resumed })
        #expect(outcome.result?.output == "done")
    }

    /// A process killed mid-run leaves its fault decisions and counts in the store: the process that resumes
    /// meets the faults the uninterrupted run would (the n-th call stays the n-th), and a call it repeats (the
    /// same idempotency key, or the same model turn) meets the same decision. Two worlds on one SQLite file
    /// stand for the two processes.
    @Test(arguments: [
        ("{target: tool, kind: error, tool: weather_forecast, call: 1}", "before_model:2", [true, false], "before_tool:1:0"),
        ("{target: tool, kind: error, tool: weather_forecast, call: 2}", "before_tool:2:0", [false, true], "before_tool:2:0"),
        ("{target: model, kind: rate_limit, retry_after: 1s, call: 2}", "before_model:2", [false, false], "before_model:2"),
    ])
    func aResumedProcessMeetsTheFaultsOfTheUninterruptedRun(fault: String, killAt: String, errors: [Bool], juncture: String) async throws {
        struct Killed: Error {}
        let scenario = try Scenario(
            parsing: """
                name: remembered faults
                seed: 5
                services: [weather]
                agents:
                  - name: agent
                    guardrails: {retry: {max_attempts: 3, initial_delay: 1s, jitter: 0}}
                    model:
                      script:
                        - call: {tool: weather_forecast, arguments: {city: Lisbon, from: "2026-05-01", days: 1}}
                        - call: {tool: weather_forecast, arguments: {city: Lisbon, from: "2026-05-01", days: 1}}
                        - text: done
                run: {agent: agent, prompt: go}
                faults:
                  - \(fault)
                """, file: "remembered.yaml", catalog: .travel)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("faults-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = try await World(scenario, storage: .sqlite(path: path))
        _ = await ScenarioRunner.run(in: first) { checkpoint in
            if checkpoint.juncture.description == killAt { throw Killed() }
        }
        let second = try await World(scenario, storage: .sqlite(path: path))
        let resumed = await ScenarioRunner.run(in: second, resume: true)
        #expect(resumed.result?.output == "done", "\(resumed.failures)")
        // Each call's last result (the resumed process's, for a call it repeated), by step: erroring as the plan says.
        var lastResult: [Int: Bool] = [:]
        for event in first.trace.all + second.trace.all where event.kind == .toolResult {
            lastResult[event.step] = event.data["isError"]?.boolValue ?? false
        }
        #expect(lastResult.sorted { $0.key < $1.key }.map(\.value) == errors)
        // Where each fault fired: the juncture of the checkpoint just before it.
        let fired = [first.trace.all, second.trace.all].flatMap { events in
            events.indices.filter { events[$0].kind == .faultInjected }.map { index in
                events[..<index].last { $0.kind == .checkpoint }?.data["juncture"]?.stringValue ?? ""
            }
        }
        #expect(fired == [juncture])
    }

    @Test func triggersCountTheirOwnCalls() {
        let random = RandomSource.seeded(1)
        #expect((1...6).filter { FaultTrigger(call: 3).fires(count: $0, random: random) } == [3])
        #expect((1...6).filter { FaultTrigger(every: 2).fires(count: $0, random: random) } == [2, 4, 6])
        #expect((1...6).filter { FaultTrigger(times: 2).fires(count: $0, random: random) } == [1, 2])
        #expect((1...6).filter { FaultTrigger().fires(count: $0, random: random) } == [1])
        let draws = (1...1000).filter { FaultTrigger(probability: 0.3).fires(count: $0, random: random) }.count
        #expect((200...400).contains(draws))
    }

    @Test func aMatchLimitsAFaultToMatchingCalls() async throws {
        let outcome = await ScenarioRunner.run(
            try Self.scenario(faults: "  - {target: tool, kind: error, match: \"lisbon:0\"}"))
        #expect(outcome.failures.isEmpty, "\(outcome.failures)")
        #expect(outcome.trace.first { $0.kind == .faultInjected }?.data["tool"] == "travel_hotels_book")
    }
}

/// Model faults under a provider adapter arrive as wire bytes, and the adapter's own error handling reads them.
@Suite struct WireFaultTests {
    static func recorded(_ provider: String, fault: String) throws -> Scenario {
        let file = try #require(ScenarioTests.files(in: "Scenarios").first { $0.name == "recorded-\(provider).yaml" })
        var scenario = try Scenario.load(file: file.path, catalog: .travel)
        scenario.faults = try Scenario(parsing: """
            name: f
            agents: [{name: a, model: {script: [{text: x}]}}]
            run: {agent: a, prompt: p}
            faults:
              - \(fault)
            """, file: "f.yaml", catalog: .travel).faults
        return scenario
    }

    @Test(arguments: ["anthropic", "openai", "gemini"])
    func errorResponsesAreParsedAndRetriedAfterRetryAfter(provider: String) async throws {
        for (kind, status, code) in [("rate_limit", 429, "rate_limited"), ("overloaded", 529, "overloaded"), ("unavailable", 503, "overloaded")] {
            let outcome = await ScenarioRunner.run(try Self.recorded(provider, fault: "{target: model, kind: \(kind), retry_after: 3s}"))
            #expect(outcome.failures.isEmpty, "\(provider) \(kind): \(outcome.failures)")
            let error = try #require(outcome.trace.first { $0.kind == .modelError }, "\(provider) \(kind)")
            #expect(error.data["status"] == .integer(status), "\(provider) \(kind)")
            #expect(error.data["code"] == .string(code), "\(provider) \(kind)")
            #expect(error.data["retryAfterMs"] == 3000, "\(provider) \(kind)")
            #expect(outcome.trace.first { $0.kind == .modelRetry }?.data["delayMs"] == 3000)
        }
    }

    @Test(arguments: ["anthropic", "openai", "gemini"])
    func cutAndSlowStreamsAndResetsAreRecoveredFrom(provider: String) async throws {
        for kind in ["truncated_stream", "slow_dribble", "connection_reset", "timeout"] {
            let outcome = await ScenarioRunner.run(try Self.recorded(provider, fault: "{target: model, kind: \(kind), latency: 2s}"))
            #expect(outcome.failures.isEmpty, "\(provider) \(kind): \(outcome.failures)")
            if kind == "truncated_stream" {
                #expect(outcome.trace.first { $0.kind == .modelError }?.data["code"] == "truncated", "\(provider)")
            }
        }
    }

    @Test(arguments: ["anthropic", "openai", "gemini"])
    func aMalformedChunkIsAMalformedResponse(provider: String) async throws {
        let outcome = await ScenarioRunner.run(try Self.recorded(provider, fault: "{target: model, kind: malformed_chunk}"))
        #expect(outcome.trace.first { $0.kind == .modelError }?.data["code"] == "malformed_response", "\(outcome.trace.filter { $0.kind == .modelError })")
    }
}

/// One process builds its agents once: the run's runner and the A2A servers' share the models and cassettes.
@Suite struct WorldProcessTests {
    @Test func anA2AServerBesideARecordedAgentLeavesNoRecordingUnused() async throws {
        let file = try #require(ScenarioTests.files(in: "Scenarios").first { $0.name == "recorded-anthropic.yaml" })
        let text = try String(contentsOfFile: file.path, encoding: .utf8)
            .replacingOccurrences(of: "run:\n", with: "  - name: helper\n    a2a: true\n    model: {script: [{text: hi}]}\nrun:\n")
        let outcome = await ScenarioRunner.run(try Scenario(parsing: text, file: file.path, catalog: .travel))
        #expect(outcome.failures.isEmpty, "\(outcome.failures)")
    }

    @Test(arguments: [
        (["travel"], ["travel.flights", "travel.hotels", "payments", "weather"]), (["hotels"], ["travel.hotels"]),
        (["bus", "weather"], ["bus", "weather"]), ([], []),
    ])
    func shortServiceNamesStandForTheSameServicesInServicesAndTools(tools: [String], scope: [String]) async throws {
        let scenario = try Scenario(
            parsing: "name: n\nservices: [travel, bus]\nagents:\n  - {name: a, tools: \(tools), model: {script: [{text: hi}]}}\nrun: {agent: a, prompt: p}\n",
            file: "n.yaml", catalog: .travel)
        let world = try await World(scenario)
        #expect(try world.agents()[0].tools == .services(scope))
    }

    @Test func aRestartBuildsFreshModels() async throws {
        let world = try await World(try Scenario(parsing: ScenarioParsingTests.minimal, file: "m.yaml", catalog: .travel))
        // Each agent's model is measured (``MeasuredModel``) around its script.
        func script() throws -> ScriptedModel? { (try world.agents()[0].model as? MeasuredModel)?.base as? ScriptedModel }
        let first = try #require(try script())
        #expect(try script() === first)
        world.restart()
        #expect(try script() !== first)
    }
}
