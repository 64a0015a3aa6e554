import Micro
import MicroA2A
import MicroAgent
import MicroProviders

/// How one scenario run went: the run's record and each expectation's verdict.
public struct ScenarioOutcome: Sendable {
    public var scenario: Scenario
    /// Everything the run left behind (the Trace and the end-of-run facts).
    public var record: RunRecord
    /// Every verdict: the file's expectations, then the implicit checks (faults fired, no gap in checkpoints,
    /// the run ended as expected, recordings used).
    public var checks: [Check]

    public init(scenario: Scenario, record: RunRecord, checks: [Check]) {
        self.scenario = scenario
        self.record = record
        self.checks = checks
    }

    /// The verdicts of `scenario`'s expectations and the implicit checks on `record` (a finished run, or one
    /// saved earlier: checking needs no world).
    public init(scenario: Scenario, record: RunRecord) {
        var checks: [Check] = scenario.expectations.map { spec in
            let verdict = spec.expectation.check(record)
            return Check(
                name: spec.expectation.name, line: spec.line, passed: verdict.passed, message: verdict.message, scores: verdict.scores)
        }
        checks += ImplicitChecks.checks(record, declaresEnd: scenario.expectations.contains { $0.expectation.declaresEnd })
        self.init(scenario: scenario, record: record, checks: checks)
    }

    /// How the top-level run ended, unless running it threw.
    public var result: RunResult? { record.result }
    /// An error that escaped the run (a harness or infrastructure failure, not a graceful run failure).
    public var error: String? { record.error }
    public var trace: [TraceEvent] { record.trace }
    /// The Trace as canonical JSON lines (what golden files hold).
    public var traceText: String { record.traceText }
    /// Process crashes the run went through.
    public var crashes: Int { record.crashes }
    /// Virtual time the run took.
    public var virtualDuration: Duration { record.virtualDuration }

    public var passed: Bool { checks.allSatisfy(\.passed) }
    public var failures: [Check] { checks.filter { !$0.passed } }

    /// One verdict.
    public struct Check: Sendable, Hashable {
        public var name: String
        /// The expectation's line in the scenario file; 0 for implicit checks.
        public var line: Int
        public var passed: Bool
        public var message: String
        /// Figures the check measured (``Verdict/scores``), by name.
        public var scores: [String: Double]

        public init(name: String, line: Int, passed: Bool, message: String, scores: [String: Double] = [:]) {
            self.name = name
            self.line = line
            self.passed = passed
            self.message = message
            self.scores = scores
        }
    }
}

extension ScenarioOutcome {
    /// A scenario that could not run at all: one failed check saying why, and the Trace so far.
    static func failed(_ scenario: Scenario, trace: Trace, check: String, _ message: String) -> ScenarioOutcome {
        let record = RunRecord(
            scenario: scenario.name, file: scenario.file, seed: scenario.seed, runID: scenario.run.runID, result: nil,
            error: message, trace: trace.all)
        return ScenarioOutcome(scenario: scenario, record: record, checks: [.init(name: check, line: 0, passed: false, message: message)])
    }
}

/// A crash the harness simulates at a juncture (the `process crash` fault).
struct SimulatedCrash: Error {}

/// Runs scenarios in worlds and checks their expectations.
public enum ScenarioRunner {
    /// Runs `scenario` in a new in-memory world and checks it. `liveTransport` is the world's (recording).
    public static func run(
        _ scenario: Scenario, liveTransport: (@Sendable (AgentSpec) throws -> (any HTTPTransport)?)? = nil
    ) async -> ScenarioOutcome {
        let trace = Trace()
        do {
            let world = try await World(scenario, trace: trace, liveTransport: liveTransport)
            return await run(in: world)
        } catch {
            return .failed(scenario, trace: trace, check: "world", "the world could not be built: \(error)")
        }
    }

    /// Runs the scenario's workflow in `world`: starts the run, answers its questions with the scenario's
    /// inputs, and after each simulated crash resumes it with a new runner (new models, as a new process),
    /// once the dead owner's lease has expired on the virtual clock. Agents marked `a2a` are served by A2A
    /// servers on loopback ports for the duration of the run, and the run reaches them through the A2A client.
    ///
    /// - Parameters:
    ///   - resume: continue the run from its checkpoints (a restarted process) instead of starting it.
    ///   - owner: the lease owner of this process.
    ///   - onCheckpoint: also called after every checkpoint (the chaos driver kills processes there).
    public static func run(
        in world: World, resume: Bool = false, owner: String = "process",
        onCheckpoint: (@Sendable (Checkpoint) async throws -> Void)? = nil
    ) async -> ScenarioOutcome {
        if let agent = world.scenario.agent(world.scenario.run.agent), let external = agent.external {
            return await ExternalAgentRun.run(in: world, agent: agent, external: external, kill: nil)
        }
        do {
            let served = world.scenario.agents.filter(\.a2a)[...]
            return try await withA2AServers(served, world: world, remotes: [], onCheckpoint: onCheckpoint) { remotes in
                await drive(world, remotes: remotes, resume: resume, owner: owner, onCheckpoint: onCheckpoint)
            }
        } catch {
            return .failed(world.scenario, trace: world.trace, check: "a2a", "the A2A servers could not run: \(error)")
        }
    }

    /// Serves each of `agents` over A2A on a loopback port while `body` runs, handing it their remote agents.
    static func withA2AServers<R: Sendable>(
        _ agents: ArraySlice<AgentSpec>, world: World, remotes: [any RemoteAgent],
        onCheckpoint: (@Sendable (Checkpoint) async throws -> Void)?, _ body: @escaping @Sendable ([any RemoteAgent]) async -> R
    ) async throws -> R {
        guard let first = agents.first else { return await body(remotes) }
        let server = A2AServer(
            runner: try world.servingRunner(owner: "a2a-\(first.name)", onCheckpoint: onCheckpoint), agent: first.name,
            store: world.runtime.store)
        let rest = agents.dropFirst()
        return try await server.withRunning { url in
            let remote = A2ARemoteAgent(name: first.name, description: first.description, url: url)
            return try await withA2AServers(
                rest, world: world, remotes: remotes + [remote], onCheckpoint: onCheckpoint, body)
        }
    }

    static func drive(
        _ world: World, remotes: [any RemoteAgent], resume: Bool, owner: String,
        onCheckpoint: (@Sendable (Checkpoint) async throws -> Void)?
    ) async -> ScenarioOutcome {
        if runsFlows(world.scenario) {
            return await driveFlows(world, remotes: remotes, resume: resume, owner: owner, onCheckpoint: onCheckpoint)
        }
        let scenario = world.scenario
        let spec = scenario.run
        let started = world.clock.now
        var inputs = spec.inputs[...]
        var result: RunResult?
        if resume {
            // Answers the dead process already gave are in the checkpoints: skip as many as were asked.
            let answered = await answeredInputs(world)
            inputs = inputs.dropFirst(answered)
        }
        let (crashes, escaped) = await untilNoCrash(
            world, owner: owner, resume: resume, remoteAgents: remotes, onCheckpoint: onCheckpoint
        ) { runner, resuming in
            var current: RunResult
            if resuming {
                current = try await runner.resume(runID: spec.runID)
            } else {
                current = try await runner.run(spec.agent, input: spec.prompt, runID: spec.runID)
            }
            while current.status == .waitingForInput, let input = inputs.popFirst() {
                current = try await runner.resume(runID: spec.runID, input: input)
            }
            result = current
        }
        let record = await world.record(
            result: result, error: escaped, crashes: crashes, virtualDuration: started.duration(to: world.clock.now))
        return ScenarioOutcome(scenario: scenario, record: record)
    }

    /// Drives `attempt` as one "process" after another: each gets a runner (a new owner after each crash, with
    /// the crash hook and `onCheckpoint`) and whether it resumes; a ``SimulatedCrash`` restarts the world, waits
    /// out the dead process's lease on the virtual clock and tries again, resuming; any other error ends it.
    /// Returns the crashes and the error that ended the run, if one did.
    static func untilNoCrash(
        _ world: World, owner: String, resume: Bool, remoteAgents: [any RemoteAgent],
        onCheckpoint: (@Sendable (Checkpoint) async throws -> Void)?,
        _ attempt: (_ runner: AgentRunner, _ resuming: Bool) async throws -> Void
    ) async -> (crashes: Int, escaped: String?) {
        let hook = combined(onCheckpoint, crashHook(world))
        var crashes = 0
        var resuming = resume
        while true {
            do {
                let runner = try world.runner(
                    owner: crashes == 0 ? owner : "\(owner)-\(crashes + 1)", remoteAgents: remoteAgents, onCheckpoint: hook)
                try await attempt(runner, resuming)
                return (crashes, nil)
            } catch is SimulatedCrash {
                crashes += 1
                resuming = true
                world.restart()
                do {
                    try await world.environment.sleep(for: .seconds(61))  // the dead process's lease expires
                } catch {
                    return (crashes, "\(error)")
                }
            } catch {
                return (crashes, "\(error)")
            }
        }
    }

    /// Both hooks in order, or nil when there is none.
    static func combined(
        _ first: (@Sendable (Checkpoint) async throws -> Void)?, _ second: (@Sendable (Checkpoint) async throws -> Void)?
    ) -> (@Sendable (Checkpoint) async throws -> Void)? {
        guard let first else { return second }
        guard let second else { return first }
        return { checkpoint in
            try await first(checkpoint)
            try await second(checkpoint)
        }
    }

    /// How many answers the run already took (counted from its checkpoints): a run waiting for input commits
    /// nothing until it is answered, so every checkpoint after a waiting one follows an answer, including
    /// one that leaves it waiting again (an approval answer it could not use, a sub-agent asking again).
    static func answeredInputs(_ world: World) async -> Int {
        guard let history = try? await world.checkpointer.history(runID: world.scenario.run.runID) else { return 0 }
        return zip(history, history.dropFirst()).count { previous, _ in previous.state.status == .waitingForInput }
    }

    /// The checkpoint hook that crashes the "process" where the plan says.
    static func crashHook(_ world: World) -> (@Sendable (Checkpoint) async throws -> Void)? {
        guard world.scenario.faults.contains(where: { $0.target == .process }) else { return nil }
        return { checkpoint in
            guard world.injector.fault(.process, agent: checkpoint.state.agent, text: checkpoint.juncture.description) != nil
            else { return }
            world.trace.append(
                .crashed, runID: checkpoint.runID, agent: checkpoint.state.agent, step: checkpoint.state.step,
                at: world.environment.now(),
                data: ["afterSequence": .integer(checkpoint.sequence), "juncture": .string(checkpoint.juncture.description)])
            throw SimulatedCrash()
        }
    }
}
