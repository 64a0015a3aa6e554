import Hummingbird
import Logging
import Micro
import MicroAgent
import MicroReplay

/// Serves one agent over A2A: its card at `/.well-known/agent-card.json` (and `/.well-known/agent.json`
/// for older clients), the JSON-RPC binding at `/` in both protocol versions, and the HTTP+JSON binding of 1.0
/// (`POST /message:send`, `GET /tasks/{id}`, …; see ``A2ARestRoute``) with AIP-193 errors.
///
/// The `A2A-Version` request header selects the version: `1.0` serves `SendMessage`,
/// `SendStreamingMessage` (SSE), `GetTask`, `ListTasks`, `CancelTask` and `SubscribeToTask` in ProtoJSON;
/// without the header a request is 0.3 (`message/send`, `message/stream`, `tasks/get`, `tasks/cancel`,
/// `tasks/resubscribe`, with `kind` discriminators), and a 1.0 method gets `VersionNotSupported` (-32009).
/// 0.3 methods are served under either header.
///
/// Each task is one run of the agent in ``runner``: running → `working`, completed, failed, a
/// `request_input` pause → `input-required`; a message with the task's id resumes the paused run with its
/// text. `CancelTask` cancels the run's task. Tasks are kept in ``store`` (namespace `a2a.<agent>`) and
/// survive a restart on a durable store; runs left working are resumed from their checkpoints.
///
/// Push notifications are not offered (the card says so): their methods and routes answer
/// `PushNotificationNotSupported` (-32003; HTTP 400).
///
/// Bad input never reaches the agent: a body that is not JSON gets -32700, an unknown method -32601, bad
/// params -32602, an unknown or expired task -32001; a content type other than JSON gets HTTP 415 and a body over
/// ``maximumBodySize`` HTTP 413.
///
/// Guards, for a server a browser on the same machine can reach: a request whose `Origin` is not loopback (or
/// in ``allowedOrigins``) gets 403, and so does one whose `Host` is not a loopback name (or in
/// ``allowedHosts``) — a DNS name rebound to 127.0.0.1 included; the card's URL is ``publicURL`` or built
/// from that checked `Host`. With a ``token``, JSON-RPC requests need `Authorization: Bearer <token>` (401
/// otherwise, compared in constant time); the card stays public, as discovery needs.
public struct A2AServer: Sendable {
    public var runner: AgentRunner
    /// The agent of ``runner`` that serves the tasks.
    public var agent: String
    /// Where tasks are kept (the runner's runtime store by default).
    public var store: any Store
    public var host: String
    public var port: Int
    /// The JSON-RPC URL the card announces; nil: `http://<Host header>/` of each card request.
    public var publicURL: String?
    public var maximumBodySize: Int
    /// How long a task is kept after its last change (nil: for ever); an expired task is unknown (-32001).
    public var taskRetention: Duration?
    /// Required bearer token for JSON-RPC requests, or nil for none.
    public var token: String?
    /// `Origin`s accepted besides loopback ones.
    public var allowedOrigins: Set<String>
    /// `Host` names (`name[:port]`, lowercase) accepted besides loopback ones, for a server reached by name.
    public var allowedHosts: Set<String>
    /// How messages become the runs' input and outputs the tasks' answers (text by default).
    public var presentation: A2APresentation
    /// Whether a message sent again (same `messageId`) gets the task it started rather than a new one — the
    /// idempotency A2A allows and resumed delegations rely on. Off only for clients that reuse message ids for
    /// different requests (the conformance kit does).
    public var deduplicatesMessages: Bool
    public var logger: Logger

    public init(
        runner: AgentRunner, agent: String, store: (any Store)? = nil, host: String = "127.0.0.1", port: Int = 0,
        publicURL: String? = nil, maximumBodySize: Int = 1 << 20, taskRetention: Duration? = nil, token: String? = nil,
        allowedOrigins: Set<String> = [], allowedHosts: Set<String> = [], presentation: A2APresentation = .text,
        deduplicatesMessages: Bool = true, logger: Logger = .quiet("micro-a2a")
    ) {
        self.deduplicatesMessages = deduplicatesMessages
        self.presentation = presentation
        self.token = token
        self.allowedOrigins = allowedOrigins
        self.allowedHosts = Set(allowedHosts.map { $0.lowercased() })
        self.runner = runner
        self.agent = agent
        self.store = store ?? runner.runtime.store
        self.host = host
        self.port = port
        self.publicURL = publicURL
        self.maximumBodySize = maximumBodySize
        self.taskRetention = taskRetention
        self.logger = logger
    }

    /// The Hummingbird application: the HTTP server plus the run loop that drives the tasks' runs.
    /// `onRunning` gets the bound port once the server listens.
    public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let core = A2AServerCore(
            runner: runner, agentName: agent, store: store, retention: taskRetention, presentation: presentation, logger: logger)
        return Application(
            responder: A2AResponder(server: self, core: core),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "micro-a2a"),
            services: [A2ATaskExecutor(core: core)],
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) }, logger: logger)
    }

    /// Runs the server for the duration of `body`, which gets its base URL (`http://127.0.0.1:PORT`).
    public func withRunning<R: Sendable>(_ body: @escaping @Sendable (String) async throws -> R) async throws -> R {
        let host = host
        return try await withLoopbackServer({ onRunning in application(onRunning: onRunning) }) { port in
            try await body("http://\(host):\(port)")
        }
    }

    /// The card this server publishes, its endpoint at `url`.
    public func card(url: String) -> A2AAgentCard {
        A2AAgentCard.served(name: agent, description: runner.agents[agent]?.description ?? "", url: url)
    }
}
