extension AppDesign {
    /// The design as a plan people read before accepting it.
    public var plan: String {
        var lines = ["Plan: \(summary)", "", "Services (each endpoint is a tool the agents call):"]
        for service in services {
            lines.append("  \(service.name) — \(service.description)")
            for endpoint in service.endpoints {
                let request = endpoint.request.map { "\($0.name): \($0.type.swiftType)" }.joined(separator: ", ")
                let response = endpoint.response.map { "\($0.name): \($0.type.swiftType)" }.joined(separator: ", ")
                lines.append("    \(service.name)_\(endpoint.name)(\(request)) -> {\(response)}  \(endpoint.description)")
            }
        }
        lines += ["", "Agents:"]
        for agent in agents {
            lines.append("  \(agent.name) [tools: \(agent.tools.joined(separator: ", "))] — \(agent.description)")
            lines.append("    \(agent.instructions)")
        }
        lines += ["", "Scenarios (Scenarios/NAME.yaml):"]
        for scenario in scenarios {
            let arguments = scenario.call.arguments.map { "\($0.name)=\($0.value)" }.joined(separator: ", ")
            lines.append("  \(scenario.name): \(scenario.description)")
            lines.append(
                "    \(scenario.agent) gets \"\(scenario.prompt)\", calls \(scenario.call.service)_\(scenario.call.endpoint)(\(arguments)), "
                    + "result contains \"\(scenario.resultContains)\", answers \"\(scenario.answer)\"")
        }
        return lines.joined(separator: "\n")
    }
}

/// Spellings of one name in the generated code.
enum Naming {
    /// `todo_list` / `todo-list` → `TodoList`.
    static func upperCamel(_ name: String) -> String {
        name.split(whereSeparator: { $0 == "_" || $0 == "-" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// `todo_list` → `todoList`.
    static func lowerCamel(_ name: String) -> String {
        let upper = upperCamel(name)
        return upper.prefix(1).lowercased() + upper.dropFirst()
    }
}
