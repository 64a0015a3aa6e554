import Micro
import Synchronization

/// Encodes run states as canonical JSON (``RunState/canonicalJSON()``, byte for byte), remembering the encoded
/// messages of each recent run: a run's next checkpoint re-encodes only the messages that changed.
///
/// Between two junctures a run's conversation grows by a message or two and is otherwise committed again
/// unchanged, so on a checkpointer's hot path most of the state's bytes are already known. A message is reused
/// only when it equals (`==`) the one encoded at the same index last time, which is cheap for a message carried
/// over from the previous state (its storage is shared) and correct for any other.
public final class RunStateEncoder: Sendable {
    private struct Entry {
        var messages: [Message]
        var encoded: [[UInt8]]
        var lastUse: UInt64
    }

    private struct Cache {
        var entries: [String: Entry] = [:]
        var uses: UInt64 = 0
    }

    /// How many runs' messages are remembered; the least recently encoded run is forgotten first.
    public let runCapacity: Int
    private let cache = Mutex(Cache())

    public init(runCapacity: Int = 16) {
        self.runCapacity = max(0, runCapacity)
    }

    /// `state.canonicalJSON()`, reusing the encoded messages of the run's previous state where they are equal.
    public func encode(_ state: RunState) -> [UInt8] {
        guard runCapacity > 0 else { return state.canonicalJSON() }
        let messages = state.memory.messages
        let previous = cache.withLock { $0.entries[state.runID] }
        var encoded: [[UInt8]] = []
        encoded.reserveCapacity(messages.count)
        var size = 1024
        for (index, message) in messages.enumerated() {
            if let previous, index < previous.messages.count, previous.messages[index] == message {
                encoded.append(previous.encoded[index])
            } else {
                var w = JSONWriter()
                w.writeMessage(message)
                encoded.append(w.bytes)
            }
            size += encoded[index].count + 1
        }
        let json = state.canonicalJSON(capacity: size) { w in
            w.writeRaw("[")
            for (index, bytes) in encoded.enumerated() {
                if index > 0 { w.writeRaw(",") }
                w.writeBytes(bytes)
            }
            w.writeRaw("]")
        }
        remember(state.runID, Entry(messages: messages, encoded: encoded, lastUse: 0))
        return json
    }

    private func remember(_ runID: String, _ entry: Entry) {
        cache.withLock { cache in
            cache.uses += 1
            var entry = entry
            entry.lastUse = cache.uses
            if cache.entries.updateValue(entry, forKey: runID) == nil, cache.entries.count > runCapacity,
                let oldest = cache.entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key
            {
                cache.entries[oldest] = nil
            }
        }
    }
}
