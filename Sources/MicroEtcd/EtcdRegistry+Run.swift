import Micro
import MicroProviders

extension EtcdRegistry {
    /// Work that outlives the call that asked for it, run as a child of ``run()``.
    enum Job: Sendable {
        /// Keep one watcher's etcd stream flowing (see ``EtcdRegistry/watch(service:)``).
        case watch(WatchJob)
        /// Deregister a service after the task that kept it registered was cancelled.
        case deregister(ServiceRecord, CheckedContinuation<Void, any Error>)
    }

    struct WatchJob: Sendable {
        var id: UInt64
        var service: String?
        var events: RegistryWatcher.Continuation
        /// Finishes when the watcher ends (cancelled, dropped, or its consumer gone).
        var stopped: AsyncStream<Void>
        /// Resumed once: when the first etcd stream is in place, or with the error that prevented it.
        var ready: CheckedContinuation<Void, any Error>
    }

    /// Runs `body` with a connected registry whose ``run()`` is active for the scope (so ``watch(service:)``
    /// works), and stops it when `body` returns or throws: watchers end, nothing is left running.
    /// Throws a ``RegistryError`` naming the URL if etcd cannot be used (see ``connect(_:environment:transport:)``).
    public static func withRegistry<R>(
        _ configuration: EtcdConfiguration, environment: Environment = .live, transport: (any HTTPTransport)? = nil,
        _ body: (EtcdRegistry) async throws -> R
    ) async throws -> R {
        let registry = try await connect(configuration, environment: environment, transport: transport)
        let queue = try registry.openJobQueue()  // before the body, so its first watch() finds it
        return try await withThrowingTaskGroup(of: Void.self, returning: R.self) { group in
            group.addTask { await registry.serve(queue) }
            defer { group.cancelAll() }
            return try await body(registry)
        }
    }

    /// Parses `url` (a malformed one throws ``RegistryError/Code/invalidURL``) and runs
    /// ``withRegistry(_:environment:transport:_:)``.
    public static func withRegistry<R>(
        url: String, prefix: String = "/micro/registry/", environment: Environment = .live,
        transport: (any HTTPTransport)? = nil, _ body: (EtcdRegistry) async throws -> R
    ) async throws -> R {
        let configuration: EtcdConfiguration
        do {
            configuration = try EtcdConfiguration(url, prefix: prefix)
        } catch {
            throw RegistryError.etcd(error)
        }
        return try await withRegistry(configuration, environment: environment, transport: transport, body)
    }

    /// Runs the registry's background work until the task is cancelled (swift-service-lifecycle style): each
    /// watcher's etcd stream and the deregistration at the end of ``keepRegistered(_:ttl:every:)`` are child
    /// tasks of this call. When it ends, every watcher ends and calls that need it fail with
    /// ``RegistryError/Code/unavailable``. Throws `invalidArgument` if it is already running.
    public func run() async throws {
        await serve(try openJobQueue())
    }

    typealias JobQueue = (jobs: AsyncStream<Job>, submitter: AsyncStream<Job>.Continuation)

    /// Makes the job queue current; throws if ``run()`` is already active.
    func openJobQueue() throws -> JobQueue {
        let (jobs, submitter) = AsyncStream.makeStream(of: Job.self)
        let opened = state.withLock { state -> Bool in
            guard state.jobs == nil else { return false }
            state.jobs = submitter
            return true
        }
        guard opened else { throw RegistryError(.invalidArgument, "run() of the etcd registry for \(client.url) is already active") }
        return (jobs, submitter)
    }

    /// Runs every job of `queue` as a child task until cancelled, then closes the queue.
    func serve(_ queue: JobQueue) async {
        defer {
            state.withLock { $0.jobs = nil }
            queue.submitter.finish()
        }
        await withDiscardingTaskGroup { group in
            // Ends once cancelled and every job submitted before that has been taken (each then starts cancelled).
            for await job in queue.jobs {
                group.addTask { await self.perform(job) }
            }
            group.cancelAll()
        }
    }

    /// Hands `job` to ``run()``; false when it is not running (the job was not taken).
    func submit(_ job: Job) -> Bool {
        guard let jobs = state.withLock({ $0.jobs }) else { return false }
        if case .enqueued = jobs.yield(job) { return true }
        return false
    }

    /// Why a call that needs ``run()`` failed.
    func notRunning(_ what: String, service: String?) -> RegistryError {
        RegistryError(
            .unavailable, "\(what) needs the etcd registry for \(client.url) to be running (run() or withRegistry)",
            service: service)
    }

    private func perform(_ job: Job) async {
        switch job {
        case .watch(let watch):
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.pump(watch) }
                group.addTask { for await _ in watch.stopped {} }
                _ = await group.next()  // the pump gave up, or the watcher ended: stop the other
                group.cancelAll()
            }
        case .deregister(let service, let done):
            do {
                try await deregister(service)
                done.resume()
            } catch {
                done.resume(throwing: error)
            }
        }
    }
}
