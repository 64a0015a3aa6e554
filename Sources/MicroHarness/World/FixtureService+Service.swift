import Micro
import Synchronization

extension FixtureService {
    /// The fixture as a service: arguments validated against its input schema by the toolset, responses
    /// taken from the script (the first whose `when` matches; otherwise the next unconditional one, the last
    /// repeating), latency slept on the virtual clock, effects journaled in `ledger`.
    func service(ledger: SideEffectLedger) throws -> Service {
        let endpoints = try self.endpoints.map { endpoint -> Micro.Endpoint in
            let input = try JSONSchema(endpoint.input)
            let output = try endpoint.output.map { try JSONSchema($0) } ?? JSONSchema(["type": "object"])
            let cursor = ScriptCursor()
            let kind = "\(name).\(endpoint.name)"
            return Micro.Endpoint(endpoint.name, description: endpoint.description, requestSchema: input, responseSchema: output) {
                arguments, context in
                let response = Self.pick(endpoint.responses, for: arguments, cursor: cursor)
                if let latency = response.latency { try await context.environment.sleep(for: latency) }
                switch endpoint.effect {
                case .none: break
                case .everyCall:
                    try await ledger.append(key: context.idempotencyKey, kind: kind, payload: arguments, at: context.environment.now())
                case .oncePerKey:
                    try await ledger.perform(key: context.idempotencyKey, kind: kind, payload: arguments, at: context.environment.now())
                }
                if let error = response.error { throw ServiceError(.handlerFailed, error) }
                return response.result ?? .null
            }
        }
        return Service(name, description: description, endpoints: endpoints)
    }

    static func pick(_ responses: [Response], for arguments: JSONValue, cursor: ScriptCursor) -> Response {
        if let matched = responses.first(where: { $0.when.map { JSONMatch.contains(arguments, $0) } ?? false }) {
            return matched
        }
        let unconditional = responses.filter { $0.when == nil }
        guard !unconditional.isEmpty else { return responses[responses.count - 1] }
        let index = cursor.position.withLock { index in
            defer { index += 1 }
            return min(index, unconditional.count - 1)
        }
        return unconditional[index]
    }
}

/// Which unconditional response a fixture endpoint gives next.
final class ScriptCursor: Sendable {
    let position = Mutex(0)
}
