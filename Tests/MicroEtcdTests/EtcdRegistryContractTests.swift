import Foundation
import Micro
import MicroEtcd
import MicroTesting
import Testing

/// The ``Registry`` contract, unchanged, against ``EtcdRegistry`` on a real etcd (its own server per check,
/// or `MICRO_ETCD_URL` with a fresh prefix per check).
@Suite struct EtcdRegistryContractTests {
    static let subject = ContractSubject<any Registry>("EtcdRegistry") { environment, body in
        try await EtcdServerProcess.with { url, _ in
            let prefix = "/micro-test/\(UUID().uuidString)/"
            try await EtcdRegistry.withRegistry(url: url, prefix: prefix, environment: environment) { try await body($0) }
        }
    }

    @Test(.enabled(if: EtcdServerProcess.isAvailable, EtcdServerProcess.skipReason), arguments: RegistryContract.checks)
    func contract(_ check: ContractCheck<any Registry>) async throws {
        try await check.run(on: Self.subject)
    }
}
