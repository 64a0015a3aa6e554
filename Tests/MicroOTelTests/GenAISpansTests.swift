import Foundation
import Micro
import MicroAgent
import MicroHarness
import MicroOTel
import Testing

/// Spans from Traces: names, parents, attributes, usage and times, on bundled scenarios and hand-written traces.
@Suite struct GenAISpansTests {
    @Test func aDelegationTreeBecomesNestedAgentToolAndModelSpans() async throws {
        let outcome = try await Bundled.outcome("travel-delegation-tree")
        #expect(outcome.passed)
        let spans = outcome.record.otelSpans(checks: outcome.checks)
        // One trace; the workflow root; the coordinator under it; the booker under the coordinator's delegate call.
        #expect(Set(spans.map(\.traceID)).count == 1)
        let root = try #require(spans.first { $0.parentSpanID == nil })
        #expect(root.name == "invoke_workflow coordinator plans, delegates the hotel to a booker, pays a deposit")
        #expect(spans.filter { $0.parentSpanID == nil }.count == 1)
        let booker = try #require(spans.named("invoke_agent booker").first)
        #expect(spans.ancestry(of: booker) == [
            "invoke_agent booker", "execute_tool delegate", "invoke_agent coordinator", root.name,
        ])
        #expect(booker.attribute("micro.run.parent_id") == .string("run"))
        // Every span's parent is in the trace, and every child lies within its parent.
        for span in spans {
            guard let parentID = span.parentSpanID else { continue }
            let parent = try #require(spans.with(id: parentID), "\(span.name) has a parent outside the trace")
            #expect(parent.startUnixNano <= span.startUnixNano && span.endUnixNano <= parent.endUnixNano, "\(span.name)")
        }
        // Model calls: one per step, under their run's agent span, with the scripted provider and usage.
        let coordinatorChats = spans.filter { $0.name.hasPrefix("chat ") && spans.with(id: $0.parentSpanID)?.name == "invoke_agent coordinator" }
        #expect(coordinatorChats.count == 4)
        #expect(spans.filter { $0.name.hasPrefix("chat ") }.count == 7)
        let responses = outcome.record.trace.filter { $0.kind == .modelResponse }
        let chats = spans.filter { $0.name.hasPrefix("chat ") }
        #expect(chats.map { $0.attribute("gen_ai.usage.input_tokens")?.intValue } == responses.map { Optional(Int64($0.usage!.inputTokens)) })
        #expect(chats.allSatisfy { $0.kind == .client && $0.attribute("gen_ai.operation.name") == .string("chat") })
        #expect(chats.allSatisfy { $0.attribute("gen_ai.provider.name") == .string("scripted") })
        #expect(chats.first?.attribute("gen_ai.request.model") == .string("coordinator"))
        #expect(chats.first?.attribute("gen_ai.response.finish_reasons") == .strings(["tool_use"]))
        // The agent spans sum their own run's tokens; the root sums the whole record's.
        let coordinator = try #require(spans.named("invoke_agent coordinator").first)
        let ownInput = outcome.record.trace.filter { $0.runID == "run" }.compactMap(\.usage).map(\.inputTokens).reduce(0, +)
        #expect(coordinator.attribute("gen_ai.usage.input_tokens") == .int(Int64(ownInput)))
        #expect(root.attribute("gen_ai.usage.input_tokens") == .int(Int64(outcome.record.totalUsage.total.inputTokens)))
        #expect(root.attribute("micro.checks.failed") == .int(0))
        #expect(root.events.filter { $0.name == "micro.check" }.count == outcome.checks.count)
        // Tool calls: name, call id, idempotency key, under the agent that made them.
        let book = try #require(spans.named("execute_tool travel_hotels_book").first)
        #expect(book.attribute("gen_ai.tool.name") == .string("travel_hotels_book"))
        #expect(book.attribute("gen_ai.tool.call.id") != nil)
        #expect(book.attribute("micro.idempotency_key")?.stringValue?.hasPrefix("run-s") == true)
        #expect(spans.with(id: book.parentSpanID)?.name == "invoke_agent booker")
        // Keys are unique in every span and event (a checkpoint's own sequence is not the trace position).
        for span in spans {
            #expect(Set(span.attributes.map(\.key)).count == span.attributes.count, "\(span.name)")
            for event in span.events { #expect(Set(event.attributes.map(\.key)).count == event.attributes.count, "\(event.name)") }
        }
        let checkpoint = try #require(spans.flatMap(\.events).first { $0.name == "micro.checkpoint" })
        #expect(checkpoint.attributes.contains(.int("micro.sequence", 1)))
        #expect(checkpoint.attributes.contains(.string("micro.juncture", "started")))
        // Checkpoints are events, not spans.
        #expect(spans.flatMap(\.events).filter { $0.name == "micro.checkpoint" }.count == outcome.record.trace.filter { $0.kind == .checkpoint }.count)
    }

    @Test func spanTimesAreTheTracesVirtualTimes() async throws {
        let outcome = try await Bundled.outcome("deadlines")
        let spans = outcome.record.otelSpans()
        let trace = outcome.record.trace
        // Every event lies within its span.
        for span in spans {
            for event in span.events {
                #expect(span.startUnixNano <= event.timeUnixNano && event.timeUnixNano <= span.endUnixNano, "\(event.name) on \(span.name)")
            }
        }
        for span in spans where span.name.hasPrefix("chat ") || span.name.hasPrefix("execute_tool ") {
            #expect(span.startUnixNano % 1_000_000 == 0)
            #expect(trace.contains { UInt64($0.at.millisecondsSinceEpoch) * 1_000_000 == span.startUnixNano })
        }
        // The tool the deadline cut ran for its 5 s limit of virtual time, and ended in an error.
        let cut = try #require(spans.first { $0.attribute("error.type") == .string("deadline_exceeded") && $0.name.hasPrefix("execute_tool ") })
        #expect(cut.endUnixNano - cut.startUnixNano == 5_000_000_000)
        #expect(cut.status.code == .error)
        #expect(cut.events.contains { $0.name == "micro.deadline_exceeded" })
        let calls = trace.filter { $0.kind == .toolCall }
        let first = try #require(calls.first)
        #expect(spans.first { $0.name == "execute_tool \(first.toolCall!.name)" }?.startUnixNano == UInt64(first.at.millisecondsSinceEpoch) * 1_000_000)
    }

    @Test func retriedModelErrorsAreFailedChatSpansWithTheirCodeAndStatus() async throws {
        let outcome = try await Bundled.outcome("rate-limit-retries")
        let spans = outcome.record.otelSpans()
        let chats = spans.filter { $0.name.hasPrefix("chat ") }
        let failed = chats.filter { $0.status.code == .error }
        #expect(failed.map { $0.attribute("error.type") } == [.string("rate_limited"), .string("overloaded")])
        #expect(failed.map { $0.attribute("http.response.status_code") } == [.int(429), .int(529)])
        #expect(failed.map { $0.attribute("micro.attempt") } == [.int(1), .int(2)])
        #expect(chats.filter { $0.status.code == .unset }.allSatisfy { $0.attribute("gen_ai.usage.output_tokens") != nil })
        // The 20 s wait is on the agent span, between the two attempts.
        let agent = try #require(spans.first { $0.name.hasPrefix("invoke_agent ") })
        let retries = agent.events.filter { $0.name == "micro.model_retry" }
        #expect(retries.count == 2)
        #expect(retries.first?.attributes.contains(.int("micro.delay_ms", 20000)) == true)
        #expect(chats[1].startUnixNano - chats[0].endUnixNano == 20_000_000_000)
    }

    @Test func aFailingToolIsAnErrorSpanAndACrashAndResumeAreEvents() async throws {
        let failures = try await Bundled.outcome("tool-failures").record.otelSpans()
        let failedTools = failures.filter { $0.name.hasPrefix("execute_tool ") && $0.status.code == .error }
        #expect(!failedTools.isEmpty)
        #expect(failedTools.allSatisfy { $0.attribute("error.type") != nil && !$0.status.message.isEmpty })

        let crash = try await Bundled.outcome("crash-resume")
        #expect(crash.record.crashes == 1)
        let spans = crash.record.otelSpans()
        let agent = try #require(spans.named("invoke_agent booker").first)
        #expect(agent.events.map(\.name).filter { ["micro.crashed", "micro.resumed"].contains($0) } == ["micro.crashed", "micro.resumed"])
        let root = try #require(spans.first { $0.parentSpanID == nil })
        #expect(root.events.map(\.name) == ["micro.crashed", "micro.resumed"])
        #expect(root.attribute("micro.crashes") == .int(1))
        // The run is one span across the crash, and the booking one tool span.
        #expect(spans.named("invoke_agent booker").count == 1)
        #expect(spans.named("execute_tool travel_hotels_book").count == 1)
    }

    @Test func aCrashEndsEveryCallInFlightWithAnError() {
        var trace = TraceBuilder()
        trace.add(.runStarted, ms: 0, ["parent": nil, "depth": 0])
        trace.add(.modelRequest, ms: 10, ["model": "m", "attempt": 1])
        trace.add(.modelResponse, ms: 20, ["usage": ["inputTokens": 5, "outputTokens": 2], "stopReason": "tool_use"])
        trace.add(.toolCall, step: 1, ms: 30, ["tool": "slow", "callID": "c1", "arguments": ["x": 1]])
        trace.add(.toolCall, step: 1, ms: 30, ["tool": "fast", "callID": "c2", "arguments": [:]])
        trace.add(.toolResult, step: 1, ms: 35, ["tool": "fast", "callID": "c2", "content": ["ok": true], "isError": false])
        trace.add(.crashed, step: 1, ms: 40, ["juncture": "after_tool:1:1"])
        trace.add(.resumed, step: 1, ms: 100, ["fromJuncture": "after_tool:1:1", "input": nil])
        trace.add(.toolCall, step: 1, ms: 110, ["tool": "slow", "callID": "c1", "attempt": 2])
        trace.add(.toolResult, step: 1, ms: 150, ["tool": "slow", "callID": "c1", "content": ["ok": true], "isError": false])
        trace.add(.completed, step: 2, ms: 200, ["output": "done"])
        let spans = GenAISpans.spans(from: trace.events, traceKey: "k", options: .init(providers: ["a": "anthropic"]))
        let slow = spans.named("execute_tool slow")
        #expect(slow.count == 2)
        #expect(slow[0].status == .error("the process crashed during the call"))
        #expect(slow[0].attribute("error.type") == .string("crashed"))
        #expect(slow[0].endUnixNano == UInt64(trace.base + 40) * 1_000_000)
        #expect(slow[1].status.code == .unset)
        #expect(slow[1].attribute("micro.attempt") == .int(2))
        #expect(slow[1].endUnixNano - slow[1].startUnixNano == 40_000_000)
        #expect(spans.named("execute_tool fast").first?.status.code == .unset)
        let agent = spans.named("invoke_agent a")[0]
        #expect(agent.parentSpanID == nil)
        #expect(agent.attribute("gen_ai.provider.name") == .string("anthropic"))
        #expect(agent.endUnixNano == UInt64(trace.base + 200) * 1_000_000)
        #expect(agent.attribute("micro.run.status") == .string("completed"))
    }

    @Test func remoteDelegationsAreClientSpansAndUnansweredCallsEndInErrors() {
        var trace = TraceBuilder()
        trace.add(.runStarted, ms: 0, ["parent": nil, "depth": 0])
        trace.add(.toolCall, ms: 5, ["tool": "delegate", "callID": "d1"])
        trace.add(.delegation, ms: 6, ["to": "far", "remote": true, "task": "secret task", "depth": 1])
        trace.add(.delegationResult, ms: 50, ["to": "far", "output": "done"])
        trace.add(.toolResult, ms: 51, ["tool": "delegate", "callID": "d1", "content": ["output": "done"], "isError": false])
        trace.add(.toolResult, ms: 52, ["tool": "refused", "callID": "d2", "content": ["error": ["code": "rejected"]], "isError": true])
        trace.add(.modelRequest, step: 1, ms: 60, ["model": "gemini-2.5-pro", "attempt": 1])
        let spans = GenAISpans.spans(from: trace.events, traceKey: "k", options: .init(providers: ["a": "gemini"]))
        let remote = try! #require(spans.named("invoke_agent far").first)
        #expect(remote.kind == .client)
        #expect(spans.with(id: remote.parentSpanID)?.name == "execute_tool delegate")
        #expect(remote.endUnixNano - remote.startUnixNano == 44_000_000)
        #expect(remote.attribute("micro.task") == nil)
        // A result with no call (a refused call never ran) is an event on the run, not a span.
        #expect(spans.named("execute_tool refused").isEmpty)
        #expect(spans.named("invoke_agent a")[0].events.contains { $0.name == "micro.tool_result" })
        let chat = try! #require(spans.named("chat gemini-2.5-pro").first)
        #expect(chat.attribute("gen_ai.provider.name") == .string("gcp.gemini"))
        #expect(chat.status == .error("the trace ends before the response"))
    }

    @Test func contentIsLeftOutUnlessAskedFor() async throws {
        let outcome = try await Bundled.outcome("single-agent-tools")
        let plain = outcome.record.otelSpans()
        let keys = Set(plain.flatMap { $0.attributes.map(\.key) + $0.events.flatMap { $0.attributes.map(\.key) } })
        for key in ["gen_ai.tool.call.arguments", "gen_ai.tool.call.result", "gen_ai.output.messages", "gen_ai.system_instructions", "micro.input", "micro.output"] {
            #expect(!keys.contains(key), "\(key) without captureContent")
        }
        let full = outcome.record.otelSpans(captureContent: true)
        let call = try #require(outcome.record.trace.first { $0.kind == .toolCall })
        let span = try #require(full.first { $0.name == "execute_tool \(call.toolCall!.name)" })
        #expect(span.attribute("gen_ai.tool.call.arguments") == .string(call.toolCall!.arguments.canonicalString()))
        #expect(span.attribute("gen_ai.tool.call.result") != nil)
        let chat = try #require(full.first { $0.name.hasPrefix("chat ") })
        let output = try JSONValue(parsing: try #require(chat.attribute("gen_ai.output.messages")?.stringValue))
        #expect(output[0]?["role"] == "assistant")
        #expect(output[0]?["parts"]?[0]?["type"] == "tool_call")
        #expect(output[0]?["finish_reason"] == "tool_use")
    }

    @Test func theSameRecordAlwaysGivesTheSameSpansAndOtherScenariosOtherIDs() async throws {
        let first = try await Bundled.outcome("travel-delegation-tree").record
        let again = try await Bundled.outcome("travel-delegation-tree").record
        let a = OTLPTraceRequest(resource: OTLPConfiguration.defaultResource(), spans: first.otelSpans()).body
        let b = OTLPTraceRequest(resource: OTLPConfiguration.defaultResource(), spans: again.otelSpans()).body
        #expect(a == b)
        let spans = first.otelSpans()
        #expect(Set(spans.map(\.spanID)).count == spans.count)
        let other = try await Bundled.outcome("single-agent-tools").record.otelSpans()
        #expect(other[0].traceID != spans[0].traceID)
        #expect(spans[0].traceID.bytes.count == 16 && spans[0].spanID.bytes.count == 8)
    }

    @Test func aFailedCheckOrAnEscapedErrorMakesTheRootAnError() throws {
        var trace = TraceBuilder()
        trace.add(.runStarted, ms: 0, ["parent": nil, "depth": 0])
        trace.add(.failed, ms: 10, ["code": "max_steps", "message": "too many steps"])
        let record = RunRecord(scenario: "s", file: "s.yaml", seed: 1, runID: "r", result: nil, error: nil, trace: trace.events)
        let checks = [
            ScenarioOutcome.Check(name: "status", line: 7, passed: false, message: "status failed, expected completed"),
            ScenarioOutcome.Check(name: "steps", line: 8, passed: true, message: ""),
        ]
        let spans = record.otelSpans(checks: checks)
        let root = try #require(spans.first { $0.parentSpanID == nil })
        #expect(root.status == .error("1 of 2 checks failed; first: status: status failed, expected completed"))
        #expect(root.attribute("micro.checks.failed") == .int(1))
        let agent = try #require(spans.named("invoke_agent a").first)
        #expect(agent.status == .error("too many steps"))
        #expect(agent.attribute("error.type") == .string("max_steps"))
        #expect(record.otelSpans().first { $0.parentSpanID == nil }?.status == .unset)
        var broken = record
        broken.error = "the world could not be built"
        #expect(broken.otelSpans().first { $0.parentSpanID == nil }?.status == .error("the world could not be built"))
    }
}
