import Micro
import MicroProviders

/// Turns the byte chunks of a `/v3/watch` stream (newline-delimited JSON, split anywhere) into responses.
struct EtcdWatchDecoder: Sendable {
    private var reader = NDJSONReader()
    let url: String

    init(url: String) { self.url = url }

    /// The complete messages in `chunk`, in order; throws a gateway error the stream carries.
    mutating func read(_ chunk: [UInt8]) throws -> [EtcdWatchResponse] {
        var lines: [JSONValue] = []
        do {
            try reader.read(chunk) { lines.append($0) }
        } catch {
            throw EtcdError(.protocolError, "malformed watch stream: \(error)", url: url, underlying: error)
        }
        return try lines.map { try EtcdWatchResponse(line: $0, url: url) }
    }
}
