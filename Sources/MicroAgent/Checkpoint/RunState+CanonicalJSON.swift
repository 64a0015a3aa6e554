import Micro

extension RunState {
    /// The state as canonical JSON, byte-for-byte `JSONValueEncoder().encode(state).canonicalBytes()`, written
    /// directly instead of through `Codable` and a `JSONValue` tree: about 10× faster, for checkpointers
    /// that commit the state at every juncture. Decode with `JSONValueDecoder` as usual.
    ///
    /// - Important: Hand-written to match the synthesized `Codable` of ``RunState`` and the types it holds: a
    ///   field added to any of them must be added here too (`RunStateCanonicalJSONTests` fails until it is).
    public func canonicalJSON() -> [UInt8] {
        canonicalJSON(capacity: 1024 + 384 * memory.messages.count) { w in
            w.writeArray(memory.messages) { $0.writeMessage($1) }
        }
    }

    /// ``canonicalJSON()`` with `writeMessages` writing the value of `memory.messages` (a JSON array).
    func canonicalJSON(capacity: Int, messages writeMessages: (inout JSONWriter) -> Void) -> [UInt8] {
        var w = JSONWriter(capacity: capacity)
        w.writeRaw("{\"agent\":"); w.writeString(agent)
        w.writeRaw(",\"checkpointCount\":"); w.writeInteger(checkpointCount)
        w.writeRaw(",\"children\":"); w.writeArray(children) { w, child in
            w.writeRaw("{\"agent\":"); w.writeString(child.agent)
            w.writeRaw(",\"callID\":"); w.writeString(child.callID)
            w.writeRaw(",\"runID\":"); w.writeString(child.runID)
            w.writeRaw(",\"status\":"); w.writeString(child.status.rawValue)
            w.writeRaw("}")
        }
        w.writeRaw(",\"counters\":{\"identicalCalls\":"); w.writeCounts(counters.identicalCalls)
        w.writeRaw(",\"modelRetries\":"); w.writeInteger(counters.modelRetries)
        w.writeRaw(",\"toolCalls\":"); w.writeInteger(counters.toolCalls)
        w.writeRaw("},\"depth\":"); w.writeInteger(depth)
        if let failure {
            w.writeRaw(",\"failure\":{\"code\":"); w.writeString(failure.code)
            w.writeRaw(",\"message\":"); w.writeString(failure.message)
            w.writeRaw("}")
        }
        if let flow, let encoded = try? JSONValueEncoder().encode(flow) {
            w.writeRaw(",\"flow\":"); w.writeCanonical(encoded)
        }
        if let fork {
            w.writeRaw(",\"fork\":{\"edit\":"); w.writeString(fork.edit)
            w.writeRaw(",\"juncture\":"); w.writeString(fork.juncture.description)
            w.writeRaw(",\"runID\":"); w.writeString(fork.runID)
            w.writeRaw(",\"sequence\":"); w.writeInteger(fork.sequence)
            w.writeRaw("}")
        }
        if let inputRequest {
            w.writeRaw(",\"inputRequest\":{")
            if let approval = inputRequest.approval {
                w.writeRaw("\"approval\":{\"arguments\":"); w.writeCanonical(approval.arguments)
                w.writeRaw(",\"callID\":"); w.writeString(approval.callID)
                w.writeRaw(",\"invalidAnswers\":"); w.writeInteger(approval.invalidAnswers)
                if let rule = approval.rule { w.writeRaw(",\"rule\":"); w.writeString(rule) }
                w.writeRaw(",\"tool\":"); w.writeString(approval.tool)
                w.writeRaw("},")
            }
            w.writeRaw("\"callID\":"); w.writeString(inputRequest.callID)
            if let childRunID = inputRequest.childRunID { w.writeRaw(",\"childRunID\":"); w.writeString(childRunID) }
            w.writeRaw(",\"prompt\":"); w.writeString(inputRequest.prompt)
            w.writeRaw("}")
        }
        w.writeRaw(",\"memory\":{\"compactions\":"); w.writeInteger(memory.compactions)
        w.writeRaw(",\"evictedCount\":"); w.writeInteger(memory.evictedCount)
        w.writeRaw(",\"messages\":"); writeMessages(&w)
        if let summary = memory.summary { w.writeRaw(",\"summary\":"); w.writeString(summary) }
        w.writeRaw("}")
        if let output { w.writeRaw(",\"output\":"); w.writeString(output) }
        if let parentRunID { w.writeRaw(",\"parentRunID\":"); w.writeString(parentRunID) }
        w.writeRaw(",\"pendingCalls\":"); w.writeArray(pendingCalls) { w, pending in
            if let approval = pending.approval {
                w.writeRaw("{\"approval\":{\"approved\":"); w.writeRaw(approval.approved ? "true" : "false")
                w.writeRaw(",\"edited\":"); w.writeRaw(approval.edited ? "true" : "false")
                if let reason = approval.reason { w.writeRaw(",\"reason\":"); w.writeString(reason) }
                w.writeRaw("},\"attempts\":")
            } else {
                w.writeRaw("{\"attempts\":")
            }
            w.writeInteger(pending.attempts)
            w.writeRaw(",\"call\":"); w.writeToolCall(pending.call)
            w.writeRaw(",\"index\":"); w.writeInteger(pending.index)
            w.writeRaw(",\"key\":{\"callIndex\":"); w.writeInteger(pending.key.callIndex)
            w.writeRaw(",\"runID\":"); w.writeString(pending.key.runID)
            w.writeRaw(",\"step\":"); w.writeInteger(pending.key.step)
            w.writeRaw("}")
            if let result = pending.result { w.writeRaw(",\"result\":"); w.writeToolResult(result) }
            w.writeRaw(",\"status\":"); w.writeString(pending.status.rawValue)
            w.writeRaw("}")
        }
        w.writeRaw(",\"phase\":"); w.writeString(phase.rawValue)
        if let plan {
            w.writeRaw(",\"plan\":{\"steps\":"); w.writeArray(plan.steps) { w, step in
                w.writeRaw("{\"status\":"); w.writeString(step.status.rawValue)
                w.writeRaw(",\"title\":"); w.writeString(step.title)
                w.writeRaw("}")
            }
            w.writeRaw("}")
        }
        w.writeRaw(",\"runID\":"); w.writeString(runID)
        w.writeRaw(",\"startedAt\":"); w.writeInteger(startedAt.millisecondsSinceEpoch)
        w.writeRaw(",\"status\":"); w.writeString(status.rawValue)
        w.writeRaw(",\"step\":"); w.writeInteger(step)
        w.writeRaw(",\"usage\":{")
        if usage.cachedInputTokens != 0 { w.writeRaw("\"cachedInputTokens\":"); w.writeInteger(usage.cachedInputTokens); w.writeRaw(",") }
        w.writeRaw("\"inputTokens\":"); w.writeInteger(usage.inputTokens)
        w.writeRaw(",\"outputTokens\":"); w.writeInteger(usage.outputTokens)
        w.writeRaw("}}")
        return w.bytes
    }
}
