import Micro

/// How a task's messages become its run's input, and a completed run's output becomes the task's answer.
///
/// ``text`` (the default) gives the run the message's text and answers with one text artifact.
/// ``structured`` also tells the agent the message's id (`[message ID] text`) and reads an output that is a
/// JSON object as parts: `{"artifacts": [{"name": …, "parts": [ProtoJSON parts]}]}` becomes those artifacts,
/// `{"message": {"parts": […]}}` a direct message instead of a task's artifacts; any other output stays text.
public struct A2APresentation: Sendable {
    /// The run's input for a message that starts or continues a task.
    public var input: @Sendable (A2AMessage) -> String
    /// The answer of a completed run, from its output.
    public var answer: @Sendable (_ output: String) -> A2AAnswer

    public init(input: @escaping @Sendable (A2AMessage) -> String, answer: @escaping @Sendable (_ output: String) -> A2AAnswer) {
        self.input = input
        self.answer = answer
    }

    /// The message's text in, one text artifact out.
    public static let text = A2APresentation(input: \.text, answer: { .artifacts([A2AArtifact(artifactID: "answer", name: "answer", parts: [.text($0)])]) })

    /// The message id and text in; JSON answers as artifacts with parts, or as a direct message.
    public static let structured = A2APresentation(
        input: { "[message \($0.messageID)] \($0.text)" },
        answer: { output in
            guard let value = try? JSONValue(parsing: Array(output.utf8)), value.objectValue != nil,
                let answer = try? A2AAnswer(json: value)
            else { return A2APresentation.text.answer(output) }
            return answer
        })
}

/// What a completed run answers: the task's artifacts, or a message that stands for the whole answer.
public enum A2AAnswer: Sendable, Hashable {
    case artifacts([A2AArtifact])
    case message([A2APart])

    /// Reads `{"artifacts": [{"artifactId"?, "name"?, "parts": […]}]}` or `{"message": {"parts": […]}}`.
    init(json value: JSONValue) throws(JSONRPCError) {
        if let message = value["message"] {
            guard let parts = message["parts"]?.arrayValue, !parts.isEmpty else { throw .invalidParams("answer.message.parts must be parts") }
            self = .message(try parts.enumerated().map { index, part throws(JSONRPCError) in
                try A2AWire.decodePart(part, at: "answer.message.parts[\(index)]")
            })
            return
        }
        guard let artifacts = value["artifacts"]?.arrayValue, !artifacts.isEmpty else { throw .invalidParams("answer has no artifacts") }
        self = .artifacts(try artifacts.enumerated().map { index, artifact throws(JSONRPCError) in
            guard let parts = artifact["parts"]?.arrayValue, !parts.isEmpty else { throw .invalidParams("answer.artifacts[\(index)].parts must be parts") }
            return A2AArtifact(
                artifactID: artifact["artifactId"]?.stringValue ?? "answer-\(index)", name: artifact["name"]?.stringValue,
                parts: try parts.enumerated().map { at, part throws(JSONRPCError) in
                    try A2AWire.decodePart(part, at: "answer.artifacts[\(index)].parts[\(at)]")
                })
        })
    }
}
