import Micro
import MicroAgent
import MicroProviders

/// An agent behind an A2A URL, for `delegate`: the task goes out as one message and the final answer
/// (the task's artifacts, else its last message) comes back.
///
/// It reads the card first: when the card says `capabilities.streaming` it follows the task over SSE,
/// otherwise it sends the message and polls `GetTask` every ``pollInterval`` on the environment's clock
/// until the task ends or ``deadline`` passes. The message id is the delegation's idempotency key, so a
/// resumed parent asking again gets the same task from a server that deduplicates (ours does). Only the
/// client's allowed hosts are contacted.
public struct A2ARemoteAgent: RemoteAgent {
    public enum Mode: Sendable, Hashable {
        /// Stream when the card allows it, else poll.
        case automatic
        /// Always send and poll.
        case polling
    }

    public let name: String
    public let description: String
    public var client: A2AClient
    public var mode: Mode
    public var pollInterval: Duration
    /// The longest a delegation may take, on the environment's clock.
    public var deadline: Duration

    public init(
        name: String, description: String = "", client: A2AClient, mode: Mode = .automatic,
        pollInterval: Duration = .milliseconds(250), deadline: Duration = .seconds(300)
    ) {
        self.name = name
        self.description = description
        self.client = client
        self.mode = mode
        self.pollInterval = pollInterval
        self.deadline = deadline
    }

    /// A remote agent at `url` reached through `transport`, contacting only `allowedHosts` (default: the URL's host).
    public init(
        name: String, description: String = "", url: String, transport: any HTTPTransport = CurlTransport(),
        allowedHosts: Set<String>? = nil, environment: Environment = .live, timeout: Duration = .seconds(60)
    ) {
        self.init(
            name: name, description: description,
            client: A2AClient(url: url, transport: transport, allowedHosts: allowedHosts, timeout: timeout, environment: environment))
    }

    public func send(task text: String, context: CallContext) async throws -> String {
        let environment = client.environment
        let giveUpAt = environment.now().advanced(by: deadline)
        let card = try await client.card()
        guard let found = card.jsonRPCEndpoint else {
            throw A2AClientError(.invalidResponse, "the card of \(name) offers no JSON-RPC interface")
        }
        var client = client
        client.endpoint = A2AClient.Endpoint(url: found.url, version: found.version)
        let message = A2AMessage.text(text, role: .user, messageID: context.idempotencyKey)
        var task: A2ATask
        if card.streaming && mode == .automatic {
            var latest: A2ATask?
            var artifacts: [A2AArtifact] = []
            for try await event in try await client.stream(message, timeout: deadline) {
                switch event {
                case .message(let reply): return reply.text
                case .task(let snapshot): latest = snapshot
                case .artifact(_, _, let artifact, _): artifacts.append(artifact)
                case .status(let taskID, let contextID, let state, let statusMessage, _):
                    var updated = latest ?? A2ATask(id: taskID, contextID: contextID, state: state, updatedAt: environment.now())
                    updated.state = state
                    updated.statusMessage = statusMessage
                    latest = updated
                }
            }
            guard var streamed = latest else { throw A2AClientError(.invalidResponse, "\(name) streamed no task") }
            if !artifacts.isEmpty { streamed.artifacts = artifacts }
            task = streamed
        } else {
            switch try await client.send(message) {
            case .message(let reply): return reply.text
            case .task(let sent): task = sent
            }
        }
        while !task.state.isTerminal && !task.state.isInterrupted {
            guard environment.now() < giveUpAt else {
                throw A2AClientError(.timedOut, "task \(task.id) of \(name) is still \(task.state.rawValue) after \(deadline)")
            }
            try await environment.sleep(for: pollInterval)
            task = try await client.task(task.id)
        }
        return try Self.answer(of: task, agent: name)
    }

    /// The answer of a finished task, or the error saying why there is none.
    static func answer(of task: A2ATask, agent: String) throws -> String {
        switch task.state {
        case .completed: return task.outputText
        case .inputRequired, .authRequired:
            throw A2AClientError(.inputRequired, "\(agent) asks: \(task.statusMessage?.text ?? "(no question)") (task \(task.id))")
        default:
            throw A2AClientError(
                .taskFailed, "task \(task.id) of \(agent) ended \(task.state.rawValue): \(task.statusMessage?.text ?? "")")
        }
    }
}
