import Foundation
import Micro

/// The v3 gateway's JSON conventions: bytes as base64, 64-bit integers as decimal strings.
enum EtcdWire {
    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
    static func base64(_ string: String) -> String { base64(Array(string.utf8)) }

    /// Decodes a base64 field; nil when absent or not base64.
    static func bytes(_ value: JSONValue?) -> [UInt8]? {
        guard let text = value?.stringValue else { return value == nil ? [] : nil }
        return Data(base64Encoded: text).map { Array($0) }
    }

    /// An int64 field, sent as a string (or a number by lenient servers); 0 when absent (protobuf default).
    static func int64(_ value: JSONValue?) -> Int64? {
        switch value {
        case nil: 0
        case .string(let s)?: Int64(s)
        case .integer(let i)?: Int64(i)
        default: nil
        }
    }

    static func int64String(_ value: Int64) -> JSONValue { .string(String(value)) }

    /// The smallest key after every key starting with `prefix` (the prefix with its last byte + 1).
    static func rangeEnd(prefix: [UInt8]) -> [UInt8] {
        var end = prefix
        while let last = end.last {
            if last < 0xFF {
                end[end.count - 1] = last + 1
                return end
            }
            end.removeLast()
        }
        return [0]  // every key: "\0" means "to the end" for etcd
    }
}

/// One key as etcd stores it.
struct EtcdKeyValue: Sendable, Hashable {
    var key: String
    var value: [UInt8]
    var createRevision: Int64
    var modRevision: Int64
    var lease: Int64

    init(key: String, value: [UInt8], createRevision: Int64, modRevision: Int64, lease: Int64 = 0) {
        self.key = key
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
        self.lease = lease
    }

    init(json: JSONValue) throws {
        guard let key = EtcdWire.bytes(json["key"]), let value = EtcdWire.bytes(json["value"]),
              let create = EtcdWire.int64(json["create_revision"]), let mod = EtcdWire.int64(json["mod_revision"]),
              let lease = EtcdWire.int64(json["lease"])
        else { throw EtcdError(.protocolError, "malformed key-value \(json)") }
        self.init(key: String(decoding: key, as: UTF8.self), value: value, createRevision: create, modRevision: mod, lease: lease)
    }
}

/// One change in a watch response.
struct EtcdEvent: Sendable, Hashable {
    enum Kind: Sendable, Hashable { case put, delete }
    var kind: Kind
    var kv: EtcdKeyValue

    init(kind: Kind, kv: EtcdKeyValue) {
        self.kind = kind
        self.kv = kv
    }

    init(json: JSONValue) throws {
        let type = json["type"]?.stringValue ?? "PUT"
        guard type == "PUT" || type == "DELETE", let kv = json["kv"] else {
            throw EtcdError(.protocolError, "malformed watch event \(json)")
        }
        self.init(kind: type == "PUT" ? .put : .delete, kv: try EtcdKeyValue(json: kv))
    }
}

/// One message of a `/v3/watch` stream.
struct EtcdWatchResponse: Sendable, Hashable {
    var revision: Int64
    var created = false
    var canceled = false
    var cancelReason = ""
    var compactRevision: Int64 = 0
    var events: [EtcdEvent] = []

    init(revision: Int64, created: Bool = false, canceled: Bool = false, cancelReason: String = "",
         compactRevision: Int64 = 0, events: [EtcdEvent] = []) {
        self.revision = revision
        self.created = created
        self.canceled = canceled
        self.cancelReason = cancelReason
        self.compactRevision = compactRevision
        self.events = events
    }

    /// Decodes one stream line: `{"result": {...}}`, or throws the `{"error": {...}}` it carries.
    init(line: JSONValue, url: String) throws {
        if line["error"] != nil { throw EtcdError(gatewayError: line, httpStatus: nil, url: url) }
        guard let result = line["result"], result.objectValue != nil,
              let revision = EtcdWire.int64(result["header"]?["revision"]),
              let compact = EtcdWire.int64(result["compact_revision"])
        else { throw EtcdError(.protocolError, "unexpected watch message \(line)", url: url) }
        self.init(
            revision: revision, created: result["created"]?.boolValue ?? false,
            canceled: result["canceled"]?.boolValue ?? false,
            cancelReason: result["cancel_reason"]?.stringValue ?? "", compactRevision: compact,
            events: try (result["events"]?.arrayValue ?? []).map(EtcdEvent.init(json:)))
    }
}
