import Foundation
import Micro
import MicroAgent
import MicroHarness
import MicroTravel
import Testing

/// `TraceDiff` on real runs of the expectations world (search Lisbon, book lisbon:0 for 2 nights, answer), and
/// on every kind of file it reads.
@Suite struct TraceDiffTests {
    static let world = ExpectationTests.world + "  - status: completed\n"
    static let bookLine = "        - call: {tool: travel_hotels_book"

    /// A record of the expectations world, its text changed by `edit`.
    static func record(_ edit: (String) -> String = { $0 }) async throws -> RunRecord {
        let text = edit(world)
        return await ScenarioRunner.run(try Scenario(parsing: text, file: "world.yaml", catalog: .travel)).record
    }

    static func diff(_ a: RunRecord, _ b: RunRecord) -> TraceDiff {
        TraceDiff(DiffSubject(file: "a.json", record: a), DiffSubject(file: "b.json", record: b))
    }

    /// Another search (Porto) between the first search and the booking.
    static func withExtraSearch(_ text: String) -> String {
        let search = "        - call: {tool: travel_hotels_search, arguments: {city: Porto, checkIn: \"2026-05-01\", nights: 2}}\n"
            + "          usage: {input: 150, output: 15}\n"
        precondition(text.contains(bookLine))
        return text.replacingOccurrences(of: bookLine, with: search + bookLine)
    }

    @Test func identicalRecordsHaveNoDivergence() async throws {
        let diff = Self.diff(try await Self.record(), try await Self.record())
        let run = try #require(diff.runs.first)
        #expect(diff.identical)
        #expect(run.firstDivergence == nil)
        #expect(run.comparedSteps && run.entries.allSatisfy { $0.operation == .same })
        #expect(run.entries.count >= 7)
        #expect(run.sideEffects?.isEmpty == true && run.facts.isEmpty && run.metricChanges.isEmpty)
        #expect(diff.text().hasSuffix("identical\n"))
        #expect(diff.json["identical"] == true)
    }

    @Test func aChangedToolArgumentDivergesAtTheModelCallAndShowsThePath() async throws {
        let old = try await Self.record()
        let new = try await Self.record { $0.replacingOccurrences(of: "nights: 2, guestName: Ada", with: "nights: 3, guestName: Ada") }
        let diff = Self.diff(old, new)
        let run = try #require(diff.runs.first)
        #expect(!diff.identical)
        // Steps: run_started, model call, search, model call (asks for the booking), booking, model call, completed.
        let divergence = try #require(run.firstDivergence)
        #expect(divergence.operation == .changed)
        #expect(divergence.aIndex == 4 && divergence.bIndex == 4)
        #expect(divergence.a?.kind == "model_call" && divergence.b?.kind == "model_call")
        #expect(run.added.isEmpty && run.dropped.isEmpty)
        let call = try #require(run.toolCallChanges.first)
        #expect(call.a?.name == "travel_hotels_book" && call.a?.index == 5)
        #expect(call.argumentChanges == [JSONDiff.Change(path: "$.nights", old: 2, new: 3)])
        let text = diff.text()
        #expect(text.contains("first divergence at step 4 of A, step 4 of B (changed)"), "\(text)")
        #expect(text.contains("arguments $.nights: 2 → 3"), "\(text)")
        let json = diff.json
        #expect(json["runs"]?[0]?["toolCalls"]?[0]?["argumentChanges"] == [["path": "$.nights", "old": 2, "new": 3]])
        #expect(json["runs"]?[0]?["firstDivergence"]?["aIndex"] == 4)
    }

    @Test func anInsertedStepIsAddedAndTheRestStaysAligned() async throws {
        let old = try await Self.record()
        let new = try await Self.record(Self.withExtraSearch)
        let run = try #require(Self.diff(old, new).runs.first)
        #expect(run.added.count == 2)
        #expect(run.dropped.isEmpty)
        #expect(run.added.contains { $0.b?.name == "travel_hotels_search" && $0.b?.arguments?["city"] == "Porto" })
        // The booking and everything after it are the same steps, two places later in B.
        let booking = try #require(run.entries.first { $0.a?.name == "travel_hotels_book" })
        #expect(booking.b?.index == 7 && booking.a?.index == 5)
        #expect(booking.argumentChanges.isEmpty)
        #expect(run.entries.last?.operation == .same && run.entries.last?.a?.kind == "completed")
        #expect(run.firstDivergence?.aIndex == 4)
        // The extra model call and search change the later model calls' tokens.
        #expect(!run.metricChanges.isEmpty)
    }

    @Test func aRemovedStepIsDropped() async throws {
        let run = try #require(Self.diff(try await Self.record(Self.withExtraSearch), try await Self.record()).runs.first)
        #expect(run.dropped.count == 2 && run.added.isEmpty)
        #expect(run.dropped.contains { $0.a?.arguments?["city"] == "Porto" })
        #expect(Self.diff(try await Self.record(Self.withExtraSearch), try await Self.record()).text().contains("- 5/- tool_call travel_hotels_search"))
    }

    @Test func tokensLatencyAndSideEffectsThatDifferAreReported() async throws {
        let old = try await Self.record()
        var new = try await Self.record { $0.replacingOccurrences(of: "usage: {input: 300, output: 30}", with: "usage: {input: 300, output: 31}") }
        let effect = try #require(new.sideEffects.first)
        new.sideEffects.removeAll()
        let diff = Self.diff(old, new)
        let run = try #require(diff.runs.first)
        #expect(run.firstDivergence == nil)
        #expect(!diff.identical)
        let metric = try #require(run.metricChanges.first)
        #expect(metric.a?.index == 6)
        #expect(metric.metricChanges.contains(TraceDiff.MetricChange(name: "outputTokens", old: 30, new: 31)))
        #expect(metric.metricChanges.contains { $0.name == "costUSD" })
        #expect(run.sideEffects?.dropped == [effect])
        #expect(run.facts.contains { $0.path == "$.tokens.output" })
        #expect(diff.text().contains("side effect - \(effect.kind) \(effect.key)"))
    }

    /// A step's cost is the record's (cached input at its own rate), so more cached tokens make it cheaper.
    @Test func aStepsCostBillsCachedTokensAtTheirRate() async throws {
        func cachedPrice(_ text: String) -> String {
            text.replacingOccurrences(of: "price: {input: 1.0, output: 2.0}", with: "price: {input: 1.0, output: 2.0, cached: 0.1}")
        }
        let old = try await Self.record(cachedPrice)
        let new = try await Self.record {
            cachedPrice($0).replacingOccurrences(of: "usage: {input: 300, output: 30}", with: "usage: {input: 300, output: 30, cached: 200}")
        }
        let run = try #require(Self.diff(old, new).runs.first)
        let cost = try #require(run.metricChanges.flatMap(\.metricChanges).first { $0.name == "costUSD" })
        #expect(cost.new < cost.old)
    }

    @Test func aSlowerToolCallShowsItsLatency() async throws {
        let old = try await Self.record()
        let new = try await Self.record {
            $0.replacingOccurrences(
                of: "run:\n", with: "faults:\n  - {target: tool, kind: latency, tool: travel_hotels_search, latency: 2s}\nrun:\n")
        }
        let run = try #require(Self.diff(old, new).runs.first)
        let search = try #require(run.entries.first { $0.a?.name == "travel_hotels_search" })
        #expect(search.metricChanges == [TraceDiff.MetricChange(name: "latencyMs", old: 0, new: 2000)])
        #expect(run.added.map { $0.b?.kind } == ["fault_injected"])
        #expect(run.facts.contains(JSONDiff.Change(path: "$.virtualDurationMs", old: 0, new: 2000)))
    }

    @Test func everyFileTheHarnessWritesIsReadByItsContent() async throws {
        let record = try await Self.record()
        #expect(try DiffSubject(parsing: try record.jsonText(), file: "r.json").format == .runRecord)
        let trace = try DiffSubject(parsing: record.traceText, file: "t.jsonl")
        #expect(trace.format == .trace)
        // A Trace and a record of the same run have the same steps.
        #expect(TraceDiff(trace, DiffSubject(file: "r.json", record: record)).runs.first?.firstDivergence == nil)
        let outcome = ScenarioOutcome(scenario: try Scenario(parsing: Self.world, file: "w.yaml", catalog: .travel), record: record)
        let results = try DiffSubject(parsing: JSONReport.value([outcome]).prettyString(), file: "results.json")
        #expect(results.format == .scenarioResults && results.runs.map(\.name) == ["w.yaml"] && results.runs[0].steps == nil)
        let summary = try DiffSubject(parsing: ChaosSummary(record: record).json.canonicalString(), file: "s.json")
        #expect(summary.format == .runSummary)

        var state = RunState(runID: "r1", agent: "booker", startedAt: Timestamp(millisecondsSinceEpoch: 0))
        state.memory.messages = [
            .user("Book."),
            Message(role: .assistant, parts: [.toolCall(ToolCall(id: "c1", name: "shop_buy", arguments: ["item": "tea"]))]),
            Message(role: .tool, parts: [.toolResult(ToolResultPart(callID: "c1", content: "ok"))]),
            .assistant("Bought."),
        ]
        let checkpoint = Checkpoint(runID: "r1", sequence: 5, juncture: .completed, state: state, at: Timestamp(millisecondsSinceEpoch: 0))
        let read = try DiffSubject(parsing: JSONValueEncoder().encode(checkpoint).prettyString(), file: "c.json")
        #expect(read.format == .checkpoint)
        #expect(read.runs[0].steps?.map(\.kind) == ["model_call", "tool_call", "model_call"])
        #expect(read.runs[0].steps?[1].detail["result"] == "ok")

        let list = [
            RunSummary(
                runID: "r1", agent: "booker", parentRunID: nil, status: .completed, step: 3, lastJuncture: .completed, checkpoints: 9,
                updatedAt: Timestamp(millisecondsSinceEpoch: 0), lease: nil)
        ]
        let runs = try DiffSubject(parsing: JSONValueEncoder().encode(list).prettyString(), file: "l.json")
        #expect(runs.format == .runList && runs.runs.map(\.name) == ["r1"])
    }

    @Test func scenarioResultsPairScenariosByFile() async throws {
        let record = try await Self.record()
        let scenario = try Scenario(parsing: Self.world, file: "w.yaml", catalog: .travel)
        var other = scenario
        other.file = "other.yaml"
        let outcome = ScenarioOutcome(scenario: scenario, record: record)
        var failing = outcome
        failing.checks[0].passed = false
        let a = try DiffSubject(parsing: JSONReport.value([outcome, ScenarioOutcome(scenario: other, record: record)]).prettyString(), file: "a")
        let b = try DiffSubject(parsing: JSONReport.value([failing]).prettyString(), file: "b")
        let diff = TraceDiff(a, b)
        #expect(diff.onlyInA == ["other.yaml"] && diff.onlyInB.isEmpty)
        let facts = try #require(diff.runs.first?.facts)
        #expect(facts.contains(JSONDiff.Change(path: "$.passed", old: true, new: false)))
        #expect(facts.contains { $0.path.hasPrefix("$.checks['") && $0.path.hasSuffix(".passed") })
    }

    /// Inputs that are not what the diff reads are typed errors naming the file and what was expected.
    static let malformed: [(text: String, code: TraceDiffError.Code, message: String)] = [
        ("", .empty, "the file is empty"),
        ("  \n", .empty, "expected a Trace"),
        ("hello world", .unknownFormat, "not JSON and not JSON lines of trace events; expected a Trace"),
        ("{\"foo\": 1, \"bar\": 2}", .unknownFormat, "a JSON object with keys bar, foo; expected a Trace (JSON lines"),
        ("42", .unknownFormat, "a JSON integer of no known shape"),
        ("[{\"lastJuncture\": 3}]", .invalid, "looks like a run list but cannot be read"),
        ("{\"version\": 99, \"trace\": [], \"scenario\": \"x\"}", .invalid, "looks like a run record but cannot be read"),
        (
            "{\"agent\":\"a\",\"at\":0,\"data\":{},\"kind\":\"run_started\",\"runID\":\"r\",\"sequence\":1,\"step\":0}\n{\"kind\": 3}\n",
            .invalid, "not a valid Trace: trace line 2"
        ),
        ("{\"scenarios\": 3, \"summary\": {}}", .invalid, "\"scenarios\" is not a list"),
    ]

    @Test(arguments: malformed)
    func malformedInputIsATypedError(text: String, code: TraceDiffError.Code, message: String) {
        do {
            _ = try DiffSubject(parsing: text, file: "in.json")
            Issue.record("\(text) should not be read")
        } catch {
            #expect(error.code == code, "\(error)")
            #expect(error.file == "in.json")
            #expect(error.description.hasPrefix("in.json: "))
            #expect(error.message.contains(message), "\(error)")
        }
    }

    /// Past the LCS table's size, alignment is windowed: still linear, inserted steps still found.
    @Test func veryLongStretchesAreAlignedWithinAWindow() {
        func steps(_ names: [String]) -> [DiffStep] { names.map { DiffStep(kind: "tool_call", agent: "a", name: $0) } }
        // 9000 steps differing near both ends: the stretch between is far past the table's size.
        let a = (0..<9000).map { "t\($0 % 7)" }
        var b = a
        b.insert("extra", at: 8990)
        b.remove(at: 10)
        #expect(8990 * 8990 > TraceDiff.maximumTableCells)
        let run = TraceDiff(
            DiffSubject(file: "a", format: .trace, runs: [.init(name: "r", steps: steps(a))]),
            DiffSubject(file: "b", format: .trace, runs: [.init(name: "r", steps: steps(b))])
        ).runs[0]
        #expect(run.added.map { $0.b?.name } == ["extra"])
        #expect(run.dropped.count == 1 && run.dropped[0].a?.index == 11)
        #expect(run.firstDivergence?.aIndex == 11)
    }

    @Test func aMissingFileIsUnreadable() {
        #expect(throws: TraceDiffError.self) { try DiffSubject.load(file: "/nonexistent/trace.jsonl") }
    }

    @Test func theJSONIsCanonicalAndTheHTMLWellFormed() async throws {
        let old = try await Self.record()
        let new = try await Self.record(Self.withExtraSearch)
        let diff = Self.diff(old, new)
        let json = diff.json
        #expect(try JSONValue(parsing: json.prettyString()) == json)
        #expect(json["runs"]?[0]?["counts"]?["added"] == 2 && json["runs"]?[0]?["counts"]?["dropped"] == 0)
        let html = diff.html
        #expect(ReportsXMLChecker.parse(html) != nil, "\(ReportsXMLChecker.problem(html))")
        #expect(html.contains("<tr class=\"added\">"))
        #expect(html.contains("Timeline of A") && html.contains("Timeline of B"))
    }

    @Test(arguments: [
        (["a": 1, "b": ["c": [1, 2]]] as JSONValue, ["a": 1.0, "b": ["c": [1, 3, 4]], "odd key": true] as JSONValue, [
            JSONDiff.Change(path: "$.b.c[1]", old: 2, new: 3), JSONDiff.Change(path: "$.b.c[2]", old: nil, new: 4),
            JSONDiff.Change(path: "$['odd key']", old: nil, new: true),
        ]),
        ("x" as JSONValue, ["x"] as JSONValue, [JSONDiff.Change(path: "$", old: "x", new: ["x"])]),
    ])
    func jsonDiffNamesThePaths(old: JSONValue, new: JSONValue, changes: [JSONDiff.Change]) {
        #expect(JSONDiff.changes(old, new) == changes)
    }
}
