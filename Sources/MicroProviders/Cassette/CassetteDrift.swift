import Foundation
import Micro
import MicroAgent

/// How a provider's answer to a recorded request has drifted from the recording: the shape of its body (the
/// JSON paths its events carry, with their types), the status, and what our adapter reads from it (stop
/// reason, tool calls and their argument names). Values are not compared: a model's words change, the shape
/// of the API is what a cassette must still match.
public struct CassetteDrift: Sendable, Hashable {
    /// The interaction's index in the cassette.
    public var index: Int
    public var method: String
    public var path: String
    /// What changed; empty when the answer has the recorded shape.
    public var changes: [String]
    /// Why the request could not be checked (no answer from the upstream), if so.
    public var error: String?

    public var drifted: Bool { !changes.isEmpty || error != nil }

    /// One line per interaction: `#0 POST /v1/messages: same shape` or the changes.
    public var description: String {
        let head = "#\(index) \(method) \(path): "
        if let error { return head + "not checked: " + error }
        return head + (changes.isEmpty ? "same shape" : changes.joined(separator: "; "))
    }

    /// Sends each recorded request of `cassette` again to `upstream` (its origin replaces the recorded one;
    /// redacted credentials are filled from `environment`'s provider keys) and compares the answers. Nothing
    /// is written.
    public static func check(
        _ cassette: Cassette, upstream: String, transport: any HTTPTransport,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async -> [CassetteDrift] {
        var drifts: [CassetteDrift] = []
        for (index, interaction) in cassette.interactions.enumerated() {
            let path = URLComponents(string: interaction.request.url)?.path ?? interaction.request.url
            var drift = CassetteDrift(index: index, method: interaction.request.method, path: path, changes: [], error: nil)
            let provider = cassette.metadata.provider ?? Self.provider(ofPath: path)
            let request = HTTPRequest(
                method: interaction.request.method, url: Self.rebase(interaction.request.url, onto: upstream),
                headers: Self.credentials(interaction.request.headers, provider: provider, environment: environment),
                body: interaction.request.body?.bytes ?? [])
            do {
                let response = try await transport.send(request)
                var body: [UInt8] = []
                for try await chunk in response.body { body += chunk }
                let recorded = interaction.response
                drift.changes = await Self.compare(
                    recorded: (recorded?.status ?? 0, recorded?.chunks.flatMap(\.data.bytes) ?? []), live: (response.status, body),
                    provider: provider)
            } catch {
                drift.error = "\(error)"
            }
            drifts.append(drift)
        }
        return drifts
    }

    /// The differences between a recorded and a live answer.
    public static func compare(recorded: (status: Int, body: [UInt8]), live: (status: Int, body: [UInt8]), provider: String?) async -> [String] {
        var changes: [String] = []
        if recorded.status != live.status { changes.append("status \(recorded.status) → \(live.status)") }
        let before = shape(of: recorded.body)
        let after = shape(of: live.body)
        let added = after.subtracting(before).sorted()
        let removed = before.subtracting(after).sorted()
        if !added.isEmpty { changes.append("new fields: " + added.joined(separator: ", ")) }
        if !removed.isEmpty { changes.append("missing fields: " + removed.joined(separator: ", ")) }
        guard let provider, recorded.status < 400, live.status < 400 else { return changes }
        let was = await reading(recorded.body, provider: provider)
        let now = await reading(live.body, provider: provider)
        if was.stop != now.stop { changes.append("stop reason \(was.stop) → \(now.stop)") }
        if was.calls != now.calls {
            changes.append("tool calls \(was.calls.isEmpty ? "none" : was.calls.joined(separator: ", ")) → \(now.calls.isEmpty ? "none" : now.calls.joined(separator: ", "))")
        }
        return changes
    }

    /// Every JSON path in the body's events or documents, with its type (`$.delta.text: string`); array
    /// elements collapse to `[]`. SSE `event:` names count as paths too (`event message_stop`).
    public static func shape(of body: [UInt8]) -> Set<String> {
        var paths: Set<String> = []
        var documents: [JSONValue] = []
        if let whole = try? JSONValue(parsing: body) {
            documents = [whole]
        } else {
            var parser = SSEParser()
            var events: [SSEEvent] = []
            try? parser.parse(body) { events.append($0) }
            try? parser.finish { events.append($0) }
            if events.isEmpty {  // NDJSON
                for line in body.split(separator: UInt8(ascii: "\n")) {
                    if let value = try? JSONValue(parsing: line) { documents.append(value) }
                }
            }
            for event in events {
                if event.type != "message" { paths.insert("event \(event.type)") }
                if let value = try? JSONValue(parsing: event.data) { documents.append(value) }
            }
        }
        for document in documents { collect(document, "$", into: &paths) }
        return paths
    }

    private static func collect(_ value: JSONValue, _ path: String, into paths: inout Set<String>) {
        switch value {
        case .object(let object):
            paths.insert("\(path): object")
            for (key, member) in object { collect(member, "\(path).\(key)", into: &paths) }
        case .array(let items):
            paths.insert("\(path): array")
            for item in items { collect(item, "\(path)[]", into: &paths) }
        case .integer, .number:
            paths.insert("\(path): number")  // 3 and 3.5 are the same shape
        default:
            paths.insert("\(path): \(value.typeName)")
        }
    }

    /// The stop reason and tool calls (`name(argument, …)`) our adapter reads from a body, or the error.
    private static func reading(_ body: [UInt8], provider: String) async -> (stop: String, calls: [String]) {
        guard let model = try? ProviderCatalog.reader(of: body, provider: provider) else { return ("?", []) }
        do {
            let response = try await model.respond(to: ModelRequest(model: "", messages: [.user("")]))
            let calls = response.message.toolCalls.map { "\($0.name)(\(($0.arguments.objectValue?.keys.sorted() ?? []).joined(separator: ", ")))" }
            return (response.stopReason.rawValue, calls)
        } catch let error as ModelError {
            return ("error \(error.code)", [])
        } catch {
            return ("error", [])
        }
    }

    /// `url` with its scheme, host and port replaced by `upstream`'s; the recorded path and query are kept
    /// (a path in `upstream` is not used).
    static func rebase(_ url: String, onto upstream: String) -> String {
        guard var target = URLComponents(string: upstream), let recorded = URLComponents(string: url) else { return url }
        target.percentEncodedPath = recorded.percentEncodedPath
        target.percentEncodedQuery = recorded.percentEncodedQuery
        return target.string ?? url
    }

    /// Recorded headers with redacted credentials filled from the provider's key variable.
    static func credentials(_ headers: [Cassette.Header], provider: String?, environment: [String: String]) -> [(name: String, value: String)] {
        let key = provider.flatMap(ProviderCatalog.entry)?.apiKeyVariables.lazy.compactMap { environment[$0] }.first
        return headers.map { header in
            guard header.value.contains(Redactor.placeholder), let key else { return (header.name, header.value) }
            return (header.name, header.value.replacingOccurrences(of: Redactor.placeholder, with: key))
        }
    }

    /// The provider whose API serves `path`.
    static func provider(ofPath path: String) -> String? {
        if path.hasSuffix("/messages") { return "anthropic" }
        if path.hasSuffix("/chat/completions") { return "openai" }
        if path.contains(":streamGenerateContent") || path.contains(":generateContent") { return "gemini" }
        if path.hasSuffix("/api/chat") { return "ollama" }
        return nil
    }
}

