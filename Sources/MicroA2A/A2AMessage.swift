import Micro

/// One message between a client and an agent: who sent it and its parts, on a task and context.
public struct A2AMessage: Sendable, Hashable, Codable {
    public enum Role: String, Sendable, Hashable, Codable {
        case user, agent
    }

    public var messageID: String
    public var role: Role
    public var parts: [A2APart]
    /// The task it continues (a follow-up answer), if any.
    public var taskID: String?
    public var contextID: String?

    public init(messageID: String, role: Role, parts: [A2APart], taskID: String? = nil, contextID: String? = nil) {
        self.messageID = messageID
        self.role = role
        self.parts = parts
        self.taskID = taskID
        self.contextID = contextID
    }

    /// A message made of one text part.
    public static func text(_ text: String, role: Role, messageID: String, taskID: String? = nil, contextID: String? = nil)
        -> A2AMessage
    {
        A2AMessage(messageID: messageID, role: role, parts: [.text(text)], taskID: taskID, contextID: contextID)
    }

    /// The text parts joined with newlines; data parts as canonical JSON.
    public var text: String {
        parts.compactMap { part -> String? in
            switch part {
            case .text(let text): text
            case .data(let value): value.canonicalString()
            case .file: nil
            }
        }.joined(separator: "\n")
    }
}

/// One part of a message or artifact.
public enum A2APart: Sendable, Hashable, Codable {
    case text(String)
    /// Structured data (a JSON value).
    case data(JSONValue)
    case file(A2AFile)
}

/// A file part: by URL, or inline as base64 bytes.
public struct A2AFile: Sendable, Hashable, Codable {
    public var url: String?
    /// The bytes, base64-encoded.
    public var bytes: String?
    public var mediaType: String?
    public var name: String?

    public init(url: String? = nil, bytes: String? = nil, mediaType: String? = nil, name: String? = nil) {
        self.url = url
        self.bytes = bytes
        self.mediaType = mediaType
        self.name = name
    }
}

/// What an agent produced for a task (the run's final answer).
public struct A2AArtifact: Sendable, Hashable, Codable {
    public var artifactID: String
    public var name: String?
    public var parts: [A2APart]

    public init(artifactID: String, name: String? = nil, parts: [A2APart]) {
        self.artifactID = artifactID
        self.name = name
        self.parts = parts
    }

    /// The text parts joined with newlines.
    public var text: String {
        A2AMessage(messageID: "", role: .agent, parts: parts).text
    }
}
