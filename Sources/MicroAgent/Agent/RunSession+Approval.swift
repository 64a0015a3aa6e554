import Micro

/// The agent's approval policy in the loop: a call is allowed, denied, or asked about before it starts, and
/// the answer is committed with the call before it runs.
extension RunSession {
    /// Applies the approval policy to `call`; true when it may run now. A denied call is answered with a
    /// `denied` error; a call to ask about pauses the run with an ``ApprovalRequest`` (one question at a
    /// time: a second call to ask about waits until the first is answered). Calls already started or
    /// answered, and `request_input`, are not asked about again.
    mutating func approvalAllows(_ call: PendingCall) async throws -> Bool {
        guard call.status == .pending, call.approval == nil, call.call.name != BuiltinTool.requestInput.rawValue else {
            return true
        }
        let (decision, rule) = agent.approval.decision(for: call.call.name)
        switch decision {
        case .allow:
            return true
        case .deny:
            let because = rule.map { "the rule \"\($0)\"" } ?? "its default"
            record(.toolDenied, [
                "callID": .string(call.call.id), "tool": .string(call.call.name), "rule": rule.map { .string($0.description) } ?? .null,
            ])
            try await complete(call, .failure(ServiceError(
                .denied, "\(call.call.name) was not run: the approval policy denies it (\(because)); do not call it again")))
            return false
        case .ask:
            guard state.status != .waitingForInput else { return false }
            let request = ApprovalRequest(
                tool: call.call.name, callID: call.call.id, arguments: call.call.arguments, rule: rule?.description)
            state.inputRequest = InputRequest(callID: call.call.id, prompt: request.prompt, approval: request)
            state.status = .waitingForInput
            record(.approvalRequested, request.jsonValue)
            return false
        }
    }

    /// Answers the approval question `request` about `call` with `input` (see ``ApprovalAnswer``). An approval
    /// is committed (juncture `resumed`) before the call runs; a denial commits the call's `denied` result.
    /// An answer that cannot be used asks the same question again, saying why.
    mutating func answer(_ request: ApprovalRequest, call: PendingCall, input: String) async throws {
        let decision: ApprovalDecision
        var arguments = call.call.arguments
        do throws(ApprovalError) {
            switch try ApprovalAnswer(parsing: input) {
            case .approve:
                decision = ApprovalDecision(approved: true)
            case .deny(let reason):
                decision = ApprovalDecision(approved: false, reason: reason)
            case .edit(let edited):
                let violations = toolSpecs.first { $0.name == call.call.name }?.inputSchema.validate(edited) ?? []
                guard violations.isEmpty else {
                    throw ApprovalError(
                        .invalidArguments,
                        "the edited arguments do not match the schema of \(call.call.name): "
                            + violations.map(\.description).joined(separator: "; "))
                }
                decision = ApprovalDecision(approved: true, edited: edited != call.call.arguments)
                arguments = edited
            }
        } catch {
            var again = request
            again.invalidAnswers += 1
            state.inputRequest = InputRequest(
                callID: call.call.id, prompt: "Your answer could not be used (\(error)). " + again.prompt, approval: again)
            var data = again.jsonValue.objectValue ?? [:]
            data["problem"] = .string(error.description)
            record(.approvalRequested, .object(data))
            return try await pause()
        }
        state.inputRequest = nil
        state.status = .running
        state.phase = .runTools
        state.pendingCalls[call.index].approval = decision
        state.pendingCalls[call.index].call.arguments = arguments
        record(.approvalAnswered, [
            "callID": .string(call.call.id), "tool": .string(call.call.name), "approved": .bool(decision.approved),
            "edited": .bool(decision.edited), "arguments": arguments, "reason": decision.reason.map(JSONValue.string) ?? .null,
        ])
        if decision.approved {
            try await commit(.resumed)
        } else {
            let why = decision.reason.map { ": \($0)" } ?? ""
            try await complete(call, .failure(ServiceError(.denied, "\(call.call.name) was not run: the user denied it\(why)")))
        }
    }
}
