import Micro

/// `{{path}}` placeholders over a flow's JSON state: `{{input.order}}`, `{{draft}}`, `{{items.0}}`. A string
/// value is inserted as it is, any other value as canonical JSON; a missing path is an error naming it.
enum FlowTemplate {
    struct MissingPath: Error, CustomStringConvertible {
        var path: String
        var template: String
        var description: String { "{{\(path)}} in \(template.debugDescription) names nothing in the flow's state" }
    }

    static func render(_ template: String, _ state: JSONValue) throws -> String {
        var result = ""
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                result += rest[open.lowerBound...]
                return result
            }
            let path = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            guard let value = lookup(path, in: state) else { throw MissingPath(path: path, template: template) }
            result += value.stringValue ?? value.canonicalString()
            rest = rest[close.upperBound...]
        }
        return result + rest
    }

    /// A JSON request with templates in its strings; a string that is one placeholder takes the value's type.
    static func render(json: JSONValue, _ state: JSONValue) throws -> JSONValue {
        switch json {
        case .string(let text):
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("{{"), trimmed.hasSuffix("}}"), trimmed.dropFirst(2).dropLast(2).range(of: "{{") == nil {
                let path = String(trimmed.dropFirst(2).dropLast(2)).trimmingCharacters(in: .whitespaces)
                guard let value = lookup(path, in: state) else { throw MissingPath(path: path, template: text) }
                return value
            }
            return .string(try render(text, state))
        case .array(let items): return .array(try items.map { try render(json: $0, state) })
        case .object(let members): return .object(try members.mapValues { try render(json: $0, state) })
        default: return json
        }
    }

    static func lookup(_ path: String, in state: JSONValue) -> JSONValue? {
        var value: JSONValue? = state
        for key in path.split(separator: ".") {
            if let index = Int(key), case .array(let items)? = value {
                value = items.indices.contains(index) ? items[index] : nil
            } else {
                value = value?[String(key)]
            }
        }
        return value
    }
}
