import Micro

/// A design that passes its JSON Schema but cannot be generated: each problem with its path in the design.
public struct DesignError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// Where, as a JSON path: `services[0].endpoints[1].name`.
        public var path: String
        public var message: String
        public var description: String { "\(path): \(message)" }
    }

    public var problems: [Problem]
    public var description: String { "the design cannot be generated: " + problems.map(\.description).joined(separator: "; ") }
}

extension AppDesign {
    /// Swift words a generated name must not be (it becomes a property, a type or a function).
    static let reserved: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "func", "import", "init", "inout", "let", "operator",
        "protocol", "static", "struct", "subscript", "typealias", "var", "break", "case", "continue", "default", "defer",
        "do", "else", "for", "guard", "if", "in", "repeat", "return", "switch", "where", "while", "as", "catch", "false",
        "is", "nil", "self", "super", "throw", "throws", "true", "try", "type", "description", "service", "any", "some",
    ]

    /// Checks what the schema cannot: names are identifiers (snake case for services, endpoints and agents,
    /// camel case for fields, kebab case for scenarios), unique and not Swift keywords; agents' tools and
    /// scenarios' agents, endpoints and arguments resolve; argument values read as their field's type.
    public func validate() throws(DesignError) {
        var problems: [DesignError.Problem] = []
        func problem(_ path: String, _ message: String) { problems.append(.init(path: path, message: message)) }
        func check(_ name: String, _ path: String, pattern: NamePattern) {
            if !pattern.matches(name) {
                problem(path, "\(name.isEmpty ? "an empty name" : "\"\(name)\"") is not \(pattern.rawValue)")
            } else if Self.reserved.contains(name.lowercased()) {
                problem(path, "\"\(name)\" is a Swift keyword or a name the generated code uses")
            }
        }
        func unique(_ names: [String], _ path: String) {
            var seen: Set<String> = []
            for (index, name) in names.enumerated() where !seen.insert(name).inserted {
                problem("\(path)[\(index)].name", "\"\(name)\" is used twice")
            }
        }
        if services.isEmpty { problem("services", "at least one service is needed") }
        if agents.isEmpty { problem("agents", "at least one agent is needed") }
        if scenarios.isEmpty { problem("scenarios", "at least one scenario is needed") }
        unique(services.map(\.name), "services")
        unique(agents.map(\.name), "agents")
        unique(scenarios.map(\.name), "scenarios")
        for (s, service) in services.enumerated() {
            check(service.name, "services[\(s)].name", pattern: .snake)
            if service.endpoints.isEmpty { problem("services[\(s)].endpoints", "at least one endpoint is needed") }
            unique(service.endpoints.map(\.name), "services[\(s)].endpoints")
            for (e, endpoint) in service.endpoints.enumerated() {
                let path = "services[\(s)].endpoints[\(e)]"
                check(endpoint.name, "\(path).name", pattern: .snake)
                for (kind, fields) in [("request", endpoint.request), ("response", endpoint.response)] {
                    unique(fields.map(\.name), "\(path).\(kind)")
                    for (f, field) in fields.enumerated() { check(field.name, "\(path).\(kind)[\(f)].name", pattern: .camel) }
                }
                if endpoint.response.isEmpty { problem("\(path).response", "at least one response field is needed") }
            }
        }
        let serviceNames = Set(services.map(\.name))
        for (a, agent) in agents.enumerated() {
            check(agent.name, "agents[\(a)].name", pattern: .snake)
            for (t, tool) in agent.tools.enumerated() where !serviceNames.contains(tool) {
                problem("agents[\(a)].tools[\(t)]", "no service \"\(tool)\"; services: \(serviceNames.sorted().joined(separator: ", "))")
            }
        }
        for (n, scenario) in scenarios.enumerated() {
            let path = "scenarios[\(n)]"
            check(scenario.name, "\(path).name", pattern: .kebab)
            guard let agent = agents.first(where: { $0.name == scenario.agent }) else {
                problem("\(path).agent", "no agent \"\(scenario.agent)\"")
                continue
            }
            let call = scenario.call
            guard let service = services.first(where: { $0.name == call.service }),
                let endpoint = service.endpoints.first(where: { $0.name == call.endpoint })
            else {
                problem("\(path).call", "no endpoint \(call.service).\(call.endpoint)")
                continue
            }
            if !agent.tools.contains(service.name) {
                problem("\(path).call.service", "agent \(agent.name) may not call \(service.name) (its tools: \(agent.tools.joined(separator: ", ")))")
            }
            for (i, argument) in call.arguments.enumerated() {
                guard let field = endpoint.request.first(where: { $0.name == argument.name }) else {
                    problem("\(path).call.arguments[\(i)].name", "\(service.name).\(endpoint.name) has no request field \"\(argument.name)\"")
                    continue
                }
                if field.type.value(argument.value) == nil {
                    problem("\(path).call.arguments[\(i)].value", "\"\(argument.value)\" is not a \(field.type.rawValue)")
                }
            }
            for field in endpoint.request where !call.arguments.contains(where: { $0.name == field.name }) {
                problem("\(path).call.arguments", "the request field \"\(field.name)\" is missing")
            }
        }
        if !problems.isEmpty { throw DesignError(problems: problems) }
    }

    /// Name shapes the generated code relies on.
    enum NamePattern: String {
        case snake = "lower_snake_case"
        case camel = "lowerCamelCase"
        case kebab = "lower-kebab-case"

        func matches(_ name: String) -> Bool {
            let scalars = Array(name.unicodeScalars)
            guard let first = scalars.first, first.properties.isLowercase, first.isASCII, scalars.count <= 40 else { return false }
            let separator: Unicode.Scalar? = switch self {
            case .snake: "_"
            case .camel: nil
            case .kebab: "-"
            }
            var previousSeparator = false
            for scalar in scalars {
                let isSeparator = scalar == separator
                let allowed = scalar.isASCII && (("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
                    || (self == .camel && ("A"..."Z").contains(scalar)) || isSeparator)
                if !allowed || (isSeparator && previousSeparator) { return false }
                previousSeparator = isSeparator
            }
            return !previousSeparator
        }
    }
}

extension FieldType {
    /// `text` read as this type, as JSON; nil when it is not one.
    public func value(_ text: String) -> JSONValue? {
        switch self {
        case .string: return .string(text)
        case .integer: return Int(text).map { .integer($0) }
        case .number: return Double(text).flatMap { $0.isFinite ? .number($0) : nil }
        case .boolean: return text == "true" ? .bool(true) : text == "false" ? .bool(false) : nil
        }
    }
}
