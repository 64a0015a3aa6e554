import Micro
import MicroAgent

/// A scenario's workflow on a pool of workers: the run is submitted to a store shared by worker processes
/// (``submit(in:)``), and each worker (``worker(in:owner:lease:heartbeat:pollInterval:exitWhenDone:onCheckpoint:onEvent:)``)
/// takes it up under a lease, drives it with fresh models (as a new process would), and takes it over when the
/// worker driving it dies. The worlds must run on live time (`World(…, liveTime: true)`) on one SQLite file.
public enum ScenarioWorker {
    /// Why `scenario` cannot run on workers, or nil when it can.
    public static func unsupported(_ scenario: Scenario) -> String? {
        if ScenarioRunner.runsFlows(scenario) { return "it runs flows (workers take agent runs)" }
        if scenario.agent(scenario.run.agent)?.external != nil { return "its run starts an external agent" }
        if scenario.agents.contains(where: \.a2a) { return "it serves agents over A2A" }
        if !scenario.run.inputs.isEmpty { return "its run is answered with inputs (run.inputs)" }
        return nil
    }

    /// Records the scenario's run in `world`'s checkpointer, undriven, for workers to take up.
    @discardableResult
    public static func submit(in world: World) async throws -> String {
        let run = world.scenario.run
        return try await world.servingRunner(owner: "submit").submit(run.agent, input: run.prompt, runID: run.runID)
    }

    /// A worker driving the runs in `world`'s checkpointer. `onCheckpoint` is called after each commit (the chaos
    /// driver kills workers there); the scenario's `process crash` faults crash the run there, as
    /// ``ScenarioRunner`` does, and the run is then taken up again once the lease expires.
    public static func worker(
        in world: World, owner: String, lease: Duration, heartbeat: Duration, pollInterval: Duration,
        exitWhenDone: Bool, onCheckpoint: (@Sendable (Checkpoint) async throws -> Void)? = nil,
        onEvent: @escaping @Sendable (RunWorker.Event) async -> Void = { _ in }
    ) -> RunWorker {
        let hook = ScenarioRunner.combined(onCheckpoint, ScenarioRunner.crashHook(world))
        return RunWorker(
            checkpointer: world.checkpointer, owner: owner, leaseDuration: lease, pollInterval: pollInterval, concurrency: 1,
            environment: world.environment, exitWhenDone: exitWhenDone,
            makeRunner: { _ in
                world.restart()
                return try world.servingRunner(owner: owner, leaseDuration: lease, onCheckpoint: hook, heartbeat: heartbeat)
            },
            onEvent: onEvent)
    }
}
