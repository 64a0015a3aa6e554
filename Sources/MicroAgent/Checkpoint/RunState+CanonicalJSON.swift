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
            w.array(memory.messages) { $0.message($1) }
        }
    }

    /// ``canonicalJSON()`` with `writeMessages` writing the value of `memory.messages` (a JSON array).
    func canonicalJSON(capacity: Int, messages writeMessages: (inout CanonicalJSONWriter) -> Void) -> [UInt8] {
        var w = CanonicalJSONWriter(capacity: capacity)
        w.raw("{\"agent\":"); w.string(agent)
        w.raw(",\"checkpointCount\":"); w.integer(checkpointCount)
        w.raw(",\"children\":"); w.array(children) { w, child in
            w.raw("{\"agent\":"); w.string(child.agent)
            w.raw(",\"callID\":"); w.string(child.callID)
            w.raw(",\"runID\":"); w.string(child.runID)
            w.raw(",\"status\":"); w.string(child.status.rawValue)
            w.raw("}")
        }
        w.raw(",\"counters\":{\"identicalCalls\":"); w.counts(counters.identicalCalls)
        w.raw(",\"modelRetries\":"); w.integer(counters.modelRetries)
        w.raw(",\"toolCalls\":"); w.integer(counters.toolCalls)
        w.raw("},\"depth\":"); w.integer(depth)
        if let failure {
            w.raw(",\"failure\":{\"code\":"); w.string(failure.code)
            w.raw(",\"message\":"); w.string(failure.message)
            w.raw("}")
        }
        if let inputRequest {
            w.raw(",\"inputRequest\":{\"callID\":"); w.string(inputRequest.callID)
            if let childRunID = inputRequest.childRunID { w.raw(",\"childRunID\":"); w.string(childRunID) }
            w.raw(",\"prompt\":"); w.string(inputRequest.prompt)
            w.raw("}")
        }
        w.raw(",\"memory\":{\"compactions\":"); w.integer(memory.compactions)
        w.raw(",\"evictedCount\":"); w.integer(memory.evictedCount)
        w.raw(",\"messages\":"); writeMessages(&w)
        if let summary = memory.summary { w.raw(",\"summary\":"); w.string(summary) }
        w.raw("}")
        if let output { w.raw(",\"output\":"); w.string(output) }
        if let parentRunID { w.raw(",\"parentRunID\":"); w.string(parentRunID) }
        w.raw(",\"pendingCalls\":"); w.array(pendingCalls) { w, pending in
            w.raw("{\"attempts\":"); w.integer(pending.attempts)
            w.raw(",\"call\":"); w.toolCall(pending.call)
            w.raw(",\"index\":"); w.integer(pending.index)
            w.raw(",\"key\":{\"callIndex\":"); w.integer(pending.key.callIndex)
            w.raw(",\"runID\":"); w.string(pending.key.runID)
            w.raw(",\"step\":"); w.integer(pending.key.step)
            w.raw("}")
            if let result = pending.result { w.raw(",\"result\":"); w.toolResult(result) }
            w.raw(",\"status\":"); w.string(pending.status.rawValue)
            w.raw("}")
        }
        w.raw(",\"phase\":"); w.string(phase.rawValue)
        if let plan {
            w.raw(",\"plan\":{\"steps\":"); w.array(plan.steps) { w, step in
                w.raw("{\"status\":"); w.string(step.status.rawValue)
                w.raw(",\"title\":"); w.string(step.title)
                w.raw("}")
            }
            w.raw("}")
        }
        w.raw(",\"runID\":"); w.string(runID)
        w.raw(",\"startedAt\":"); w.integer(startedAt.millisecondsSinceEpoch)
        w.raw(",\"status\":"); w.string(status.rawValue)
        w.raw(",\"step\":"); w.integer(step)
        w.raw(",\"usage\":{\"inputTokens\":"); w.integer(usage.inputTokens)
        w.raw(",\"outputTokens\":"); w.integer(usage.outputTokens)
        w.raw("}}")
        return w.bytes
    }
}
