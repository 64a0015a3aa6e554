import Micro
import MicroAgent
import MicroExamples
import MicroHarness

extension Catalog {
    /// The bundled travel example as a catalogue: services `flights`, `hotels`, `payments` and `weather`,
    /// `travel` for all four, and the agents `coordinator` and `booker` with their scripted models (model
    /// backends `travel-coordinator` and `travel-booker`). The bundled scenarios and `micro` use it.
    public static let travel: Catalog = {
        let all: @Sendable (WorldRuntime) -> [Service] = { world in TravelServices.all(in: world.runtime) }
        let one = { (name: String) in
            CatalogService(name.split(separator: ".").last.map(String.init) ?? name) { world in all(world).filter { $0.name == name } }
        }
        let agents = TravelAgents.all()
        func model(_ name: String) -> @Sendable (WorldRuntime) throws -> any Model {
            { _ in
                guard let agent = TravelAgents.all().first(where: { $0.name == name }) else {
                    throw CatalogError("the travel example has no agent \(name)")
                }
                return agent.model
            }
        }
        return Catalog(
            services: [Flights.name, Hotels.name, Payments.name, Weather.name].map(one)
                + [CatalogService("travel", description: "every service of the travel example", make: all)],
            agents: agents.map { agent in
                CatalogAgent(
                    agent.name, description: agent.description, instructions: agent.instructions,
                    tools: agent.name == TravelAgents.booker ? ["hotels"] : nil, model: .named("travel-\(agent.name)"))
            },
            models: Dictionary(uniqueKeysWithValues: agents.map { ("travel-\($0.name)", model($0.name)) }))
    }()
}
