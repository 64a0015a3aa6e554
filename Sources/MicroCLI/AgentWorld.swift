import Foundation
import Micro
import MicroAgent
import MicroExamples
import MicroHarness
import MicroSQLite
import Synchronization

/// The bundled travel workflow on SQLite (`micro demo`, `micro runs`): the catalogue's services, their store and
/// the checkpoints share one file.
struct AgentWorld {
    let runtime: Runtime
    let checkpointer: SQLiteCheckpointer
    let runner: AgentRunner

    init(db: String, leaseSeconds: Int, crashAfter: Int? = nil) async throws {
        checkpointer = try SQLiteCheckpointer(path: db)
        let runtime = try await Self.catalogRuntime(db: db)
        self.runtime = runtime
        let host = ProcessInfo.processInfo.hostName
        runner = AgentRunner(
            runtime: runtime, checkpointer: checkpointer, agents: TravelAgents.all(),
            owner: "micro@\(host):\(ProcessInfo.processInfo.processIdentifier)",
            leaseDuration: .seconds(leaseSeconds), onCheckpoint: Self.crash(after: crashAfter))
    }

    /// A checkpoint hook that kills this process (SIGKILL) once `count` checkpoints have been committed: a
    /// real crash at a known point, for `--crash-after`. Nil when `count` is nil.
    static func crash(after count: Int?) -> (@Sendable (Checkpoint) async throws -> Void)? {
        guard let count else { return nil }
        let committed = Counter()
        return { checkpoint in
            guard committed.increment() == count else { return }
            Console.current.err("crashing (SIGKILL) after checkpoint \(checkpoint.sequence) of \(checkpoint.runID) at \(checkpoint.juncture)")
            kill(getpid(), SIGKILL)
        }
    }

    /// The catalogue's agents as runnable agents on `runtime`: each with its named or scripted model (an
    /// agent whose model is a recording, or that has none, is left out: it needs a scenario) and its tools
    /// scoped to the services its catalogue entries stand for.
    static func catalogAgents(on runtime: Runtime, catalog: Catalog = CLICatalog.current) throws -> [Agent] {
        let world = WorldRuntime(runtime: runtime, ledger: SideEffectLedger(store: runtime.store))
        var agents: [Agent] = []
        for entry in catalog.agents {
            let model: any Model
            switch entry.model {
            case .named(let name)?:
                guard let make = catalog.models[name] else { continue }
                model = try make(world)
            case .scripted(let turns)?:
                model = ScriptedModel(turns, selection: .byAssistantTurns)
            default:
                continue
            }
            let tools: ToolScope = try entry.tools.map { names in
                .services(try names.flatMap { name in try catalog.service(name).map { try $0.make(world).map(\.name) } ?? [name] })
            } ?? .all
            agents.append(Agent(
                name: entry.name, description: entry.description, instructions: entry.instructions,
                model: entry.builtinTools ? model : WithoutBuiltinTools(model), tools: tools, guardrails: entry.guardrails))
        }
        return agents
    }

    /// A live runtime serving every service of the command line's catalogue (the travel example's for
    /// `micro`), their store in the SQLite file `db` when given, on `broker` and `registry` when given.
    static func catalogRuntime(db: String?, broker: (any Broker)? = nil, registry: (any Registry)? = nil) async throws -> Runtime {
        let environment = Environment.live
        var runtime = Runtime.inMemory(environment: environment)
        if let broker { runtime.broker = broker }
        if let registry { runtime.registry = registry }
        if let db { runtime.store = try SQLiteStore(path: db, environment: environment) }
        let world = WorldRuntime(runtime: runtime, ledger: SideEffectLedger(store: runtime.store))
        var services: [Service] = []
        for entry in CLICatalog.current.services {
            for service in try entry.make(world) where !services.contains(where: { $0.name == service.name }) { services.append(service) }
        }
        try await runtime.serve(services)
        return runtime
    }

    /// Prints how a run ended, in one line for people.
    static func describe(_ result: RunResult) -> String {
        switch result.status {
        case .completed: "completed after \(result.steps) steps: \(result.output ?? "")"
        case .waitingForInput: "waiting for input: \(result.inputRequest?.prompt ?? "")"
        case .failed: "failed: \(result.failure?.description ?? "")"
        default: result.status.rawValue
        }
    }
}

/// A thread-safe counter.
final class Counter: Sendable {
    private let value = Mutex(0)
    func increment() -> Int {
        value.withLock {
            $0 += 1
            return $0
        }
    }
}
