import Micro

/// Turns a trace event's data into span event attributes: scalars and string lists as they are, objects one
/// level deep as dotted keys (`micro.deadline.kind`), anything deeper as canonical JSON; keys in snake case.
/// Fields that carry content (prompts, answers, arguments, results, plans) stay out unless content is captured.
enum EventData {
    static let contentKeys: Set<String> = [
        "arguments", "content", "output", "input", "task", "prompt", "lastMessage", "message", "messages", "plan", "system",
        "summary", "summarization", "text", "answer",
    ]

    static func flatten(_ value: JSONValue, prefix: String, depth: Int, captureContent: Bool, into attributes: inout [OTelAttribute]) {
        guard case .object(let fields) = value else {
            if let attribute = scalar(value, key: prefix) { attributes.append(attribute) }
            return
        }
        for (key, field) in fields.sorted(by: { $0.key < $1.key }) {
            if contentKeys.contains(key) && !captureContent { continue }
            let name = prefix + "." + snakeCase(key)
            switch field {
            case .null: continue
            case .object where depth < 1 && !contentKeys.contains(key):
                flatten(field, prefix: name, depth: depth + 1, captureContent: captureContent, into: &attributes)
            default:
                attributes.append(scalar(field, key: name) ?? .string(name, field.canonicalString()))
            }
        }
    }

    /// `value` as one attribute, if it is a scalar or a list of strings.
    static func scalar(_ value: JSONValue, key: String) -> OTelAttribute? {
        switch value {
        case .string(let text): .string(key, text)
        case .integer(let number): .int(key, number)
        case .number(let number): OTelAttribute(key, .double(number))
        case .bool(let flag): OTelAttribute(key, .bool(flag))
        case .array(let items) where items.allSatisfy({ $0.stringValue != nil }):
            OTelAttribute(key, .strings(items.compactMap(\.stringValue)))
        default: nil
        }
    }

    /// `afterSequence` → `after_sequence`.
    static func snakeCase(_ key: String) -> String {
        var result = ""
        for character in key {
            if character.isUppercase {
                if !result.isEmpty { result.append("_") }
                result += character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }
}
