import Micro
import MicroAgent
import MicroProviders
import Synchronization

/// Measures every model request of a world as it is sent (``RequestMeasure``), for the run record, so that
/// `within_context_window` checks what providers received rather than what memory planned.
///
/// A model with a wire is measured in two places: ``MeasuredModel`` notes which step of which run is in
/// flight for the agent (a run's model calls are sequential), and ``MeasuringTransport`` measures the body
/// the adapter encoded for it. A model with no wire is measured by ``MeasuredModel`` alone.
final class RequestMeter: Sendable {
    private struct State {
        var measures: [RequestMeasure] = []
        /// The step in flight and the model's context window, per run, agent and role.
        var inFlight: [String: (step: Int?, contextWindow: Int)] = [:]
    }

    private let state = Mutex(State())

    init() {}

    /// Every measure so far, by run and agent, in order within each (concurrent runs interleave).
    var measures: [RequestMeasure] {
        state.withLock { $0.measures }.enumerated().sorted { a, b in
            let x = a.element, y = b.element
            if x.runID != y.runID { return x.runID < y.runID }
            if x.agent != y.agent { return x.agent < y.agent }
            return a.offset < b.offset
        }.map(\.element)
    }

    private static func key(_ agent: String, summarizer: Bool) -> String {
        "\(RunScope.current?.runID ?? "")/\(agent)\(summarizer ? "/summarizer" : "")"
    }

    /// The agent's (or its summarizer's) request for `step` of the current run is being sent to a model
    /// with `contextWindow`.
    func sending(agent: String, summarizer: Bool, step: Int?, contextWindow: Int) {
        let key = Self.key(agent, summarizer: summarizer)
        state.withLock { $0.inFlight[key] = (step, contextWindow) }
    }

    /// Records a request of `bytes` bytes, sent by `agent` (or its summarizer) in the current run, for the
    /// step noted by ``sending(agent:summarizer:step:contextWindow:)``.
    func record(agent: String, summarizer: Bool, bytes: Int, source: String, rule: TokenizerRule) {
        let runID = RunScope.current?.runID ?? ""
        let key = Self.key(agent, summarizer: summarizer)
        state.withLock { state in
            let flight = state.inFlight[key]
            state.measures.append(RequestMeasure(
                runID: runID, agent: agent, step: summarizer ? nil : flight?.step, summarizer: summarizer, source: source,
                rule: rule.name, bytes: bytes, tokens: rule.tokens(bytes: bytes), contextWindow: flight?.contextWindow ?? 0))
        }
    }
}

/// A model whose requests a ``RequestMeter`` measures. It tells the meter which step is in flight; with
/// `wire`, the ``MeasuringTransport`` under the adapter measures the body, otherwise it measures the neutral
/// request as canonical JSON by the ``TokenizerRule/neutral`` rule.
struct MeasuredModel: Model {
    let base: any Model
    let agent: String
    let meter: RequestMeter
    let wire: Bool
    var summarizer = false

    var info: ModelInfo { base.info }

    func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        meter.sending(agent: agent, summarizer: summarizer, step: request.turn, contextWindow: base.info.contextWindow)
        if !wire {
            meter.record(
                agent: agent, summarizer: summarizer, bytes: Self.neutralJSON(request).utf8.count, source: "neutral",
                rule: .neutral)
        }
        return base.stream(request)
    }

    /// The request as a provider-neutral JSON body: model, system, messages and options, then the full tool
    /// specs.
    static func neutralJSON(_ request: ModelRequest) -> String {
        let encoder = JSONValueEncoder()
        let body: JSONValue = [
            "model": .string(request.model), "system": request.system.map(JSONValue.string) ?? .null,
            "messages": (try? encoder.encode(request.messages)) ?? .null,
            "options": (try? encoder.encode(request.options)) ?? .null,
        ]
        let text = body.canonicalString()
        return text.dropLast() + ",\"tools\":[" + request.tools.map(\.canonicalJSON).joined(separator: ",") + "]}"
    }
}

/// The transport right under a provider adapter: measures each request body it sends, then passes it on.
struct MeasuringTransport: HTTPTransport {
    let base: any HTTPTransport
    let agent: String
    let rule: TokenizerRule
    let meter: RequestMeter
    var summarizer = false

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        meter.record(agent: agent, summarizer: summarizer, bytes: request.body.count, source: "wire", rule: rule)
        return try await base.send(request)
    }
}
