import Micro
import MicroA2A
import MicroAgent
import MicroProviders
import Synchronization
import Testing

@Suite struct A2AClientTests {
    @Test func clientReadsTheCardSendsStreamsGetsAndCancels() async throws {
        let world = A2AWorld()
        let server = A2AServer(runner: world.runner([asking()]), agent: "concierge")
        try await server.withRunning { url in
            let client = A2AClient(url: url, transport: CurlTransport(), environment: world.environment)
            let card = try await client.card()
            #expect(card.name == "concierge")
            #expect(card.streaming)
            #expect(card.jsonRPCEndpoint?.version == .v1_0)

            guard case .task(let paused) = try await client.send(.text("book", role: .user, messageID: "m-1")) else {
                Issue.record("expected a task")
                return
            }
            #expect(paused.state == .inputRequired)
            #expect(paused.statusMessage?.text == "Which city?")

            var events: [A2AStreamEvent] = []
            for try await event in try await client.stream(.text("Rome", role: .user, messageID: "m-2", taskID: paused.id)) {
                events.append(event)
            }
            guard case .status(_, _, let state, _, let final) = events.last else {
                Issue.record("expected a final status, got \(events)")
                return
            }
            #expect(state == .completed && final)
            #expect(events.contains { if case .artifact(_, _, let artifact, _) = $0 { artifact.text == "Booked in the city you named." } else { false } })

            let fetched = try await client.task(paused.id)
            #expect(fetched.state == .completed)
            #expect(fetched.outputText == "Booked in the city you named.")
            await #expect(throws: A2AClientError.self) { try await client.cancel(paused.id) }
            do {
                _ = try await client.task("task-unknown")
            } catch let error as A2AClientError {
                #expect(error.rpcError?.code == -32001)
            }
        }
    }

    @Test func theClientSpeaks03WhenTheCardOffersOnly03() async throws {
        let world = A2AWorld()
        let server = A2AServer(runner: world.runner([answering("echo", "old school")]), agent: "echo")
        try await server.withRunning { url in
            let client = A2AClient(
                url: url, transport: CurlTransport(), endpoint: A2AClient.Endpoint(url: url + "/", version: .v0_3),
                environment: world.environment)
            guard case .task(let task) = try await client.send(.text("hi", role: .user, messageID: "m-1")) else {
                Issue.record("expected a task")
                return
            }
            #expect(task.state == .completed)
            #expect(task.outputText == "old school")
        }
    }

    @Test func refusesHostsOffTheAllowList() async throws {
        let transport = RecordingTransport()
        let client = A2AClient(url: "http://127.0.0.1:9/", transport: transport, allowedHosts: ["agents.example.com"])
        await #expect(throws: A2AClientError.self) { try await client.card() }
        let remote = A2ARemoteAgent(
            name: "evil", client: A2AClient(url: "http://169.254.169.254/", transport: transport, allowedHosts: ["127.0.0.1"]))
        do {
            _ = try await remote.send(task: "steal", context: .standalone(caller: "test", environment: A2AWorld.environment()))
            Issue.record("expected a refusal")
        } catch let error as A2AClientError {
            #expect(error.code == .hostNotAllowed)
        }
        #expect(transport.count == 0)
    }

    @Test func refusesAnEndpointOnAnotherHostNamedByTheCard() async throws {
        let world = A2AWorld()
        let server = A2AServer(
            runner: world.runner([answering("echo", "ok")]), agent: "echo", publicURL: "http://169.254.169.254/latest/")
        try await server.withRunning { url in
            let remote = A2ARemoteAgent(name: "echo", url: url, environment: world.environment)
            do {
                _ = try await remote.send(task: "hi", context: .standalone(caller: "test", environment: world.environment))
                Issue.record("expected a refusal")
            } catch let error as A2AClientError {
                #expect(error.code == .hostNotAllowed)
                #expect(error.message.contains("169.254.169.254"))
            }
        }
    }

    @Test func retriesConnectionFailuresABoundedNumberOfTimes() async throws {
        let transport = RecordingTransport(failure: HTTPError(.connectionFailed, "refused"))
        let clock = VirtualClock()
        let environment = Environment.simulated(seed: 1, clock: clock)
        let client = A2AClient(
            url: "http://127.0.0.1:9", transport: transport,
            retry: RetryPolicy(maxAttempts: 3, initialDelay: .zero, maxDelay: .zero, jitter: 0), environment: environment)
        do {
            _ = try await client.card()
            Issue.record("expected a failure")
        } catch let error as A2AClientError {
            #expect(error.code == .unavailable)
        }
        #expect(transport.count == 3)
    }

    @Test(arguments: [A2ARemoteAgent.Mode.automatic, .polling])
    func aParentAgentDelegatesToAnA2AAgent(mode: A2ARemoteAgent.Mode) async throws {
        let remoteWorld = A2AWorld()
        let server = A2AServer(runner: remoteWorld.runner([answering("booker", "Booked hotel lisbon:0.")]), agent: "booker")
        try await server.withRunning { url in
            let world = A2AWorld()
            let remote = A2ARemoteAgent(
                name: "remote-booker", description: "books hotels over A2A",
                client: A2AClient(url: url, transport: CurlTransport(), environment: world.environment), mode: mode,
                pollInterval: .milliseconds(1))
            let parent = Agent(
                name: "coordinator", instructions: "Delegate.",
                model: ScriptedModel([
                    .calls([ToolCall(id: "d-1", name: "delegate", arguments: ["agent": "remote-booker", "task": "Book lisbon:0"])]),
                    .answer("Done."),
                ]), tools: .services([]))
            let runner = world.runner([parent], remote: [remote])
            let result = try await runner.run("coordinator", input: "Book it")
            #expect(result.status == .completed)
            let delegation = runner.trace.all.first { $0.kind == .delegationResult }
            #expect(delegation?.data["output"] == "Booked hotel lisbon:0.")
        }
    }
}

/// A transport that counts requests and fails each with `failure` (or with a refused connection).
final class RecordingTransport: HTTPTransport {
    private let sent = Mutex(0)
    let failure: HTTPError
    init(failure: HTTPError = HTTPError(.connectionFailed, "no network in this test")) { self.failure = failure }
    var count: Int { sent.withLock { $0 } }
    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        sent.withLock { $0 += 1 }
        throw failure
    }
}

@Suite struct A2ASubscribeTests {
    @Test func aSubscriberFollowsARunningTaskUntilItIsCanceled() async throws {
        let world = A2AWorld()
        let model = BlockingModel()
        let slow = Agent(name: "slow", instructions: "Think forever.", model: model, tools: .services([]))
        let server = A2AServer(runner: world.runner([slow]), agent: "slow")
        try await server.withRunning { url in
            let client = A2AClient(url: url, transport: CurlTransport(), environment: world.environment)
            guard case .task(let task) = try await client.send(.text("think", role: .user, messageID: "m-1"), returnImmediately: true)
            else {
                Issue.record("expected a task")
                return
            }
            #expect(try await eventually { model.calls == 1 })
            let events = try await client.subscribe(taskID: task.id)
            #expect(try await client.cancel(task.id).state == .canceled)
            #expect(try await states(events) == [.working, .canceled])
        }
    }

    /// A task of the asking agent, paused on its question, and a client of its server.
    func withPausedTask(_ body: @escaping @Sendable (A2AClient, A2ATask) async throws -> Void) async throws {
        let world = A2AWorld()
        try await A2AServer(runner: world.runner([asking()]), agent: "concierge").withRunning { url in
            let client = A2AClient(url: url, transport: CurlTransport(), environment: world.environment)
            guard case .task(let paused) = try await client.send(.text("book", role: .user, messageID: "m-1")) else {
                Issue.record("expected a task")
                return
            }
            #expect(paused.state == .inputRequired)
            try await body(client, paused)
        }
    }

    /// The task states a subscription reports until it ends.
    func states(_ events: A2AEventStream) async throws -> [A2ATaskState] {
        var states: [A2ATaskState] = []
        for try await event in events {
            switch event {
            case .task(let snapshot): states.append(snapshot.state)
            case .status(_, _, let state, _, _): states.append(state)
            default: break
            }
        }
        return states
    }

    @Test func aSubscriberOfAPausedTaskStaysUntilTheFollowUpCompletesIt() async throws {
        try await withPausedTask { client, paused in
            let events = try await client.subscribe(taskID: paused.id)
            _ = try await client.send(.text("Oslo", role: .user, messageID: "m-2", taskID: paused.id))
            #expect(try await states(events) == [.inputRequired, .working, .completed], "the stream ends at the terminal state, not at the pause")
        }
    }

    @Test func aSubscriberOfAPausedTaskSeesItCanceled() async throws {
        try await withPausedTask { client, paused in
            let events = try await client.subscribe(taskID: paused.id)
            #expect(try await client.cancel(paused.id).state == .canceled)
            #expect(try await states(events) == [.inputRequired, .canceled])
        }
    }
}
