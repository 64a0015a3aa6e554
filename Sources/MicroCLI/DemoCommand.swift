import ArgumentParser
import Foundation
import Micro
import MicroAgent
import MicroExamples

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the bundled travel workflow (scripted models, no network) with checkpoints in a SQLite file.",
        discussion: """
            A coordinator plans a Lisbon trip, checks the weather, delegates the hotel booking to a booker agent \
            and pays a deposit. With --crash-after N the process kills itself (SIGKILL) after N checkpoints; \
            `micro runs resume RUN --db FILE` then finishes the run, and the payment ledger shows every charge once.
            """
    )

    @Option(help: "SQLite file for checkpoints and the services' store.")
    var db: String

    @Option(help: "The run's identifier.")
    var runID = "trip"

    @Option(help: "Kill this process with SIGKILL after this many checkpoints.")
    var crashAfter: Int?

    @Option(help: "Lease duration in seconds (a crashed run can be resumed by another process after it).")
    var leaseSeconds = 30

    func run() async throws {
        let world = try await AgentWorld(db: db, leaseSeconds: leaseSeconds, crashAfter: crashAfter)
        let result = try await world.runner.run(TravelAgents.coordinator, input: TravelAgents.prompt, runID: runID)
        Console.current.out("run \(result.runID) \(AgentWorld.describe(result))")
    }
}
