import Micro
import MicroAgent

/// Builds OpenTelemetry spans from a Trace after the run, following the GenAI semantic conventions
/// (``GenAIConventions``):
///
/// - each run is an `invoke_agent {agent}` span (kind internal) from its first to its last event, carrying
///   the run's summed token usage; a sub-agent's run is a child of the `delegate` tool call that started it,
///   and a remote (A2A) delegation is an `invoke_agent {agent}` client span under that call;
/// - each model call attempt is a `chat {model}` client span from its `model_request` to its `model_response`
///   (token usage, finish reason) or `model_error` (error status, `error.type` = the error code);
/// - each tool call attempt is an `execute_tool {tool}` span from `tool_call` to its `tool_result` (error
///   status when the result is an error, `error.type` = the tool error's code);
/// - everything else (checkpoints, faults, crashes, resumes, retries, pauses, guardrails, compactions,
///   approvals, deadlines) is a `micro.{kind}` event on the innermost span open in that run;
/// - a crash ends every model and tool call in flight with an error status (`error.type` `crashed`).
///
/// Times are the Trace's recorded (virtual) timestamps; ids are derived from `traceKey` and each span's
/// opening event, so the same Trace always gives the same spans. Prompts, answers, tool arguments and
/// results are left out unless ``Options/captureContent`` is set (the conventions make them opt-in).
public enum GenAISpans {
    public struct Options: Sendable, Hashable {
        /// Each agent's model provider (``ModelInfo/provider``), for `gen_ai.provider.name`.
        public var providers: [String: String]
        /// Whether prompts, answers, tool arguments and results go into attributes.
        public var captureContent: Bool

        public init(providers: [String: String] = [:], captureContent: Bool = false) {
            self.providers = providers
            self.captureContent = captureContent
        }
    }

    /// A root span above every run of the trace: an `invoke_workflow {name}` span (a scenario run).
    public struct Workflow: Sendable, Hashable {
        public var name: String
        public var attributes: [OTelAttribute]
        public var status: OTelSpan.Status
        /// Events beyond those read off the trace (a scenario's checks).
        public var events: [OTelSpan.Event]
        /// The span ends no earlier than this (the run's virtual duration after its first event).
        public var minimumEnd: Timestamp?

        public init(
            name: String, attributes: [OTelAttribute] = [], status: OTelSpan.Status = .unset, events: [OTelSpan.Event] = [],
            minimumEnd: Timestamp? = nil
        ) {
            self.name = name
            self.attributes = attributes
            self.status = status
            self.events = events
            self.minimumEnd = minimumEnd
        }
    }

    /// The spans of `events` (a Trace, in sequence order), all in the trace whose id `traceKey` derives.
    public static func spans(
        from events: [TraceEvent], traceKey: String, workflow: Workflow? = nil, options: Options = Options()
    ) -> [OTelSpan] {
        var assembler = Assembler(traceID: TraceID(derivedFrom: traceKey), options: options)
        if let workflow { assembler.openWorkflow(workflow, first: events.first?.at) }
        for event in events.sorted(by: { $0.sequence < $1.sequence }) { assembler.apply(event) }
        return assembler.finish(workflowEnd: workflow?.minimumEnd)
    }

    static func nanos(_ timestamp: Timestamp) -> UInt64 { UInt64(max(0, timestamp.millisecondsSinceEpoch)) * 1_000_000 }
}

/// Folds trace events into spans, keeping which spans are open in each run.
private struct Assembler {
    let traceID: TraceID
    let options: GenAISpans.Options
    var spans: [OTelSpan] = []
    var root: Int?
    /// The `invoke_agent` span of each run.
    var agents: [String: Int] = [:]
    var lastTime: [String: UInt64] = [:]
    var usage: [String: (input: Int, output: Int)] = [:]
    var openChat: [String: Int] = [:]
    var openTools: [String: [(callID: String, tool: String, index: Int)]] = [:]
    var openRemote: [String: [(agent: String, index: Int)]] = [:]
    /// The span a sub-agent's run hangs under: the `delegate` call that started it.
    var delegateParents: [String: SpanID] = [:]

    init(traceID: TraceID, options: GenAISpans.Options) {
        self.traceID = traceID
        self.options = options
    }

    mutating func openWorkflow(_ workflow: GenAISpans.Workflow, first: Timestamp?) {
        let start = first.map(GenAISpans.nanos) ?? workflow.minimumEnd.map(GenAISpans.nanos) ?? 0
        var attributes: [OTelAttribute] = [
            .string(GenAIConventions.operationName, GenAIConventions.Operation.invokeWorkflow),
            .string(GenAIConventions.workflowName, workflow.name),
        ]
        attributes += workflow.attributes
        root = spans.count
        spans.append(OTelSpan(
            traceID: traceID, spanID: SpanID(derivedFrom: "workflow", in: traceID), parentSpanID: nil,
            name: "\(GenAIConventions.Operation.invokeWorkflow) \(workflow.name)", kind: .internal, startUnixNano: start,
            endUnixNano: start, attributes: attributes, events: workflow.events, status: workflow.status))
    }

    mutating func apply(_ event: TraceEvent) {
        let time = GenAISpans.nanos(event.at)
        let agent = ensureAgent(event, time: time)
        lastTime[event.runID] = max(lastTime[event.runID] ?? time, time)
        let data = event.data
        switch event.kind {
        case .runStarted:
            addEvent(event, to: agent, time: time)
        case .modelRequest:
            if let stale = openChat.removeValue(forKey: event.runID) {
                close(stale, at: time, status: .error("a new request was sent before this one's response"), errorType: "_OTHER")
            }
            let model = data["model"]?.stringValue ?? event.agent
            var attributes: [OTelAttribute] = [.string(GenAIConventions.operationName, GenAIConventions.Operation.chat)]
            attributes += providerAttribute(event.agent)
            attributes += [
                .string(GenAIConventions.requestModel, model), .int("micro.step", event.step + 1),
                .int("micro.attempt", data["attempt"]?.intValue ?? 1),
            ]
            if let estimate = data["estimatedTokens"]?.intValue { attributes.append(.int("micro.request.estimated_tokens", estimate)) }
            if options.captureContent {
                if let system = data["system"]?.stringValue {
                    attributes.append(.string(
                        GenAIConventions.systemInstructions, JSONValue.array([["type": "text", "content": .string(system)]]).canonicalString()))
                }
                if let last = data["lastMessage"], last != .null {
                    attributes.append(.string("micro.request.last_message", last.canonicalString()))
                }
            }
            if spans[agent].attribute(GenAIConventions.requestModel) == nil {
                set(.string(GenAIConventions.requestModel, model), on: agent)
            }
            openChat[event.runID] = open(
                "\(GenAIConventions.Operation.chat) \(model)", kind: .client, parent: spans[agent].spanID, event: event,
                time: time, attributes: attributes)
        case .modelResponse:
            guard let chat = openChat.removeValue(forKey: event.runID) else { return addEvent(event, to: agent, time: time) }
            let input = data["usage"]?["inputTokens"]?.intValue ?? 0
            let output = data["usage"]?["outputTokens"]?.intValue ?? 0
            let total = usage[event.runID] ?? (0, 0)
            usage[event.runID] = (total.input + input, total.output + output)
            var attributes: [OTelAttribute] = [
                .int(GenAIConventions.usageInputTokens, input), .int(GenAIConventions.usageOutputTokens, output),
            ]
            let reason = data["stopReason"]?.stringValue ?? ""
            if !reason.isEmpty { attributes.append(OTelAttribute(GenAIConventions.responseFinishReasons, .strings([reason]))) }
            if options.captureContent, let message = data["message"] {
                attributes.append(.string(GenAIConventions.outputMessages, Self.outputMessages(message, finishReason: reason).canonicalString()))
            }
            spans[chat].attributes += attributes
            close(chat, at: time)
        case .modelError:
            guard let chat = openChat.removeValue(forKey: event.runID) else { return addEvent(event, to: agent, time: time) }
            if let status = data["status"]?.intValue { spans[chat].attributes.append(.int(GenAIConventions.httpResponseStatusCode, status)) }
            close(
                chat, at: time, status: .error(data["message"]?.stringValue ?? "the model call failed"),
                errorType: data["code"]?.stringValue ?? "_OTHER")
        case .toolCall:
            let tool = data["tool"]?.stringValue ?? ""
            let callID = data["callID"]?.stringValue ?? ""
            var attributes: [OTelAttribute] = [
                .string(GenAIConventions.operationName, GenAIConventions.Operation.executeTool),
                .string(GenAIConventions.toolName, tool), .string(GenAIConventions.toolCallID, callID),
                .string(GenAIConventions.toolType, "function"), .int("micro.attempt", data["attempt"]?.intValue ?? 1),
            ]
            if let key = data["idempotencyKey"]?.stringValue { attributes.append(.string("micro.idempotency_key", key)) }
            if options.captureContent, let arguments = data["arguments"] {
                attributes.append(.string(GenAIConventions.toolCallArguments, arguments.canonicalString()))
            }
            let index = open(
                "\(GenAIConventions.Operation.executeTool) \(tool)", kind: .internal, parent: spans[agent].spanID, event: event,
                time: time, attributes: attributes)
            openTools[event.runID, default: []].append((callID, tool, index))
        case .toolResult:
            let callID = data["callID"]?.stringValue ?? ""
            guard let position = openTools[event.runID]?.lastIndex(where: { $0.callID == callID }),
                let tool = openTools[event.runID]?.remove(at: position)
            else { return addEvent(event, to: agent, time: time) }
            if options.captureContent, let content = data["content"] {
                spans[tool.index].attributes.append(.string(GenAIConventions.toolCallResult, content.canonicalString()))
            }
            var status = OTelSpan.Status.unset
            var errorType: String?
            if data["isError"]?.boolValue == true {
                let error = data["content"]?["error"]
                status = .error(error?["message"]?.stringValue ?? "the tool returned an error")
                errorType = error?["code"]?.stringValue ?? "_OTHER"
            }
            // A remote delegation the call made and no answer closed ends with the call.
            let callSpan = spans[tool.index].spanID
            let under = (openRemote[event.runID] ?? []).map { $0.index }.filter { spans[$0].parentSpanID == callSpan }
            for index in under { close(index, at: time, status: status, errorType: errorType) }
            openRemote[event.runID]?.removeAll { under.contains($0.index) }
            close(tool.index, at: time, status: status, errorType: errorType)
        case .delegation:
            let to = data["to"]?.stringValue ?? ""
            let delegateCall = openTools[event.runID]?.last { $0.tool == "delegate" }?.index
            let parent = spans[delegateCall ?? agent].spanID
            if data["remote"]?.boolValue == true {
                var attributes: [OTelAttribute] = [
                    .string(GenAIConventions.operationName, GenAIConventions.Operation.invokeAgent),
                    .string(GenAIConventions.agentName, to), .bool("micro.remote", true),
                ]
                if options.captureContent, let task = data["task"]?.stringValue { attributes.append(.string("micro.task", task)) }
                let index = open(
                    "\(GenAIConventions.Operation.invokeAgent) \(to)", kind: .client, parent: parent, event: event, time: time,
                    attributes: attributes)
                openRemote[event.runID, default: []].append((to, index))
            } else {
                if let child = data["childRunID"]?.stringValue, delegateParents[child] == nil { delegateParents[child] = parent }
                addEvent(event, to: delegateCall ?? agent, time: time)
            }
        case .delegationResult:
            let to = data["to"]?.stringValue ?? ""
            if data["childRunID"] == nil, let position = openRemote[event.runID]?.lastIndex(where: { $0.agent == to }),
                let remote = openRemote[event.runID]?.remove(at: position)
            {
                close(remote.index, at: time)
            } else {
                addEvent(event, to: target(of: event, agent: agent), time: time)
            }
        case .completed:
            set(.string("micro.run.status", "completed"), on: agent)
            addEvent(event, to: agent, time: time)
        case .failed, .cancelled:
            let code = event.kind == .cancelled ? "cancelled" : data["code"]?.stringValue ?? "_OTHER"
            set(.string("micro.run.status", event.kind == .cancelled ? "cancelled" : "failed"), on: agent)
            set(.string(GenAIConventions.errorType, code), on: agent)
            spans[agent].status = .error(data["message"]?.stringValue ?? data["reason"]?.stringValue ?? event.kind.rawValue)
            addEvent(event, to: agent, time: time)
        case .paused:
            set(.string("micro.run.status", "waiting_for_input"), on: agent)
            addEvent(event, to: agent, time: time)
        case .crashed:
            // The process died: every call in flight, in every run, ends here unanswered.
            for index in openChat.values { close(index, at: time, status: .error("the process crashed during the call"), errorType: "crashed") }
            for index in openTools.values.joined().map({ $0.index }) + openRemote.values.joined().map({ $0.index }) {
                close(index, at: time, status: .error("the process crashed during the call"), errorType: "crashed")
            }
            openChat = [:]
            openTools = [:]
            openRemote = [:]
            addEvent(event, to: agent, time: time)
            if let root { addEvent(event, to: root, time: time) }
        case .resumed:
            addEvent(event, to: agent, time: time)
            if let root, event.isResumeAfterCrash, spans[agent].parentSpanID == spans[root].spanID {
                addEvent(event, to: root, time: time)
            }
        default:
            addEvent(event, to: target(of: event, agent: agent), time: time)
        }
    }

    /// Closes what is still open and settles each span's end: no earlier than its children's.
    mutating func finish(workflowEnd: Timestamp?) -> [OTelSpan] {
        for (run, index) in openChat { close(index, at: lastTime[run] ?? spans[index].startUnixNano, status: .error("the trace ends before the response")) }
        for (run, calls) in openTools {
            for call in calls { close(call.index, at: lastTime[run] ?? spans[call.index].startUnixNano, status: .error("the trace ends before the result")) }
        }
        for (run, calls) in openRemote {
            for call in calls { close(call.index, at: lastTime[run] ?? spans[call.index].startUnixNano, status: .error("the trace ends before the answer")) }
        }
        for (run, index) in agents {
            spans[index].endUnixNano = max(spans[index].endUnixNano, lastTime[run] ?? 0)
            if let total = usage[run] {
                set(.int(GenAIConventions.usageInputTokens, total.input), on: index)
                set(.int(GenAIConventions.usageOutputTokens, total.output), on: index)
            }
        }
        if let root, let workflowEnd { spans[root].endUnixNano = max(spans[root].endUnixNano, GenAISpans.nanos(workflowEnd)) }
        // Children come after their parents: walking backwards carries each end up the tree.
        let positions = Dictionary(spans.indices.map { (spans[$0].spanID, $0) }) { first, _ in first }
        for index in spans.indices.reversed() {
            guard let parent = spans[index].parentSpanID, let position = positions[parent] else { continue }
            spans[position].endUnixNano = max(spans[position].endUnixNano, spans[index].endUnixNano)
        }
        return spans
    }

    // MARK: Helpers

    /// The run's `invoke_agent` span, opened at the run's first event.
    mutating func ensureAgent(_ event: TraceEvent, time: UInt64) -> Int {
        if let index = agents[event.runID] { return index }
        var parent = root.map { spans[$0].spanID }
        var attributes: [OTelAttribute] = [.string(GenAIConventions.operationName, GenAIConventions.Operation.invokeAgent)]
        attributes += providerAttribute(event.agent)
        attributes += [
            .string(GenAIConventions.agentName, event.agent), .string(GenAIConventions.conversationID, event.runID),
            .string("micro.run.id", event.runID),
        ]
        if event.kind == .runStarted {
            if let parentRun = event.data["parent"]?.stringValue {
                attributes.append(.string("micro.run.parent_id", parentRun))
                parent = delegateParents[event.runID] ?? agents[parentRun].map { spans[$0].spanID } ?? parent
            }
            if let depth = event.data["depth"]?.intValue { attributes.append(.int("micro.run.depth", depth)) }
        } else if let delegated = delegateParents[event.runID] {
            parent = delegated
        }
        let index = spans.count
        spans.append(OTelSpan(
            traceID: traceID, spanID: SpanID(derivedFrom: "run:\(event.runID)", in: traceID), parentSpanID: parent,
            name: "\(GenAIConventions.Operation.invokeAgent) \(event.agent)", kind: .internal, startUnixNano: time,
            endUnixNano: time, attributes: attributes))
        agents[event.runID] = index
        return index
    }

    func providerAttribute(_ agent: String) -> [OTelAttribute] {
        guard let provider = options.providers[agent] else { return [] }
        return [.string(GenAIConventions.providerName, GenAIConventions.providerName(for: provider))]
    }

    mutating func open(
        _ name: String, kind: OTelSpan.Kind, parent: SpanID, event: TraceEvent, time: UInt64, attributes: [OTelAttribute]
    ) -> Int {
        spans.append(OTelSpan(
            traceID: traceID, spanID: SpanID(derivedFrom: "event:\(event.sequence)", in: traceID), parentSpanID: parent,
            name: name, kind: kind, startUnixNano: time, endUnixNano: time, attributes: attributes))
        return spans.count - 1
    }

    /// Sets an attribute, replacing one with the same key (keys are unique in a span).
    mutating func set(_ attribute: OTelAttribute, on index: Int) {
        spans[index].attributes.removeAll { $0.key == attribute.key }
        spans[index].attributes.append(attribute)
    }

    mutating func close(_ index: Int, at time: UInt64, status: OTelSpan.Status = .unset, errorType: String? = nil) {
        spans[index].endUnixNano = max(spans[index].startUnixNano, time)
        spans[index].status = status
        if let errorType { set(.string(GenAIConventions.errorType, errorType), on: index) }
    }

    /// The innermost span open in the event's run that the event concerns: the tool call it names, else the
    /// model call in flight, else the run.
    func target(of event: TraceEvent, agent: Int) -> Int {
        let tools = openTools[event.runID] ?? []
        if let callID = event.data["callID"]?.stringValue, let call = tools.last(where: { $0.callID == callID }) { return call.index }
        if let tool = event.data["tool"]?.stringValue, let call = tools.last(where: { $0.tool == tool }) { return call.index }
        if let chat = openChat[event.runID] { return chat }
        if tools.count == 1 { return tools[0].index }
        return agent
    }

    mutating func addEvent(_ event: TraceEvent, to index: Int, time: UInt64) {
        // Where the event sits in the Trace; its data follows as `micro.*` (a checkpoint's own `micro.sequence`).
        var attributes: [OTelAttribute] = [.int("micro.trace.sequence", event.sequence), .int("micro.trace.step", event.step)]
        if spans[index].attribute("micro.run.id")?.stringValue != event.runID { attributes.append(.string("micro.trace.run_id", event.runID)) }
        EventData.flatten(event.data, prefix: "micro", depth: 0, captureContent: options.captureContent, into: &attributes)
        spans[index].events.append(OTelSpan.Event(name: "micro.\(event.kind.rawValue)", timeUnixNano: time, attributes: attributes))
    }

    /// A model answer in the conventions' output-messages schema (role, parts, finish_reason).
    static func outputMessages(_ message: JSONValue, finishReason: String) -> JSONValue {
        let parts: [JSONValue] = (message["parts"]?.arrayValue ?? []).map { part in
            switch part["type"]?.stringValue {
            case "text": ["type": "text", "content": part["text"] ?? ""]
            case "tool_call":
                [
                    "type": "tool_call", "id": part["toolCall"]?["id"] ?? .null, "name": part["toolCall"]?["name"] ?? .null,
                    "arguments": part["toolCall"]?["arguments"] ?? .null,
                ]
            default: part
            }
        }
        return [["role": message["role"] ?? "assistant", "parts": .array(parts), "finish_reason": .string(finishReason)]]
    }
}

extension OTelAttribute {
    static func bool(_ key: String, _ value: Bool) -> OTelAttribute { OTelAttribute(key, .bool(value)) }
}
