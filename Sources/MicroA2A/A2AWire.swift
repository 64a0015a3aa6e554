import Micro

/// The JSON shapes of A2A 0.3 and 1.0 (internal: the public face is ``A2ATask``, ``A2AMessage`` and friends).
///
/// Encoding follows the version asked for. Decoding reads both: ProtoJSON member-based unions and
/// `TASK_STATE_…`/`ROLE_…` enums (1.0), and `kind` discriminators with kebab-case strings (0.3).
enum A2AWire {
    // MARK: Encoding

    static func encode(_ part: A2APart, _ version: A2AVersion) -> JSONValue {
        switch (part, version) {
        case (.text(let text), .v1_0): return ["text": .string(text)]
        case (.text(let text), .v0_3): return ["kind": "text", "text": .string(text)]
        case (.data(let value), .v1_0): return ["data": value]
        case (.data(let value), .v0_3):
            // 0.3 data parts hold an object; other values are wrapped.
            return ["kind": "data", "data": value.objectValue != nil ? value : ["value": value]]
        case (.file(let file), .v1_0):
            var object: [String: JSONValue] = [:]
            if let url = file.url { object["url"] = .string(url) }
            if let bytes = file.bytes { object["raw"] = .string(bytes) }
            if let mediaType = file.mediaType { object["mediaType"] = .string(mediaType) }
            if let name = file.name { object["filename"] = .string(name) }
            return .object(object)
        case (.file(let file), .v0_3):
            var inner: [String: JSONValue] = [:]
            if let url = file.url { inner["uri"] = .string(url) }
            if let bytes = file.bytes { inner["bytes"] = .string(bytes) }
            if let mediaType = file.mediaType { inner["mimeType"] = .string(mediaType) }
            if let name = file.name { inner["name"] = .string(name) }
            return ["kind": "file", "file": .object(inner)]
        }
    }

    static func encode(_ message: A2AMessage, _ version: A2AVersion) -> JSONValue {
        var object: [String: JSONValue] = [
            "messageId": .string(message.messageID), "parts": .array(message.parts.map { encode($0, version) }),
        ]
        switch version {
        case .v1_0: object["role"] = message.role == .user ? "ROLE_USER" : "ROLE_AGENT"
        case .v0_3:
            object["role"] = .string(message.role.rawValue)
            object["kind"] = "message"
        }
        if let taskID = message.taskID { object["taskId"] = .string(taskID) }
        if let contextID = message.contextID { object["contextId"] = .string(contextID) }
        return .object(object)
    }

    static func encode(_ artifact: A2AArtifact, _ version: A2AVersion) -> JSONValue {
        var object: [String: JSONValue] = [
            "artifactId": .string(artifact.artifactID), "parts": .array(artifact.parts.map { encode($0, version) }),
        ]
        if let name = artifact.name { object["name"] = .string(name) }
        return .object(object)
    }

    static func encodeStatus(_ state: A2ATaskState, message: A2AMessage?, at timestamp: Timestamp?, _ version: A2AVersion)
        -> JSONValue
    {
        var object: [String: JSONValue] = ["state": .string(state.wire(version))]
        if let timestamp { object["timestamp"] = .string(timestamp.description) }
        if let message { object["message"] = encode(message, version) }
        return .object(object)
    }

    /// The task; `historyLength` keeps the last messages only (0: none), `includeArtifacts` false drops them.
    static func encode(_ task: A2ATask, _ version: A2AVersion, historyLength: Int? = nil, includeArtifacts: Bool = true)
        -> JSONValue
    {
        var history = task.history
        if let historyLength { history = Array(history.suffix(max(0, historyLength))) }
        var object: [String: JSONValue] = [
            "id": .string(task.id), "contextId": .string(task.contextID),
            "status": encodeStatus(task.state, message: task.statusMessage, at: task.updatedAt, version),
        ]
        if includeArtifacts && !task.artifacts.isEmpty { object["artifacts"] = .array(task.artifacts.map { encode($0, version) }) }
        if !history.isEmpty { object["history"] = .array(history.map { encode($0, version) }) }
        if version == .v0_3 { object["kind"] = "task" }
        return .object(object)
    }

    /// A `SendMessage` result: `{"task": …}` (1.0) or the task itself (0.3).
    static func encodeSendResult(_ task: A2ATask, _ version: A2AVersion, historyLength: Int?) -> JSONValue {
        let encoded = encode(task, version, historyLength: historyLength)
        return version == .v1_0 ? ["task": encoded] : encoded
    }

    /// One streamed event: a `StreamResponse` (1.0) or a `kind`-tagged object (0.3).
    static func encode(_ event: A2AStreamEvent, _ version: A2AVersion) -> JSONValue {
        switch event {
        case .task(let task):
            let encoded = encode(task, version)
            return version == .v1_0 ? ["task": encoded] : encoded
        case .message(let message):
            let encoded = encode(message, version)
            return version == .v1_0 ? ["message": encoded] : encoded
        case .status(let taskID, let contextID, let state, let message, let final):
            var object: [String: JSONValue] = [
                "taskId": .string(taskID), "contextId": .string(contextID),
                "status": encodeStatus(state, message: message, at: nil, version),
            ]
            switch version {
            case .v1_0: return ["statusUpdate": .object(object)]
            case .v0_3:
                object["kind"] = "status-update"
                object["final"] = .bool(final)
                return .object(object)
            }
        case .artifact(let taskID, let contextID, let artifact, let lastChunk):
            var object: [String: JSONValue] = [
                "taskId": .string(taskID), "contextId": .string(contextID), "artifact": encode(artifact, version),
                "lastChunk": .bool(lastChunk),
            ]
            switch version {
            case .v1_0: return ["artifactUpdate": .object(object)]
            case .v0_3:
                object["kind"] = "artifact-update"
                return .object(object)
            }
        }
    }

    // MARK: Decoding (both versions)

    /// Request params with ProtoJSON's original field names (`history_length`, `message_id`) read as their
    /// lowerCamelCase JSON names, as ProtoJSON parsers must accept both: the params' own fields, the
    /// configuration's, the message's and its parts' — never the keys inside `data` or `metadata` values.
    /// A camelCase key wins over its snake_case spelling.
    static func camelCased(_ params: JSONValue) -> JSONValue {
        func fields(_ value: JSONValue, nested: [String: (JSONValue) -> JSONValue] = [:]) -> JSONValue {
            guard let object = value.objectValue else { return value }
            var result: [String: JSONValue] = [:]
            for (key, field) in object.sorted(by: { $0.key < $1.key }) {
                let name = camel(key)
                if name != key, object[name] != nil { continue }
                result[name] = nested[name].map { $0(field) } ?? field
            }
            return .object(result)
        }
        let message: (JSONValue) -> JSONValue = { message in
            fields(message, nested: ["parts": { .array(($0.arrayValue ?? []).map { fields($0) }) }])
        }
        return fields(params, nested: ["configuration": { fields($0) }, "message": message])
    }

    /// `history_length` → `historyLength`.
    static func camel(_ key: String) -> String {
        guard key.contains("_") else { return key }
        let words = key.split(separator: "_", omittingEmptySubsequences: true)
        guard let first = words.first else { return key }
        return String(first) + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    static func decodeMessage(_ value: JSONValue, at path: String) throws(JSONRPCError) -> A2AMessage {
        guard let object = value.objectValue else { throw .invalidParams("\(path) must be an object, not \(value.typeName)") }
        guard let messageID = object["messageId"]?.stringValue, !messageID.isEmpty else {
            throw .invalidParams("\(path).messageId must be a non-empty string")
        }
        let role: A2AMessage.Role
        switch object["role"]?.stringValue {
        case "user"?, "ROLE_USER"?: role = .user
        case "agent"?, "ROLE_AGENT"?: role = .agent
        default: throw .invalidParams("\(path).role must be user or agent (ROLE_USER or ROLE_AGENT)")
        }
        guard let rawParts = object["parts"]?.arrayValue else { throw .invalidParams("\(path).parts must be an array") }
        var parts: [A2APart] = []
        for (index, part) in rawParts.enumerated() { parts.append(try decodePart(part, at: "\(path).parts[\(index)]")) }
        return A2AMessage(
            messageID: messageID, role: role, parts: parts, taskID: nonEmpty(object["taskId"]),
            contextID: nonEmpty(object["contextId"]))
    }

    static func decodePart(_ value: JSONValue, at path: String) throws(JSONRPCError) -> A2APart {
        guard let object = value.objectValue else { throw .invalidParams("\(path) must be an object") }
        if let text = object["text"] {
            guard let text = text.stringValue else { throw .invalidParams("\(path).text must be a string") }
            return .text(text)
        }
        if let data = object["data"] {
            if object["kind"] == "data", let inner = data.objectValue, inner.count == 1, let wrapped = inner["value"] {
                return .data(wrapped)
            }
            return .data(data)
        }
        if let file = object["file"]?.objectValue {  // 0.3
            return .file(A2AFile(
                url: file["uri"]?.stringValue, bytes: file["bytes"]?.stringValue, mediaType: file["mimeType"]?.stringValue,
                name: file["name"]?.stringValue))
        }
        if object["url"] != nil || object["raw"] != nil {  // 1.0
            return .file(A2AFile(
                url: object["url"]?.stringValue, bytes: object["raw"]?.stringValue, mediaType: object["mediaType"]?.stringValue,
                name: object["filename"]?.stringValue))
        }
        throw .invalidParams("\(path) must hold text, data or a file")
    }

    static func decodeArtifact(_ value: JSONValue, at path: String) throws(JSONRPCError) -> A2AArtifact {
        guard let object = value.objectValue else { throw .invalidParams("\(path) must be an object") }
        var parts: [A2APart] = []
        for (index, part) in (object["parts"]?.arrayValue ?? []).enumerated() {
            parts.append(try decodePart(part, at: "\(path).parts[\(index)]"))
        }
        return A2AArtifact(artifactID: object["artifactId"]?.stringValue ?? "", name: object["name"]?.stringValue, parts: parts)
    }

    static func decodeStatus(_ value: JSONValue?, at path: String) throws(JSONRPCError) -> (A2ATaskState, A2AMessage?) {
        guard let object = value?.objectValue, let raw = object["state"]?.stringValue, let state = A2ATaskState(wire: raw) else {
            throw .invalidParams("\(path).state must be a task state")
        }
        let message = try object["message"].map { value throws(JSONRPCError) in try decodeMessage(value, at: "\(path).message") }
        return (state, message)
    }

    static func decodeTask(_ value: JSONValue, at path: String) throws(JSONRPCError) -> A2ATask {
        guard let object = value.objectValue, let id = object["id"]?.stringValue else {
            throw .invalidParams("\(path) must be a task with an id")
        }
        let (state, message) = try decodeStatus(object["status"], at: "\(path).status")
        var artifacts: [A2AArtifact] = []
        for (index, artifact) in (object["artifacts"]?.arrayValue ?? []).enumerated() {
            artifacts.append(try decodeArtifact(artifact, at: "\(path).artifacts[\(index)]"))
        }
        var history: [A2AMessage] = []
        for (index, message) in (object["history"]?.arrayValue ?? []).enumerated() {
            history.append(try decodeMessage(message, at: "\(path).history[\(index)]"))
        }
        return A2ATask(
            id: id, contextID: object["contextId"]?.stringValue ?? "", state: state, statusMessage: message,
            updatedAt: Timestamp(millisecondsSinceEpoch: 0), artifacts: artifacts, history: history)
    }

    /// A `SendMessage` result in either version.
    static func decodeSendResult(_ value: JSONValue) throws(JSONRPCError) -> A2ASendResult {
        if let task = value["task"] { return .task(try decodeTask(task, at: "result.task")) }
        if let message = value["message"] { return .message(try decodeMessage(message, at: "result.message")) }
        if value["kind"] == "message" { return .message(try decodeMessage(value, at: "result")) }
        return .task(try decodeTask(value, at: "result"))
    }

    /// One streamed event in either version.
    static func decodeEvent(_ value: JSONValue) throws(JSONRPCError) -> A2AStreamEvent {
        let kind = value["kind"]?.stringValue
        if let update = value["statusUpdate"] ?? (kind == "status-update" ? Optional(value) : Optional.none) {
            let (state, message) = try decodeStatus(update["status"], at: "status")
            return .status(
                taskID: update["taskId"]?.stringValue ?? "", contextID: update["contextId"]?.stringValue ?? "", state: state,
                message: message, final: update["final"]?.boolValue ?? (state.isTerminal || state.isInterrupted))
        }
        if let update = value["artifactUpdate"] ?? (kind == "artifact-update" ? Optional(value) : Optional.none) {
            guard let artifact = update["artifact"] else { throw .invalidParams("artifact update without an artifact") }
            return .artifact(
                taskID: update["taskId"]?.stringValue ?? "", contextID: update["contextId"]?.stringValue ?? "",
                artifact: try decodeArtifact(artifact, at: "artifact"), lastChunk: update["lastChunk"]?.boolValue ?? false)
        }
        switch try decodeSendResult(value) {
        case .task(let task): return .task(task)
        case .message(let message): return .message(message)
        }
    }

    private static func nonEmpty(_ value: JSONValue?) -> String? {
        guard let string = value?.stringValue, !string.isEmpty else { return nil }
        return string
    }
}
