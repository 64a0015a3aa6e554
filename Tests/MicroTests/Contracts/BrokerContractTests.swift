import Micro
import MicroTesting
import Testing

/// The ``Broker`` contract over every broker in module Micro.
@Suite struct BrokerContractTests {
    static let subjects: [ContractSubject<any Broker>] = [
        ContractSubject("InMemoryBroker") { InMemoryBroker(environment: $0) },
    ]

    @Test(arguments: subjects, BrokerContract.checks)
    func contract(_ subject: ContractSubject<any Broker>, _ check: ContractCheck<any Broker>) async throws {
        try await check.run(on: subject)
    }
}
