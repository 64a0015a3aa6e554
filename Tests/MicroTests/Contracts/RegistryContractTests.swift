import Micro
import MicroTesting
import Testing

/// The ``Registry`` contract over every registry in module Micro.
@Suite struct RegistryContractTests {
    static let subjects: [ContractSubject<any Registry>] = [
        ContractSubject("InMemoryRegistry") { InMemoryRegistry(environment: $0) },
    ]

    @Test(arguments: subjects, RegistryContract.checks)
    func contract(_ subject: ContractSubject<any Registry>, _ check: ContractCheck<any Registry>) async throws {
        try await check.run(on: subject)
    }
}
