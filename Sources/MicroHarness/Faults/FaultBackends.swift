import Micro
import MicroAgent

/// A store that injects the plan's `store` faults into writes (`write_failed`, `slow_write`); reads pass.
struct FaultStore: Store {
    let base: any Store
    let injector: FaultInjector

    func now() -> Timestamp { base.now() }

    func read(_ key: String, in namespace: String) async throws -> StoreRecord? { try await base.read(key, in: namespace) }

    func read(prefix: String, in namespace: String, limit: Int?, offset: Int) async throws -> [StoreRecord] {
        try await base.read(prefix: prefix, in: namespace, limit: limit, offset: offset)
    }

    func keys(prefix: String, in namespace: String, limit: Int?, offset: Int) async throws -> [String] {
        try await base.keys(prefix: prefix, in: namespace, limit: limit, offset: offset)
    }

    func write(_ records: [StoreRecord], in namespace: String) async throws {
        try await inject(namespace: namespace, keys: records.map(\.key))
        try await base.write(records, in: namespace)
    }

    func compareAndSwap(_ record: StoreRecord, expecting expected: [UInt8]?, in namespace: String) async throws -> Bool {
        try await inject(namespace: namespace, keys: [record.key])
        return try await base.compareAndSwap(record, expecting: expected, in: namespace)
    }

    func delete(_ key: String, in namespace: String) async throws -> Bool {
        try await inject(namespace: namespace, keys: [key])
        return try await base.delete(key, in: namespace)
    }

    func purgeExpired() async throws -> Int { try await base.purgeExpired() }

    private func inject(namespace: String, keys: [String]) async throws {
        let text = "\(namespace)/" + keys.joined(separator: ",")
        guard let fault = injector.fault(.store, text: text) else { return }
        if fault.kind == "slow_write" {
            try await injector.environment.sleep(for: fault.latency ?? .seconds(1))
        } else {
            throw StoreError(.unavailable, "write failed (injected fault)", key: keys.first, namespace: namespace)
        }
    }
}

/// A checkpointer that injects the plan's `checkpointer` faults into commits (`write_failed`, `slow_write`).
struct FaultCheckpointer: Checkpointer {
    let base: any Checkpointer
    let injector: FaultInjector

    func commit(_ checkpoint: Checkpoint, lease: Lease?) async throws {
        if let fault = injector.fault(.checkpointer, agent: checkpoint.state.agent, text: checkpoint.juncture.description) {
            if fault.kind == "slow_write" {
                try await injector.environment.sleep(for: fault.latency ?? .seconds(1))
            } else {
                throw CheckpointError(
                    .storage, "committing checkpoint \(checkpoint.sequence) of \(checkpoint.runID) failed (injected fault)",
                    runID: checkpoint.runID)
            }
        }
        try await base.commit(checkpoint, lease: lease)
    }

    func latest(runID: String) async throws -> Checkpoint? { try await base.latest(runID: runID) }
    func history(runID: String) async throws -> [Checkpoint] { try await base.history(runID: runID) }
    func runs() async throws -> [RunSummary] { try await base.runs() }

    func acquireLease(runID: String, owner: String, duration: Duration, now: Timestamp) async throws -> Lease {
        try await base.acquireLease(runID: runID, owner: owner, duration: duration, now: now)
    }

    func releaseLease(_ lease: Lease) async throws { try await base.releaseLease(lease) }
}

/// A broker that injects the plan's `broker` faults into publishes: `drop` (never delivered), `duplicate`
/// (delivered twice) and `delay` (delivered after a pause on the virtual clock).
struct FaultBroker: Broker {
    let base: any Broker
    let injector: FaultInjector

    func publish(_ message: BrokerMessage, to topic: String) async throws {
        guard let fault = injector.fault(.broker, topic: topic, text: topic) else {
            return try await base.publish(message, to: topic)
        }
        switch fault.kind {
        case "drop":
            return
        case "duplicate":
            try await base.publish(message, to: topic)
            try await base.publish(message, to: topic)
        default:
            try await injector.environment.sleep(for: fault.latency ?? .seconds(1))
            try await base.publish(message, to: topic)
        }
    }

    func subscribe(to topic: String, options: BrokerSubscription.Options) async throws -> BrokerSubscription {
        try await base.subscribe(to: topic, options: options)
    }
}

extension Service {
    /// This service with the plan's `tool` faults injected into its endpoints. `toolName` maps an endpoint
    /// to the tool name agents see.
    /// `custom` are the catalogue's own kinds.
    func injectingFaults(
        _ injector: FaultInjector, custom: [ToolFaultKind] = [], toolName: @escaping @Sendable (String) -> String
    ) -> Service {
        wrapped { endpoint, request, context, next in
            let tool = toolName(endpoint)
            guard
                let fault = await injector.fault(
                    .tool, agent: context.caller, tool: tool, text: request.canonicalString(), identity: context.idempotencyKey)
            else {
                return try await next(request, context)
            }
            if let kind = custom.first(where: { $0.name == fault.kind }) { return try await kind.inject(request, context, next) }
            switch fault.kind {
            case "latency":
                try await injector.environment.sleep(for: fault.latency ?? .seconds(1))
                return try await next(request, context)
            case "timeout":
                // A service that never answers: only the call's deadline ends the hang (cancelling it). A call
                // with no deadline gives up after `latency`, as a client's own timeout would.
                if Deadline.current != nil { try await context.environment.hang() }
                try await injector.environment.sleep(for: fault.latency ?? .seconds(30))
                throw ServiceError(.deadlineExceeded, "\(tool) timed out after \(fault.latency ?? .seconds(30)) (injected fault)")
            case "wrong_shape":
                _ = try await next(request, context)
                return ["unexpected": "shape", "injected": true]
            default:
                throw ServiceError(.handlerFailed, "\(tool) failed (injected fault)")
            }
        }
    }
}
