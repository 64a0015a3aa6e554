/// What an ``EtcdRegistry`` keeps in memory: its watchers' progress, writers waiting for them, its leases, and
/// the job queue of its ``EtcdRegistry/run()``.
struct EtcdRegistryState {
    /// How far one watcher of this registry has delivered.
    struct Watcher {
        var service: String?
        /// The highest revision whose events are in the watcher's buffer.
        var revision: Int64 = 0
        /// Whether its stream is up (a writer waits only for watchers that are).
        var connected = false
    }

    /// A writer waiting until local watchers have delivered its change.
    struct Waiter {
        var revision: Int64
        var services: Set<String>
        var continuation: CheckedContinuation<Void, Never>
    }

    /// A lease for one registration (service, version, node ids) with one TTL, renewed by re-registering.
    struct LeaseKey: Hashable {
        var service: String
        var version: String
        var nodes: [String]
        var seconds: Int64
    }

    var watchers: [UInt64: Watcher] = [:]
    var waiters: [UInt64: Waiter] = [:]
    /// Writers whose wait was cancelled before it began.
    var abandoned: Set<UInt64> = []
    var nextID: UInt64 = 0
    var leases: [LeaseKey: Int64] = [:]
    /// Where ``EtcdRegistry/run()`` takes background jobs; nil while it is not running.
    var jobs: AsyncStream<EtcdRegistry.Job>.Continuation?

    mutating func makeID() -> UInt64 {
        nextID += 1
        return nextID
    }

    /// Whether every connected watcher that sees `services` has delivered `revision`.
    func isSynchronized(_ revision: Int64, _ services: Set<String>) -> Bool {
        watchers.values.allSatisfy { watcher in
            !watcher.connected || watcher.revision >= revision || watcher.service.map { !services.contains($0) } ?? false
        }
    }

    /// Removes and returns the waiters whose condition now holds.
    mutating func takeSatisfied() -> [CheckedContinuation<Void, Never>] {
        let done = waiters.filter { isSynchronized($0.value.revision, $0.value.services) }
        for id in done.keys { waiters[id] = nil }
        return done.keys.sorted().map { done[$0]!.continuation }
    }
}
