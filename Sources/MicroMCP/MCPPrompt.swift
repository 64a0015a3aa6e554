import MicroAgent

/// A prompt the server offers: an agent's instructions, with an optional `task` argument appended.
public struct MCPPrompt: Sendable, Hashable {
    public var name: String
    public var description: String
    public var instructions: String

    public init(name: String, description: String, instructions: String) {
        self.name = name
        self.description = description
        self.instructions = instructions
    }

    /// The prompt for `agent`: its name, description and instructions.
    public init(agent: Agent) {
        self.init(
            name: agent.name,
            description: agent.description.isEmpty ? "Instructions of the \(agent.name) agent" : agent.description,
            instructions: agent.instructions)
    }
}
