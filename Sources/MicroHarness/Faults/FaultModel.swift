import Micro
import MicroAgent

/// A model that injects the plan's `model` faults into the calls of one scripted agent (recorded agents get
/// them as wire bytes from ``FaultTransport``): HTTP errors with their
/// status and `retry-after`, timeouts and resets, streams cut before their end or broken mid-way, slow
/// streams, and context overflow. Calls without a fault go to `base` unchanged.
struct FaultModel: Model {
    let base: any Model
    let agent: String
    let injector: FaultInjector
    let environment: Environment

    var info: ModelInfo { base.info }

    func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        let lastText = request.messages.last.map { message in
            message.parts.map { part -> String in
                switch part {
                case .text(let text): text
                case .toolResult(let result): result.content.canonicalString()
                default: ""
                }
            }.joined(separator: " ")
        } ?? ""
        // The run and its turn name the call, so a resumed process meets the fault the killed one met.
        let turn = request.turn ?? (request.messages.count { $0.role == .assistant } + 1)
        let identity = "\(RunScope.current?.runID ?? "")/\(agent)/turn-\(turn)"
        let deferred = DeferredPump { [self] in
            guard let fault = await injector.fault(.model, agent: agent, text: lastText, identity: identity) else {
                return base.stream(request)
            }
            return faulted(fault, request)
        }
        return AsyncThrowingStream(unfolding: { try await deferred.next() })
    }

    /// The stream of a call that `fault` hits.
    private func faulted(_ fault: FaultSpec, _ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        if let error = Self.immediateError(fault) { return AsyncThrowingStream { $0.finish(throwing: error) } }
        let environment = environment
        if fault.kind == "timeout" {
            // No answer, and the model never sees the request (a scripted turn is not used up): the model
            // call's (or the run's) deadline ends the hang; with none, the client gives up after `latency`.
            return AsyncThrowingStream(unfolding: {
                if Deadline.current != nil { try await environment.hang() }
                try await environment.sleep(for: fault.latency ?? .seconds(60))
                throw ModelError(.transport, "the request timed out (injected after \(fault.latency ?? .seconds(60)))")
            })
        }
        let pump = EventPump(base.stream(request))
        switch fault.kind {
        case "truncated_stream":
            // Everything but the terminal event: the folder must report a truncation, not a success.
            return AsyncThrowingStream(unfolding: {
                while let event = try await pump.next() {
                    if case .finish = event { continue }
                    return event
                }
                return nil
            })
        case "malformed_chunk":
            return AsyncThrowingStream(unfolding: {
                if await pump.taken >= 1 {
                    throw ModelError(.malformedResponse, "the stream sent a chunk that is not valid JSON (injected)")
                }
                return try await pump.next()
            })
        default:  // slow_dribble: every event after a pause
            return AsyncThrowingStream(unfolding: {
                try await environment.sleep(for: fault.latency ?? .seconds(1))
                return try await pump.next()
            })
        }
    }

    /// The error of a fault that fails the call before any byte arrives, or nil for stream faults.
    static func immediateError(_ fault: FaultSpec) -> ModelError? {
        if fault.kind == "connection_reset" { return ModelError(.transport, "connection reset by peer (injected)") }
        guard let http = fault.httpError else { return nil }
        let code: ModelError.Code =
            switch fault.kind {
            case "rate_limit": .rateLimited
            case "context_length_exceeded": .contextLengthExceeded
            default: .overloaded
            }
        return ModelError(code, http.message, status: http.status, providerType: http.providerType, retryAfter: fault.retryAfter)
    }
}

/// A stream made on its first pull (after an asynchronous decision), then pulled from one event at a time.
actor DeferredPump {
    private let make: @Sendable () async -> AsyncThrowingStream<ModelEvent, any Error>
    private var pump: EventPump?

    init(_ make: @escaping @Sendable () async -> AsyncThrowingStream<ModelEvent, any Error>) {
        self.make = make
    }

    func next() async throws -> ModelEvent? {
        if pump == nil { pump = EventPump(await make()) }
        return try await pump!.next()
    }
}

/// Pulls events from a stream one at a time, for streams rebuilt on top of it.
actor EventPump {
    private var iterator: AsyncThrowingStream<ModelEvent, any Error>.AsyncIterator
    private(set) var taken = 0

    init(_ stream: AsyncThrowingStream<ModelEvent, any Error>) {
        iterator = stream.makeAsyncIterator()
    }

    func next() async throws -> ModelEvent? {
        var iterator = self.iterator
        let event = try await iterator.next(isolation: self)
        self.iterator = iterator
        if event != nil { taken += 1 }
        return event
    }
}
