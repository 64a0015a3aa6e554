import Micro

/// An answer to an approval question, parsed from the text a person (or a scenario's `inputs:`) gave.
///
/// The grammar (words are case-insensitive, surrounding whitespace ignored):
/// - `approve` (or `approved`, `yes`, `y`, `ok`, `allow`): the call runs as the model made it;
/// - `deny` (or `denied`, `no`, `n`, `reject`), optionally followed by a reason (`deny: too expensive`):
///   the call does not run and the model gets a `denied` tool error with the reason;
/// - a JSON object `{"approve": true|false, "arguments": {...}, "reason": "..."}` (`arguments` and `reason`
///   optional): with `approve: true` and `arguments`, the call runs with these arguments in place of the
///   model's (checked against the tool's schema); `arguments` with `approve: false` is an error.
///
/// Anything else is an ``ApprovalError`` with code `unparsable_answer`, and the question is asked again.
public enum ApprovalAnswer: Sendable, Hashable {
    case approve
    /// Approve with these arguments in place of the model's.
    case edit(JSONValue)
    case deny(reason: String?)

    /// The grammar in a sentence, appended to every approval prompt.
    public static let grammar =
        #"Answer "approve", "deny" with an optional reason, or {"approve": true, "arguments": {...}} to run it with other arguments."#

    static let approvals: Set<String> = ["approve", "approved", "yes", "y", "ok", "allow"]
    static let denials: Set<String> = ["deny", "denied", "no", "n", "reject"]

    public init(parsing text: String) throws(ApprovalError) {
        let trimmed = text.trimmingWhitespace
        if trimmed.hasPrefix("{") {
            self = try Self.object(trimmed)
            return
        }
        let word = String(trimmed.prefix { $0.isLetter }).lowercased()
        let rest = String(trimmed.dropFirst(word.count))
        let reason = String(rest.drop { $0.isWhitespace || $0 == ":" || $0 == "," || $0 == "-" || $0 == "." || $0 == "!" })
            .trimmingWhitespace
        if Self.approvals.contains(word) && reason.isEmpty {
            self = .approve
        } else if Self.denials.contains(word) && (rest.isEmpty || rest.first?.isLetter == false) {
            self = .deny(reason: reason.isEmpty ? nil : reason)
        } else {
            throw ApprovalError(.unparsableAnswer, "\"\(text.prefix(200))\" is not an approval answer. " + Self.grammar)
        }
    }

    private static func object(_ text: String) throws(ApprovalError) -> ApprovalAnswer {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: text)
        } catch {
            throw ApprovalError(.unparsableAnswer, "the answer is not valid JSON: \(error)")
        }
        guard let object = value.objectValue else { throw ApprovalError(.unparsableAnswer, "the answer is not a JSON object") }
        let unknown = object.keys.filter { !["approve", "arguments", "reason"].contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw ApprovalError(
                .unparsableAnswer, "unknown field(s) \(unknown.joined(separator: ", ")) in the answer; expected approve, arguments, reason")
        }
        guard case .bool(let approve)? = object["approve"] else {
            throw ApprovalError(.unparsableAnswer, "the answer's approve must be true or false")
        }
        let reason: String?
        switch object["reason"] {
        case nil, .null?: reason = nil
        case .string(let text)?: reason = text
        default: throw ApprovalError(.unparsableAnswer, "the answer's reason must be a string")
        }
        switch (approve, object["arguments"]) {
        case (true, nil), (true, .null?):
            return .approve
        case (true, let arguments?):
            guard arguments.objectValue != nil else { throw ApprovalError(.unparsableAnswer, "the answer's arguments must be an object") }
            return .edit(arguments)
        case (false, nil), (false, .null?):
            return .deny(reason: reason)
        case (false, _?):
            throw ApprovalError(.unparsableAnswer, "arguments are for an approved call; a denial gives a reason")
        }
    }
}
