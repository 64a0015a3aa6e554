import Micro
import MicroProviders

extension EtcdRegistry {
    /// Changes from now on (see ``EtcdRegistry`` for how the stream survives a lost connection). The stream
    /// is a child task of ``run()``, which must be running (else this throws ``RegistryError/Code/unavailable``).
    /// Throws when the watch cannot be set up; a watch that later hits an error it cannot retry ends with that
    /// error; a watch still open when ``run()`` ends just ends.
    public func watch(service: String?) async throws -> RegistryWatcher {
        do {
            _ = try await refreshed(at: environment.now())
        } catch {
            throw RegistryError.etcd(error, service: service)
        }
        let id = state.withLock { state in
            let id = state.makeID()
            state.watchers[id] = .init(service: service)
            return id
        }
        let (stopped, stop) = AsyncStream.makeStream(of: Void.self)
        let (watcher, events) = RegistryWatcher.make(service: service) { [weak self] in
            stop.finish()
            self?.updateWatcher(id) { $0 = nil }
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (ready: CheckedContinuation<Void, any Error>) in
                let job = WatchJob(id: id, service: service, events: events, stopped: stopped, ready: ready)
                if !submit(.watch(job)) {
                    events.finish()
                    ready.resume(throwing: notRunning("watch", service: service))
                }
            }
        } onCancel: {
            events.finish()
        }
        return watcher
    }

    /// Keeps one etcd watch stream flowing into the job's continuation until the watcher ends (which cancels
    /// this). The job's `ready` is resumed once: when the first stream is in place, or with the error that
    /// prevented it.
    func pump(_ job: WatchJob) async {
        let (id, service, continuation) = (job.id, job.service, job.events)
        var ready: CheckedContinuation<Void, any Error>? = job.ready
        let prefix = layout.servicePrefix(service)
        var table: EtcdServiceTable
        var revision: Int64
        do {
            let snapshot = try await client.range(prefix: prefix)
            table = EtcdServiceTable(layout: layout, kvs: snapshot.kvs)
            revision = snapshot.revision
        } catch {
            ready?.resume(throwing: RegistryError.etcd(error, service: service))
            continuation.finish()
            return
        }
        updateWatcher(id) { $0?.revision = revision }
        var attempt = 0
        while !Task.isCancelled {
            do {
                let response = try await client.openWatch(prefix: prefix, from: revision + 1)
                var decoder = EtcdWatchDecoder(url: client.url)
                stream: for try await chunk in response.body {
                    for message in try decoder.read(chunk) {
                        if message.created {
                            attempt = 0
                            updateWatcher(id) { $0?.connected = true }
                            ready?.resume()
                            ready = nil
                        }
                        if message.canceled {
                            guard message.compactRevision > 0 else {
                                throw EtcdError(.serverError, "etcd cancelled the watch: \(message.cancelReason)", url: client.url)
                            }
                            // The revision to resume from is gone: diff a fresh snapshot, then watch from it.
                            let snapshot = try await client.range(prefix: prefix)
                            let fresh = EtcdServiceTable(layout: layout, kvs: snapshot.kvs)
                            for event in table.changes(to: fresh, at: environment.now()) { continuation.yield(event) }
                            table = fresh
                            revision = snapshot.revision
                            updateWatcher(id) { $0?.revision = revision }
                            break stream
                        }
                        guard let last = message.events.map(\.kv.modRevision).max() else { continue }
                        for event in table.applyBatch(message.events, at: environment.now()) { continuation.yield(event) }
                        revision = max(revision, last)
                        updateWatcher(id) { $0?.revision = revision }
                    }
                }
            } catch {
                let error = client.mapTransport(error)
                if Task.isCancelled || error is CancellationError { break }
                let etcd = error as? EtcdError
                let retryable = etcd.map { $0.isRetryable || $0.code == .protocolError } ?? false
                if ready != nil || !retryable {
                    ready?.resume(throwing: RegistryError.etcd(error, service: service))
                    ready = nil
                    continuation.finish(throwing: RegistryError.etcd(error, service: service))
                    return
                }
            }
            // The stream ended or broke: writers stop waiting for us; reconnect after a pause.
            updateWatcher(id) { $0?.connected = false }
            attempt += 1
            do {
                try await ContinuousClock().sleep(for: configuration.backoff(attempt: attempt))
            } catch {
                break
            }
        }
        ready?.resume(throwing: CancellationError())
        continuation.finish()
    }
}
