import Micro

extension EtcdRegistry {
    /// Registers `service` with `ttl` and renews it every `interval` (default: a third of `ttl`) on the
    /// registry's clock until the calling task is cancelled; then deregisters it (as a child of ``run()``, which
    /// must be running for that, else this throws ``RegistryError/Code/unavailable``). A renewal that fails
    /// because etcd is unreachable is tried again at the next beat; other errors end the loop.
    public func keepRegistered(_ service: ServiceRecord, ttl: Duration, every interval: Duration? = nil) async throws {
        let interval = interval ?? ttl / 3
        guard interval > .zero, interval < ttl else {
            throw RegistryError(.invalidArgument, "heartbeat interval \(interval) must be positive and below the ttl \(ttl)",
                                service: service.name)
        }
        do {
            try await register(service, ttl: ttl)
        } catch _ where Task.isCancelled {
            // Cancelled mid-registration (it may have landed): deregister below.
        }
        while !Task.isCancelled {
            do {
                try await environment.clock.sleep(for: interval)
            } catch {
                break
            }
            do {
                try await register(service, ttl: ttl)
            } catch _ where Task.isCancelled {
                break  // cancelled mid-renewal: still deregister below
            } catch let error as RegistryError where error.code == .unavailable {
                continue
            }
        }
        // Deregister outside the cancelled task: as a child of run(), awaited here, so nothing outlives this call.
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            if !submit(.deregister(service, done)) {
                done.resume(throwing: notRunning("deregistering \(service.name) at the end of keepRegistered", service: service.name))
            }
        }
    }
}
