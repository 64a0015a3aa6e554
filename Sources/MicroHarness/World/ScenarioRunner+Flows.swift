import Micro
import MicroAgent

extension ScenarioRunner {
    /// Whether the scenario runs flows (a direct flow call, or events that trigger flows).
    static func runsFlows(_ scenario: Scenario) -> Bool { !scenario.flows.isEmpty && (scenario.run.flow != nil || scenario.run.agent.isEmpty) }

    /// Runs the scenario's flows: the direct call (`run: {flow: …}`), then each timed event and schedule tick
    /// in time order on the virtual clock, published on the broker and taken by each triggered flow's queue
    /// group subscription, one run per message. Questions are answered with the scenario's inputs in order.
    /// After a simulated crash a new "process" resumes: a run that exists is resumed, never started twice.
    ///
    /// The record's result is the direct call's, else the first failed run's, else the last run's.
    static func driveFlows(
        _ world: World, remotes: [any RemoteAgent], resume: Bool, owner: String,
        onCheckpoint: (@Sendable (Checkpoint) async throws -> Void)?
    ) async -> ScenarioOutcome {
        let scenario = world.scenario
        let spec = scenario.run
        let started = world.clock.now
        var inputs = spec.inputs[...]
        if resume { inputs = inputs.dropFirst(await answeredFlowInputs(world)) }
        var results: [String: RunResult] = [:]
        var order: [String] = []
        let (crashes, escaped) = await untilNoCrash(
            world, owner: owner, resume: resume, remoteAgents: remotes, onCheckpoint: onCheckpoint
        ) { agents, resuming in
            let flows = try world.flowRunner(agents: agents)
            func settle(_ first: RunResult, runID: String) async throws {
                var current = first
                while current.status == .waitingForInput, let input = inputs.popFirst() {
                    current = try await flows.resume(runID: runID, input: input)
                }
                if results[runID] == nil { order.append(runID) }
                results[runID] = current
            }
            if let flow = spec.flow {
                let exists = try await world.checkpointer.latest(runID: spec.runID) != nil
                let first = resuming && exists
                    ? try await flows.resume(runID: spec.runID) : try await flows.run(flow, input: spec.input, runID: spec.runID)
                try await settle(first, runID: spec.runID)
            }
            try await deliverEvents(world, flows: flows) { result in try await settle(result, runID: result.runID) }
        }
        let all = order.compactMap { results[$0] }
        let result = spec.flow.flatMap { _ in results[spec.runID] } ?? all.first { $0.status != .completed } ?? all.last
        let record = await world.record(
            result: result, error: escaped, crashes: crashes, virtualDuration: started.duration(to: world.clock.now))
        return ScenarioOutcome(scenario: scenario, record: record)
    }

    /// One entry of the scenario's timeline: an event, or a tick of a flow's schedule.
    struct TimedTrigger {
        var at: Duration
        var event: FlowEventSpec?
        var tick: (flow: String, number: Int)?
    }

    /// Publishes each event when its time comes (an event whose time has passed, in a restarted process, at
    /// once) and hands the message each triggered flow's subscription receives to that flow; ticks schedules.
    static func deliverEvents(
        _ world: World, flows: FlowRunner, settle: (RunResult) async throws -> Void
    ) async throws {
        let scenario = world.scenario
        var timeline: [TimedTrigger] = scenario.events.map { TimedTrigger(at: $0.at, event: $0) }
        for flow in scenario.flows {
            for trigger in flow.triggers {
                guard case .schedule(let every, let times) = trigger else { continue }
                for number in 1...(times ?? 1) { timeline.append(TimedTrigger(at: every * number, tick: (flow.name, number))) }
            }
        }
        guard !timeline.isEmpty else { return }
        let origin = VirtualClock().epoch  // every process's timeline starts at the world's first instant
        var subscriptions: [(flow: String, iterator: BrokerSubscription.AsyncIterator, subscription: BrokerSubscription)] = []
        for flow in flows.flows.values.sorted(by: { $0.name < $1.name }) {
            for trigger in flow.triggers {
                guard case .topic(let topic, let queue) = trigger else { continue }
                let subscription = try await world.runtime.broker.subscribe(to: topic, queue: queue ?? flow.name)
                subscriptions.append((flow.name, subscription.makeAsyncIterator(), subscription))
            }
        }
        defer { for entry in subscriptions { entry.subscription.cancel() } }
        for (index, entry) in timeline.enumerated().sorted(by: { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }).map(\.element).enumerated() {
            let due = origin.advanced(by: entry.at)
            let now = world.environment.now()
            if now < due { try await world.environment.sleep(for: due.duration(since: now)) }
            if let tick = entry.tick {
                try await settle(try await flows.tick(tick.flow, tick.number))
                continue
            }
            guard let event = entry.event else { continue }
            let message = BrokerMessage(id: "event-\(index + 1)", body: Array(event.data.canonicalString().utf8))
            try await world.runtime.broker.publish(message, to: event.topic)
            for position in subscriptions.indices
            where flows.flows[subscriptions[position].flow]?.isTriggered(by: event.topic) == true {
                guard let received = try await subscriptions[position].iterator.next() else { continue }
                try await settle(try await flows.trigger(subscriptions[position].flow, message: received))
            }
        }
    }

    /// Answers the dead process already gave: each waiting-then-continued checkpoint pair of the flow runs'
    /// children (the agent runs that asked), since an answer goes to the child before the flow commits.
    static func answeredFlowInputs(_ world: World) async -> Int {
        guard let runs = try? await world.checkpointer.runs() else { return 0 }
        let flowNames = Set(world.scenario.flows.map(\.name))
        let flowRuns = Set(runs.filter { flowNames.contains($0.agent) }.map(\.runID))
        var answered = 0
        for run in runs where run.parentRunID.map(flowRuns.contains) == true {
            guard let history = try? await world.checkpointer.history(runID: run.runID) else { continue }
            answered += zip(history, history.dropFirst()).count { previous, _ in previous.state.status == .waitingForInput }
        }
        return answered
    }
}
